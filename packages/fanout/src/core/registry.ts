import type { z } from "zod";
import {
  type FanoutErrorOptions,
  InvalidIdempotencyError,
  JobValidationError,
  RegistryError,
  UnknownJobTypeError,
} from "./errors.ts";
import { CATCH_ALL, DELAYED, PAYLOAD_KEY_PREFIX, UNROUTED } from "./naming.ts";
import { defineSchedules, type ScheduleDeclaration, type ScheduleDefinition } from "./schedule.ts";

/**
 * How the consumer of one job type runs. Every field has a default (see `WORKER_DEFAULTS`),
 * so a job type declares only what it changes.
 */
export interface WorkerSettings {
  /** Lambda function timeout. The queue's visibility timeout is derived from it (6 ×). Default 30. */
  readonly timeoutSeconds: number;
  /** Lambda memory; the local runner caps the worker's heap at the same size. Default 256. */
  readonly memoryMb: number;
  /** Records per invocation (1 to 10,000; above 10 needs a batching window). Default 10. */
  readonly batchSize: number;
  /** How long the event source waits to fill a batch. Default 0. */
  readonly batchingWindowSeconds: number;
  /** Upper bound on concurrent invocations for this job type (2 to 1,000). Default 10. */
  readonly maxConcurrency: number;
  /** Receives before a message is dead-lettered. Default 5. */
  readonly maxReceiveCount: number;
  /** Source queue retention. Default 4 days; the DLQ always keeps 14 days. */
  readonly retentionSeconds: number;
  /** Delay before a failed job is retried: base × 2^(attempt-1), capped. Defaults 10 s and 300 s. */
  readonly retryBackoff: { readonly baseSeconds: number; readonly maxSeconds: number };
  /** Job types this consumer publishes as follow-ups (grants `sns:Publish` on the topic). Default none. */
  readonly publishes: readonly string[];
  /**
   * Where producers using AWS's extended client libraries store this type's payloads, when they are not
   * Fanout producers: an S3 key prefix in the payload bucket that the worker may also read (`""` for the
   * libraries' default of keys at the bucket's root, which grants the whole bucket). Default none: the
   * worker reads only `payloads/<type>/`.
   */
  readonly foreignPayloadPrefix: string | null;
}

export const WORKER_DEFAULTS: WorkerSettings = {
  timeoutSeconds: 30,
  memoryMb: 256,
  batchSize: 10,
  batchingWindowSeconds: 0,
  maxConcurrency: 10,
  maxReceiveCount: 5,
  retentionSeconds: 4 * 24 * 3600,
  retryBackoff: { baseSeconds: 10, maxSeconds: 300 },
  publishes: [],
  foreignPayloadPrefix: null,
};

/** AWS allows 15 minutes for a function, 14 days of retention, 10 GB of memory. */
const LIMITS = {
  timeoutSeconds: [1, 900],
  memoryMb: [128, 10_240],
  batchSize: [1, 10_000],
  batchingWindowSeconds: [0, 300],
  maxConcurrency: [2, 1_000],
  maxReceiveCount: [1, 1_000],
  retentionSeconds: [60, 1_209_600],
} as const satisfies Record<string, readonly [number, number]>;

/**
 * A job type whose function runs at most once per job id: a job id the function completed within `ttlSeconds`
 * is acknowledged without running it again (see docs/idempotency.md).
 */
export interface IdempotencySettings {
  /** How long a completed job's id is remembered, from its completion: 60 s to 365 days. */
  readonly ttlSeconds: number;
}

/** DynamoDB's TTL has no upper bound; a year keeps a mistyped value (milliseconds, say) from passing. */
export const IDEMPOTENCY_TTL_LIMITS = [60, 365 * 24 * 3600] as const;

/**
 * How the jobs of an ordered type are grouped: a field of the payload (the schema's output), or a function of
 * it. Jobs of one group run one at a time, in the order they were published; groups run side by side.
 */
export interface OrderingDeclaration<P> {
  readonly groupBy: (keyof P & string) | ((payload: P) => string);
}

/** An ordered (FIFO) job type's grouping, as the publisher applies it (see docs/ordering.md). */
export interface OrderingSettings {
  /** The payload field, or `function` when `groupBy` was a function. */
  readonly groupBy: string;
  /** The group of a parsed payload; the publisher checks it is an id SNS FIFO accepts. */
  readonly groupOf: (payload: unknown) => unknown;
}

export interface JobDefinition<T extends string = string, S extends z.ZodType = z.ZodType> {
  readonly type: T;
  readonly schema: S;
  readonly description: string;
  readonly worker: WorkerSettings;
  /** Absent for a job type whose function may run once per delivery (the default). */
  readonly idempotency?: IdempotencySettings | undefined;
  /** Present for an ordered type, which is published through the FIFO topic to a FIFO queue. */
  readonly ordering?: OrderingSettings | undefined;
}

export interface JobDeclaration<T extends string, S extends z.ZodType> {
  readonly type: T;
  readonly schema: S;
  readonly description: string;
  readonly worker?: Partial<WorkerSettings>;
  /** Opt in to running the function at most once per job id (see `IdempotencySettings`). */
  readonly idempotency?: IdempotencySettings;
  /** Run the jobs of one group in publish order, one at a time (see `OrderingDeclaration`). */
  readonly ordering?: OrderingDeclaration<z.output<S>>;
}

/** A queue that receives several or all job types but is not a Fanout handler (an audit log, say). */
export interface SubscriberDefinition {
  readonly name: string;
  /** The job types it receives, or `"*"` for every type. */
  readonly jobTypes: readonly string[] | "*";
  readonly maxReceiveCount: number;
  readonly retentionSeconds: number;
  readonly description: string;
}

export interface Registry<J extends JobDefinition = JobDefinition> {
  readonly app: string;
  readonly jobs: { readonly [K in J["type"]]: Extract<J, { type: K }> };
  readonly jobList: readonly J[];
  readonly subscribers: readonly SubscriberDefinition[];
  /** Whether the catch-all keeps messages published without any attribute (see `RegistryDeclaration`). */
  readonly keepMessagesWithoutAttributes: boolean;
  /** Whether the topic and the functions trace with X-Ray (see `RegistryDeclaration`). */
  readonly tracing: boolean;
  /** Jobs published on a schedule (see `RegistryDeclaration`). */
  readonly schedules: readonly ScheduleDefinition[];
}

export type JobTypeOf<R extends Registry> = R["jobList"][number]["type"];
export type JobOf<R extends Registry, T extends JobTypeOf<R>> = R["jobs"][T];
/** What a producer passes: the schema's input, before defaults and transforms. */
export type PayloadInput<R extends Registry, T extends JobTypeOf<R>> = z.input<JobOf<R, T>["schema"]>;
/** What a handler receives: the schema's output. */
export type PayloadOutput<J extends JobDefinition> = z.output<J["schema"]>;

const NAME_PATTERN = /^[a-z][a-z0-9-]*[a-z0-9]$/;
/**
 * `<app>-<type>` names the function and its role (Lambda and IAM allow 64 characters),
 * `<app>-<type>-dlq` the dead-letter queue (SQS allows 80), `<app>-payloads` the bucket (S3 allows 63).
 */
export const MAX_TYPE_LENGTH = 40;
export const MAX_APP_LENGTH = 20;
/**
 * The unrouted queue's filter names every type once, and SNS allows 150 values in a filter policy; the
 * other value is its `exists: false` branch.
 */
export const MAX_JOB_TYPES = 149;
/** Names the topology uses for queues of its own. */
const RESERVED_NAMES = new Set([UNROUTED, CATCH_ALL, DELAYED]);

export function assertValidName(kind: string, name: string, maxLength = MAX_TYPE_LENGTH): void {
  if (!NAME_PATTERN.test(name) || name.length > maxLength || name.includes("--")) {
    throw new RegistryError(
      `${kind} "${name}" is not a valid name: use 2 to ${maxLength} lowercase letters, digits and single hyphens, starting with a letter (it becomes part of SNS, SQS, S3 and Lambda names).`,
    );
  }
}

function checkWorker(type: string, worker: WorkerSettings): void {
  for (const [field, [min, max]] of Object.entries(LIMITS)) {
    const value = worker[field as keyof typeof LIMITS];
    if (!Number.isInteger(value) || value < min || value > max) {
      throw new RegistryError(
        `Job type "${type}": worker.${field} is ${value}; use a whole number from ${min} to ${max}.`,
      );
    }
  }
  if (worker.batchSize > 10 && worker.batchingWindowSeconds < 1) {
    throw new RegistryError(
      `Job type "${type}": a batchSize above 10 needs batchingWindowSeconds of at least 1 (an SQS event source rule).`,
    );
  }
  if (worker.retryBackoff.baseSeconds < 0 || worker.retryBackoff.maxSeconds > 43_200) {
    throw new RegistryError(
      `Job type "${type}": retryBackoff must lie between 0 and 43,200 seconds (12 hours).`,
    );
  }
  const foreign = worker.foreignPayloadPrefix;
  if (
    foreign !== null &&
    (foreign.startsWith(PAYLOAD_KEY_PREFIX) || foreign.startsWith("/") || foreign.includes(".."))
  ) {
    throw new RegistryError(
      `Job type "${type}": worker.foreignPayloadPrefix "${foreign}" must be a plain S3 key prefix outside ${PAYLOAD_KEY_PREFIX}, which Fanout's own producers use.`,
    );
  }
}

export function defineJob<const T extends string, S extends z.ZodType>(
  declaration: JobDeclaration<T, S>,
): JobDefinition<T, S> {
  assertValidName("Job type", declaration.type);
  const worker: WorkerSettings = { ...WORKER_DEFAULTS, ...declaration.worker };
  checkWorker(declaration.type, worker);
  if (declaration.idempotency) checkIdempotency(declaration.type, declaration.idempotency);
  const ordering = declaration.ordering
    ? orderingOf(declaration.type, declaration.ordering, worker)
    : undefined;
  return {
    type: declaration.type,
    schema: declaration.schema,
    description: declaration.description,
    worker,
    ...(declaration.idempotency ? { idempotency: { ttlSeconds: declaration.idempotency.ttlSeconds } } : {}),
    ...(ordering ? { ordering } : {}),
  };
}

/** Lambda reads a FIFO queue in batches of at most 10 and without a batching window. */
export const FIFO_MAX_BATCH_SIZE = 10;

function orderingOf<P>(
  type: string,
  declaration: OrderingDeclaration<P>,
  worker: WorkerSettings,
): OrderingSettings {
  if (worker.batchSize > FIFO_MAX_BATCH_SIZE || worker.batchingWindowSeconds !== 0) {
    throw new RegistryError(
      `Job type "${type}" is ordered: its worker.batchSize must be at most ${FIFO_MAX_BATCH_SIZE} and worker.batchingWindowSeconds 0 (Lambda's limits for FIFO queues); it has ${worker.batchSize} and ${worker.batchingWindowSeconds}.`,
    );
  }
  const groupBy = declaration.groupBy;
  if (typeof groupBy === "function") {
    return { groupBy: "function", groupOf: (payload) => groupBy(payload as P) };
  }
  if (typeof groupBy !== "string" || groupBy.length === 0) {
    throw new RegistryError(
      `Job type "${type}": ordering.groupBy must name a payload field or be a function of the payload.`,
    );
  }
  return {
    groupBy,
    // A numeric id (an order number) groups as its text.
    groupOf: (payload) => {
      const value = (payload as Record<string, unknown> | null)?.[groupBy];
      return typeof value === "number" && Number.isFinite(value) ? String(value) : value;
    },
  };
}

/** Whether a job type is ordered: published through the FIFO topic to a FIFO queue. */
export function isOrdered(job: JobDefinition): boolean {
  return job.ordering !== undefined;
}

function checkIdempotency(type: string, idempotency: IdempotencySettings): void {
  const [min, max] = IDEMPOTENCY_TTL_LIMITS;
  const ttl = idempotency.ttlSeconds;
  if (!Number.isInteger(ttl) || ttl < min || ttl > max) {
    throw new InvalidIdempotencyError(
      type,
      ttl,
      `use a whole number of seconds from ${min} to ${max} (365 days). A duplicate that arrives later runs the function again, so cover the queue's retention if redrives must not repeat a job.`,
    );
  }
}

/** Whether any job type of the registry runs at most once per job id (the app then has an idempotency table). */
export function hasIdempotentJobs(registry: Registry): boolean {
  return registry.jobList.some((job) => job.idempotency !== undefined);
}

export interface RegistryDeclaration<J extends JobDefinition> {
  /**
   * Prefix of every resource name; one per stage (`shop-dev`, `shop-prod`) when stages share an account and
   * region. Account and region are added where AWS needs names unique beyond them (the bucket, IAM names).
   */
  readonly app: string;
  readonly jobs: readonly J[];
  readonly subscribers?: readonly (Omit<SubscriberDefinition, "maxReceiveCount" | "retentionSeconds"> &
    Partial<Pick<SubscriberDefinition, "maxReceiveCount" | "retentionSeconds">>)[];
  /**
   * A message published with no attribute at all (a producer that cannot set them, such as
   * sns-sqs-big-payload) matches no filter policy, so SNS delivers it to no worker and not to the unrouted
   * queue either. Default true: a catch-all subscription without a filter, read by a small sorting function,
   * keeps such messages in the unrouted queue. An app whose producers all set `jobType` may turn it off.
   */
  readonly keepMessagesWithoutAttributes?: boolean;
  /**
   * X-Ray tracing. Default false. With true the topic traces actively (a producer's trace continues through SNS
   * and SQS into the function), each function traces actively, and each job is a subsegment annotated with
   * its type, id, correlation id and attempt. X-Ray is billed per trace recorded.
   */
  readonly tracing?: boolean;
  /**
   * Jobs published on a schedule: on AWS by EventBridge Scheduler, locally by the local cloud. Each payload is
   * checked against its job's schema here, so a wrong one fails when the stack is synthesized.
   */
  readonly schedules?: readonly NoInfer<ScheduleOf<J>>[];
}

/** A schedule of one of the registry's job types, its payload typed by that job's schema. */
export type ScheduleOf<J extends JobDefinition> = {
  [T in J["type"]]: ScheduleDeclaration<T, z.input<Extract<J, { type: T }>["schema"]>>;
}[J["type"]];

export function defineRegistry<const J extends JobDefinition>(
  declaration: RegistryDeclaration<J>,
): Registry<J> {
  assertValidName("App name", declaration.app, MAX_APP_LENGTH);
  if (declaration.jobs.length > MAX_JOB_TYPES) {
    throw new RegistryError(
      `The registry declares ${declaration.jobs.length} job types; SNS filter policies allow at most ${MAX_JOB_TYPES}. Split the app into two registries.`,
    );
  }
  for (const name of [
    ...declaration.jobs.map((j) => j.type),
    ...(declaration.subscribers ?? []).map((s) => s.name),
  ]) {
    if (RESERVED_NAMES.has(name)) {
      throw new RegistryError(`"${name}" names a queue Fanout creates itself; choose another name.`);
    }
  }
  const jobs: Record<string, J> = {};
  for (const job of declaration.jobs) {
    if (jobs[job.type])
      throw new RegistryError(`Job type "${job.type}" is declared twice; keep one declaration.`);
    jobs[job.type] = job;
  }
  for (const job of declaration.jobs) {
    for (const followUp of job.worker.publishes) {
      if (!jobs[followUp]) {
        throw new RegistryError(
          `Job type "${job.type}" publishes "${followUp}", which is not in the registry.`,
        );
      }
    }
  }
  const subscribers = (declaration.subscribers ?? []).map((s): SubscriberDefinition => {
    assertValidName("Subscriber", s.name);
    if (jobs[s.name])
      throw new RegistryError(`Subscriber "${s.name}" has the name of a job type; rename one.`);
    if (s.jobTypes !== "*") {
      if (s.jobTypes.length === 0) throw new RegistryError(`Subscriber "${s.name}" receives no job type.`);
      for (const t of s.jobTypes) {
        if (!jobs[t])
          throw new RegistryError(`Subscriber "${s.name}" lists "${t}", which is not a job type.`);
        if (isOrdered(jobs[t]))
          throw new RegistryError(
            `Subscriber "${s.name}" lists "${t}", an ordered type: subscribers receive from the standard topic, and ordered jobs go through the FIFO topic. Remove it from the list.`,
          );
      }
    }
    return {
      maxReceiveCount: WORKER_DEFAULTS.maxReceiveCount,
      retentionSeconds: WORKER_DEFAULTS.retentionSeconds,
      ...s,
    };
  });
  for (const schedule of declaration.schedules ?? []) {
    const scheduled = jobs[schedule.jobType];
    if (scheduled && isOrdered(scheduled)) {
      throw new RegistryError(
        `Schedule "${schedule.name}" publishes "${schedule.jobType}", an ordered type; schedules publish to the standard topic. Schedule a standard job type that publishes it as a follow-up.`,
      );
    }
  }
  return {
    app: declaration.app,
    jobs: jobs as Registry<J>["jobs"],
    jobList: declaration.jobs,
    subscribers,
    keepMessagesWithoutAttributes: declaration.keepMessagesWithoutAttributes ?? true,
    tracing: declaration.tracing ?? false,
    schedules: defineSchedules(declaration.app, jobs, declaration.schedules ?? []),
  };
}

export function findJob<R extends Registry>(registry: R, type: string): R["jobList"][number] | undefined {
  return Object.hasOwn(registry.jobs, type)
    ? (registry.jobs as Record<string, R["jobList"][number]>)[type]
    : undefined;
}

/** The registry's definition of `type`, or an `UnknownJobTypeError` that names the types it knows. */
export function requireJob<R extends Registry>(registry: R, type: string): R["jobList"][number] {
  const job = findJob(registry, type);
  if (!job)
    throw new UnknownJobTypeError(
      type,
      registry.jobList.map((j) => j.type),
    );
  return job;
}

/**
 * The payload as its job's schema parses it, or a `JobValidationError` with every issue: the one check a
 * payload passes, in the publisher before it is sent and in the consumer before the job runs.
 */
export function parsePayload(
  job: JobDefinition,
  payload: unknown,
  context: FanoutErrorOptions = {},
): unknown {
  const parsed = job.schema.safeParse(payload);
  if (parsed.success) return parsed.data;
  throw new JobValidationError(
    job.type,
    parsed.error.issues.map((issue) => ({ path: issue.path.join("."), message: issue.message })),
    context,
  );
}
