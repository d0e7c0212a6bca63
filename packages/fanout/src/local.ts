/** The local cloud: the fauxqs emulator in this process, the topology provisioned, one Lambda-like runner per job type. */
export { connectLocalCloud, type LocalCloud, startLocalCloud } from "./local/cloud.ts";
export {
  DEFAULT_LOCAL_PORT,
  LOCAL_CREDENTIALS,
  LOCAL_PLACEMENT,
  LOCAL_REGION,
  localAwsEnvironment,
  localPort,
} from "./local/endpoint.ts";
export type { InvocationReport, RunnerEvents } from "./local/event-source-runner.ts";
export { type LocalDynamoDb, startLocalDynamoDb } from "./local/local-dynamodb.ts";
export {
  type LocalFanout,
  type LocalFanoutOptions,
  type LocalIdempotency,
  startLocalFanout,
} from "./local/local-fanout.ts";
export {
  type Clock,
  LocalScheduler,
  type LocalSchedulerEvents,
  type ScheduleRun,
  SYSTEM_CLOCK,
} from "./local/local-scheduler.ts";
export { type ProvisionedQueue, type ProvisionedTopology, provisionTopology } from "./local/provision.ts";
export { provisionIdempotencyTable } from "./local/provision-idempotency.ts";
