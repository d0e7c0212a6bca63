import { JOB_TYPE_ATTRIBUTE } from "./claim-check.ts";
import { MAX_DELAY_SECONDS } from "./delay.ts";
import { type IdempotencyTable, idempotencyTable } from "./idempotency-table.ts";
import {
  CATCH_ALL,
  DELAYED,
  fifoTopicName,
  type Placement,
  payloadBucketName,
  queueNames,
  topicName,
  UNROUTED,
  type WorkerNames,
  workerNames,
} from "./naming.ts";
import {
  hasIdempotentJobs,
  isOrdered,
  type JobDefinition,
  type Registry,
  WORKER_DEFAULTS,
  type WorkerSettings,
} from "./registry.ts";

/** AWS's recommendation for SQS event sources: at least six times the function timeout, plus the batching window. */
export const VISIBILITY_TIMEOUT_FACTOR = 6;
/** SQS's longest retention: dead letters, undelivered and unrouted jobs wait this long for an operator. */
export const DLQ_RETENTION_SECONDS = 14 * 24 * 3600;
/** Time an operator has to redrive a dead letter after it leaves the DLQ's retention window. */
export const REDRIVE_WINDOW_SECONDS = 7 * 24 * 3600;
/**
 * A consumer that receives an offloaded job whose object is older than this copies the object onto itself,
 * which restarts the bucket's expiry clock (see `payloadExpirationDays`).
 */
export const PAYLOAD_REFRESH_AFTER_SECONDS = 24 * 3600;
/**
 * The catch-all reads every message and does almost nothing with most: large batches over a few seconds keep
 * its invocations to a handful per thousand jobs.
 */
const CATCH_ALL_SETTINGS: FunctionSettings = {
  timeoutSeconds: 30,
  memoryMb: 128,
  batchSize: 100,
  batchingWindowSeconds: 5,
  maxConcurrency: 5,
};
/** Queues read by code we do not know, and by operators; this is SQS's own default. */
const UNMANAGED_VISIBILITY_TIMEOUT_SECONDS = 30;

/** What every subscription of the topic has: a queue, its filter, and a queue for what SNS could not deliver. */
export interface SubscriptionTopology {
  /** The job type, the subscriber's name, or `unrouted`. */
  readonly consumer: string;
  readonly queueName: string;
  /** The subscription's dead-letter queue: SNS sends here what it cannot deliver to `queueName`. */
  readonly deliveryDlqName: string;
  /** The subscription's filter policy (JSON, on message attributes); null for the catch-all, which has none. */
  readonly filterPolicy: string | null;
  readonly visibilityTimeoutSeconds: number;
  readonly retentionSeconds: number;
}

/** A queue that is read (by a Fanout worker or by another consumer), with a DLQ for what fails there. */
export interface QueueTopology extends SubscriptionTopology {
  readonly kind: "worker" | "subscriber" | "catch-all";
  readonly dlqName: string;
  readonly dlqRetentionSeconds: number;
  readonly maxReceiveCount: number;
}

/** What a function that reads a queue is given: a job type's worker, or the catch-all's sorter. */
export type FunctionSettings = Pick<
  WorkerSettings,
  "timeoutSeconds" | "memoryMb" | "batchSize" | "batchingWindowSeconds" | "maxConcurrency"
>;

export interface WorkerTopology extends QueueTopology {
  readonly kind: "worker";
  readonly job: JobDefinition;
  readonly names: WorkerNames;
  /**
   * An ordered job type: its queue and DLQs are FIFO queues subscribed to the FIFO topic (`fifoTopicName`),
   * read with the message group throughput scope.
   */
  readonly fifo: boolean;
}

/**
 * A queue subscribed without a filter, and the small function that reads it: of every message, it keeps in the
 * unrouted queue those that carry no message attribute at all (which no filter policy can match, so SNS
 * delivered them nowhere else) and drops the rest, which their own filters delivered.
 */
export interface CatchAllTopology extends QueueTopology {
  readonly kind: "catch-all";
  readonly names: WorkerNames;
  readonly settings: FunctionSettings;
}

/**
 * The queue that keeps every job no worker is subscribed for: a type the deployed registry does not know
 * (a producer ahead of the stack, a typo) or a message without a `jobType` attribute. Nothing reads it, so it
 * has no redrive policy; operators redrive its jobs once their worker exists.
 */
export interface UnroutedTopology extends SubscriptionTopology {
  readonly kind: "unrouted";
}

/**
 * The queue where delayed jobs wait until they are due, and the relay function that reads it: it sends a job
 * that is not due yet back with the time that remains, and publishes one that is due to the topic, so the job
 * is routed like any other. Not subscribed to the topic.
 */
export interface DelayTopology {
  readonly consumer: typeof DELAYED;
  readonly queueName: string;
  readonly dlqName: string;
  readonly visibilityTimeoutSeconds: number;
  readonly retentionSeconds: number;
  readonly dlqRetentionSeconds: number;
  readonly maxReceiveCount: number;
  readonly names: WorkerNames;
  readonly settings: FunctionSettings;
}

/** The relay does little per message; no batching window, which would make every job later. */
const DELAY_RELAY_SETTINGS: FunctionSettings = {
  timeoutSeconds: 30,
  memoryMb: 128,
  batchSize: 10,
  batchingWindowSeconds: 0,
  maxConcurrency: 10,
};

export interface Topology {
  readonly app: string;
  readonly placement: Placement;
  readonly topicName: string;
  /** The FIFO topic of the ordered job types; null when the registry has none. */
  readonly fifoTopicName: string | null;
  readonly bucketName: string;
  readonly workers: readonly WorkerTopology[];
  readonly subscribers: readonly QueueTopology[];
  readonly unrouted: UnroutedTopology;
  /** Absent when the registry opts out (`keepMessagesWithoutAttributes: false`). */
  readonly catchAll: CatchAllTopology | null;
  /** Where delayed jobs wait until they are due. */
  readonly delayed: DelayTopology;
  /** Payload objects outlive every message that can still point at them. */
  readonly payloadExpirationDays: number;
  /** Where idempotent job types record the job ids that ran; null when no job type is idempotent. */
  readonly idempotencyTable: IdempotencyTable | null;
}

export function visibilityTimeoutFor(job: JobDefinition): number {
  return VISIBILITY_TIMEOUT_FACTOR * job.worker.timeoutSeconds + job.worker.batchingWindowSeconds;
}

/** Exactly these job types, on the `jobType` message attribute. */
export function typesFilterPolicy(jobTypes: readonly string[]): string {
  return JSON.stringify({ [JOB_TYPE_ATTRIBUTE]: [...jobTypes] });
}

/**
 * Every job, including types added after the deploy: a list of today's types would miss them and would break
 * SNS's limit of 150 filter values for a large registry.
 */
export const EVERY_JOB_FILTER_POLICY = JSON.stringify({ [JOB_TYPE_ATTRIBUTE]: [{ exists: true }] });

/**
 * Any type but the known ones, or no `jobType` at all. SNS matches `exists: false` only for a message with at
 * least one attribute: a message published with none matches no filter policy of any subscription.
 */
export function unroutedFilterPolicy(knownTypes: readonly string[]): string {
  const unknownType =
    knownTypes.length > 0 ? [{ "anything-but": [...knownTypes] }] : [{ exists: true as const }];
  return JSON.stringify({
    $or: [{ [JOB_TYPE_ATTRIBUTE]: unknownType }, { [JOB_TYPE_ATTRIBUTE]: [{ exists: false }] }],
  });
}

/** The queues with a DLQ of their own: workers, subscribers and the catch-all. */
export function readQueues(topology: Topology): readonly QueueTopology[] {
  return [...topology.workers, ...topology.subscribers, ...(topology.catchAll ? [topology.catchAll] : [])];
}

/** Every subscription of the topic, the unrouted queue's included. */
export function subscriptions(topology: Topology): readonly (QueueTopology | UnroutedTopology)[] {
  return [...readQueues(topology), topology.unrouted];
}

/**
 * How long a payload object must live. The longest path a pointer takes: its source queue's retention, then a
 * dead-letter queue's (the consumer's DLQ send starts a fresh clock), or the unrouted queue's and then its
 * worker's; after a redrive the next receive refreshes an object older than a day, which the last term covers.
 */
function payloadExpirationDays(workers: readonly QueueTopology[], subscribers: readonly QueueTopology[]) {
  const longest = (queues: readonly QueueTopology[]) => Math.max(0, ...queues.map((q) => q.retentionSeconds));
  const throughDeadLetters = longest([...workers, ...subscribers]) + DLQ_RETENTION_SECONDS;
  const throughUnrouted = DLQ_RETENTION_SECONDS + longest(workers);
  // A delayed job's pointer waits in the delay queue first.
  const seconds =
    MAX_DELAY_SECONDS +
    Math.max(throughDeadLetters, throughUnrouted) +
    REDRIVE_WINDOW_SECONDS +
    PAYLOAD_REFRESH_AFTER_SECONDS;
  return Math.ceil(seconds / 86_400);
}

/** Everything the local cloud provisions and the cdktf stack deploys, derived from the registry alone. */
export function describeTopology(registry: Registry, placement: Placement): Topology {
  const app = registry.app;
  const workers = registry.jobList.map((job): WorkerTopology => {
    const fifo = isOrdered(job);
    const names = workerNames(app, job.type, placement, fifo);
    return {
      consumer: job.type,
      kind: "worker",
      queueName: names.queue,
      dlqName: names.dlq,
      deliveryDlqName: names.deliveryDlq,
      filterPolicy: typesFilterPolicy([job.type]),
      visibilityTimeoutSeconds: visibilityTimeoutFor(job),
      retentionSeconds: job.worker.retentionSeconds,
      dlqRetentionSeconds: DLQ_RETENTION_SECONDS,
      maxReceiveCount: job.worker.maxReceiveCount,
      job,
      names,
      fifo,
    };
  });
  const subscribers = registry.subscribers.map((subscriber): QueueTopology => {
    const names = queueNames(app, subscriber.name);
    return {
      consumer: subscriber.name,
      kind: "subscriber",
      queueName: names.queue,
      dlqName: names.dlq,
      deliveryDlqName: names.deliveryDlq,
      filterPolicy:
        subscriber.jobTypes === "*" ? EVERY_JOB_FILTER_POLICY : typesFilterPolicy(subscriber.jobTypes),
      visibilityTimeoutSeconds: UNMANAGED_VISIBILITY_TIMEOUT_SECONDS,
      retentionSeconds: subscriber.retentionSeconds,
      dlqRetentionSeconds: DLQ_RETENTION_SECONDS,
      maxReceiveCount: subscriber.maxReceiveCount,
    };
  });
  const unroutedNames = queueNames(app, UNROUTED);
  const catchAllNames = workerNames(app, CATCH_ALL, placement);
  const delayedNames = workerNames(app, DELAYED, placement);
  return {
    app,
    placement,
    topicName: topicName(app),
    fifoTopicName: workers.some((w) => w.fifo) ? fifoTopicName(app) : null,
    bucketName: payloadBucketName(app, placement),
    workers,
    subscribers,
    unrouted: {
      consumer: UNROUTED,
      kind: "unrouted",
      queueName: unroutedNames.queue,
      deliveryDlqName: unroutedNames.deliveryDlq,
      // An ordered type's job on the standard topic (a foreign producer's) reaches no worker: it is kept here.
      filterPolicy: unroutedFilterPolicy(
        registry.jobList.filter((job) => !isOrdered(job)).map((job) => job.type),
      ),
      visibilityTimeoutSeconds: UNMANAGED_VISIBILITY_TIMEOUT_SECONDS,
      retentionSeconds: DLQ_RETENTION_SECONDS,
    },
    catchAll: registry.keepMessagesWithoutAttributes
      ? {
          consumer: CATCH_ALL,
          kind: "catch-all",
          queueName: catchAllNames.queue,
          dlqName: catchAllNames.dlq,
          deliveryDlqName: catchAllNames.deliveryDlq,
          filterPolicy: null,
          visibilityTimeoutSeconds:
            VISIBILITY_TIMEOUT_FACTOR * CATCH_ALL_SETTINGS.timeoutSeconds +
            CATCH_ALL_SETTINGS.batchingWindowSeconds,
          retentionSeconds: WORKER_DEFAULTS.retentionSeconds,
          dlqRetentionSeconds: DLQ_RETENTION_SECONDS,
          maxReceiveCount: WORKER_DEFAULTS.maxReceiveCount,
          names: catchAllNames,
          settings: CATCH_ALL_SETTINGS,
        }
      : null,
    delayed: {
      consumer: DELAYED,
      queueName: delayedNames.queue,
      dlqName: delayedNames.dlq,
      visibilityTimeoutSeconds:
        VISIBILITY_TIMEOUT_FACTOR * DELAY_RELAY_SETTINGS.timeoutSeconds +
        DELAY_RELAY_SETTINGS.batchingWindowSeconds,
      retentionSeconds: WORKER_DEFAULTS.retentionSeconds,
      dlqRetentionSeconds: DLQ_RETENTION_SECONDS,
      maxReceiveCount: WORKER_DEFAULTS.maxReceiveCount,
      names: delayedNames,
      settings: DELAY_RELAY_SETTINGS,
    },
    payloadExpirationDays: payloadExpirationDays(workers, subscribers),
    idempotencyTable: hasIdempotentJobs(registry) ? idempotencyTable(app) : null,
  };
}
