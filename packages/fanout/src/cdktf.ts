/** Fanout's AWS side as CDK for Terraform constructs: `FanoutJobs` goes into any stack; `FanoutStack` is one of its own. */
export { type Bundle, type BundleOptions, bundleHandler, bundleWorkers } from "./cdktf/bundle.ts";
export { type AlarmSettings, FanoutJobs, type FanoutJobsProps } from "./cdktf/fanout-jobs.ts";
export { FanoutStack, type FanoutStackProps } from "./cdktf/fanout-stack.ts";
export type { PolicyStatement } from "./cdktf/policy.ts";
export { type StateBackend, stateBackendFromEnvironment, useStateBackend } from "./cdktf/state-backend.ts";
