/**
 * Fanout: typed jobs on one SNS topic, one SQS queue and Lambda consumer per job type, large payloads through
 * S3 in the format of AWS's extended client libraries. This entry is what producers and consumers import;
 * `fanout/cdktf` deploys, `fanout/local` runs it on this machine, `fanout/dashboard` watches it.
 */

export { DEAD_LETTER_ATTRIBUTES, JOB_ID_ATTRIBUTE } from "./consumer/dead-letter.ts";
export type { JobContext } from "./consumer/job-context.ts";
export {
  createJobHandler,
  type JobFunction,
  type JobHandlerOptions,
  type SqsHandler,
} from "./consumer/job-handler.ts";
export {
  type JobOutcome,
  type OutcomeKind,
  onJobOutcome,
  UNKNOWN_JOB_ID,
} from "./consumer/outcome.ts";
export { type AwsClients, createAwsClients, destroyAwsClients } from "./core/aws-clients.ts";
export {
  decodePointer,
  encodePointer,
  JOB_TYPE_ATTRIBUTE,
  LEGACY_POINTER_CLASS,
  LEGACY_SIZE_ATTRIBUTE,
  type PayloadPointer,
  POINTER_CLASS,
  type PointerFormat,
  SIZE_ATTRIBUTE,
  SNS_MAX_MESSAGE_BYTES,
  SQS_MAX_MESSAGE_BYTES,
} from "./core/claim-check.ts";
export { baseClientConfig, type ClientOptions } from "./core/client-config.ts";
export { defineConfig, type FanoutConfig, type LoadedConfig, loadConfig } from "./core/config.ts";
export { DUE_AT_ATTRIBUTE, MAX_DELAY_SECONDS } from "./core/delay.ts";
export type { DelayQueue } from "./core/delayed-send.ts";
export { decodeEnvelope, ENVELOPE_VERSION, type JobEnvelope, MAX_ID_LENGTH } from "./core/envelope.ts";
export * from "./core/errors.ts";
export { type FunctionResources, functionEnvironment } from "./core/function-environment.ts";
export { type IdempotencyTable, idempotencyTable } from "./core/idempotency-table.ts";
export {
  FANOUT_METRICS,
  type FanoutMetric,
  JOB_TYPE_DIMENSION,
  metricsNamespace,
  SERVICE_DIMENSION,
} from "./core/metric-names.ts";
export {
  fifoQueueNames,
  fifoTopicName,
  type Placement,
  payloadBucketName,
  payloadKey,
  queueNames,
  topicName,
} from "./core/naming.ts";
export { FIFO_ID_PATTERN } from "./core/ordering.ts";
export {
  DEFAULT_MAX_PAYLOAD_BYTES,
  type PayloadReader,
  PayloadStore,
  type PayloadStoreOptions,
  type PayloadWriter,
  type PiecewiseBody,
  type StoredPayload,
} from "./core/payload-store.ts";
export {
  type FailedJob,
  type JobRequest,
  type PublishedJob,
  Publisher,
  type PublisherOptions,
  type PublishOptions,
  type PublishOutcome,
} from "./core/publisher.ts";
export {
  defineJob,
  defineRegistry,
  FIFO_MAX_BATCH_SIZE,
  IDEMPOTENCY_TTL_LIMITS,
  type IdempotencySettings,
  isOrdered,
  type JobDeclaration,
  type JobDefinition,
  type JobOf,
  type JobTypeOf,
  MAX_JOB_TYPES,
  type OrderingDeclaration,
  type OrderingSettings,
  type PayloadInput,
  type PayloadOutput,
  type Registry,
  type RegistryDeclaration,
  type SubscriberDefinition,
  WORKER_DEFAULTS,
  type WorkerSettings,
} from "./core/registry.ts";
export {
  SCHEDULE_LIMITS,
  SCHEDULE_RETRY_DEFAULTS,
  type ScheduleDeclaration,
  type ScheduleDefinition,
  type ScheduleRetry,
  scheduleDlqName,
  scheduledJobId,
  scheduleGroupName,
} from "./core/schedule.ts";
export {
  nextRunAfter,
  nextRunsAfter,
  parseScheduleExpression,
  type ScheduleExpression,
} from "./core/schedule-expression.ts";
export {
  DLQ_RETENTION_SECONDS,
  describeTopology,
  type QueueTopology,
  readQueues,
  subscriptions,
  type Topology,
  typesFilterPolicy,
  type UnroutedTopology,
  unroutedFilterPolicy,
  VISIBILITY_TIMEOUT_FACTOR,
  type WorkerTopology,
} from "./core/topology.ts";
export { nextRuns, type ScheduleRuns, scheduleRuns } from "./operations/schedule-runs.ts";
