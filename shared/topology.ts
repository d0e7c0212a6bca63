import { bucketName, queueNames, topicName, type WorkerNames, workerNames } from "./naming.ts";
import { type JobDefinition, type Registry, subscribedTypes } from "./registry.ts";

/** AWS's recommendation for SQS event sources: at least six times the function timeout, plus the batching window. */
export const VISIBILITY_TIMEOUT_FACTOR = 6;
export const DLQ_RETENTION_SECONDS = 14 * 24 * 3600;
/** Time an operator has to redrive a dead letter after it leaves the DLQ's retention window. */
export const REDRIVE_WINDOW_SECONDS = 7 * 24 * 3600;
/** Subscriber queues are read by code we do not know; this is SQS's own default. */
const SUBSCRIBER_VISIBILITY_TIMEOUT_SECONDS = 30;

export interface QueueTopology {
  /** The job type or subscriber name. */
  readonly consumer: string;
  readonly kind: "worker" | "subscriber";
  readonly queueName: string;
  readonly dlqName: string;
  /** The exact `jobType` values its subscription's filter policy admits. */
  readonly jobTypes: readonly string[];
  readonly visibilityTimeoutSeconds: number;
  readonly retentionSeconds: number;
  readonly dlqRetentionSeconds: number;
  readonly maxReceiveCount: number;
}

export interface WorkerTopology extends QueueTopology {
  readonly kind: "worker";
  readonly job: JobDefinition;
  readonly names: WorkerNames;
}

export interface Topology {
  readonly app: string;
  readonly topicName: string;
  readonly bucketName: string;
  readonly workers: readonly WorkerTopology[];
  readonly subscribers: readonly QueueTopology[];
  /** Payload objects outlive every message that can point at them. */
  readonly payloadExpirationDays: number;
}

export function visibilityTimeoutFor(job: JobDefinition): number {
  return VISIBILITY_TIMEOUT_FACTOR * job.worker.timeoutSeconds + job.worker.batchingWindowSeconds;
}

/** The filter policy of a subscription: exactly these job types, on the `jobType` message attribute. */
export function filterPolicy(jobTypes: readonly string[]): string {
  return JSON.stringify({ jobType: [...jobTypes] });
}

/** Everything the local cloud provisions and the cdktf stack deploys, derived from the registry alone. */
export function describeTopology(registry: Registry): Topology {
  const app = registry.app;
  const workers = registry.jobList.map((job): WorkerTopology => {
    const names = workerNames(app, job.type);
    return {
      consumer: job.type,
      kind: "worker",
      queueName: names.queue,
      dlqName: names.dlq,
      jobTypes: [job.type],
      visibilityTimeoutSeconds: visibilityTimeoutFor(job),
      retentionSeconds: job.worker.retentionSeconds,
      dlqRetentionSeconds: DLQ_RETENTION_SECONDS,
      maxReceiveCount: job.worker.maxReceiveCount,
      job,
      names,
    };
  });
  const subscribers = registry.subscribers.map((subscriber): QueueTopology => {
    const names = queueNames(app, subscriber.name);
    return {
      consumer: subscriber.name,
      kind: "subscriber",
      queueName: names.queue,
      dlqName: names.dlq,
      jobTypes: subscribedTypes(registry, subscriber),
      visibilityTimeoutSeconds: SUBSCRIBER_VISIBILITY_TIMEOUT_SECONDS,
      retentionSeconds: subscriber.retentionSeconds,
      dlqRetentionSeconds: DLQ_RETENTION_SECONDS,
      maxReceiveCount: subscriber.maxReceiveCount,
    };
  });
  const longestRetention = Math.max(0, ...[...workers, ...subscribers].map((q) => q.retentionSeconds));
  return {
    app,
    topicName: topicName(app),
    bucketName: bucketName(app),
    workers,
    subscribers,
    payloadExpirationDays: Math.ceil(
      (longestRetention + DLQ_RETENTION_SECONDS + REDRIVE_WINDOW_SECONDS) / 86_400,
    ),
  };
}
