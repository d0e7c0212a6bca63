import { AwsProvider } from "@cdktf/provider-aws/lib/provider/index.js";
import { TerraformStack } from "cdktf";
import type { Construct } from "constructs";
import { FanoutJobs, type FanoutJobsProps } from "./fanout-jobs.ts";
import { type StateBackend, useStateBackend } from "./state-backend.ts";

export interface FanoutStackProps extends Omit<FanoutJobsProps, "accountId"> {
  /** Where Terraform keeps the stack's state. Default: a local file beside the project. */
  readonly state?: StateBackend;
  /**
   * Dummy keys and no account look-up, so that `terraform plan` runs without AWS access. Only the
   * Terraform check sets it; a stack synthesized this way cannot be deployed.
   */
  readonly fakeCredentials?: boolean;
}

/** Stands in for the account ID that fake credentials cannot look up. */
const FAKE_ACCOUNT_ID = "123456789012";

/**
 * A stack of its own for one registry, named after the app, with its AWS provider and state backend: the
 * quickest start. An existing cdktf app puts `FanoutJobs` into one of its stacks instead.
 */
export class FanoutStack extends TerraformStack {
  readonly jobs: FanoutJobs;

  constructor(scope: Construct, props: FanoutStackProps) {
    super(scope, props.registry.app);
    new AwsProvider(this, "aws", {
      region: props.region,
      defaultTags: [{ tags: { app: props.registry.app } }],
      ...(props.fakeCredentials
        ? {
            accessKey: "fake-access-key",
            secretKey: "fake-secret-key",
            skipCredentialsValidation: true,
            skipRequestingAccountId: true,
            skipMetadataApiCheck: "true",
          }
        : {}),
    });
    useStateBackend(this, props.state ?? { kind: "local" }, props.region);
    this.jobs = new FanoutJobs(this, "fanout", {
      registry: props.registry,
      region: props.region,
      bundles: props.bundles,
      ...(props.alarms ? { alarms: props.alarms } : {}),
      ...(props.producerAccountIds ? { producerAccountIds: props.producerAccountIds } : {}),
      ...(props.fakeCredentials ? { accountId: FAKE_ACCOUNT_ID } : {}),
    });
  }
}
