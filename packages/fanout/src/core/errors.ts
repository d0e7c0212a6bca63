/** What an error knows about where it happened, for logs and for callers that handle it. */
export interface FanoutErrorOptions extends ErrorOptions {
  readonly jobType?: string | undefined;
  readonly jobId?: string | undefined;
  readonly queueUrl?: string | undefined;
}

/**
 * Every error Fanout raises: its `name` is its class, its message says what to do, and `permanent` tells the
 * consumer whether a retry can help (a permanent failure goes straight to the DLQ with its reason).
 */
export abstract class FanoutError extends Error {
  abstract readonly permanent: boolean;
  readonly jobType: string | undefined;
  readonly jobId: string | undefined;
  readonly queueUrl: string | undefined;

  constructor(message: string, options: FanoutErrorOptions = {}) {
    super(message, "cause" in options ? { cause: options.cause } : undefined);
    this.name = new.target.name;
    this.jobType = options.jobType;
    this.jobId = options.jobId;
    this.queueUrl = options.queueUrl;
  }
}

// The registry and the configuration.

/** The registry declares something AWS or Fanout cannot accept. Fix the declaration. */
export class RegistryError extends FanoutError {
  readonly permanent = true;
}

/** A schedule of the registry that EventBridge Scheduler or its job type would refuse. Fix the schedule. */
export class InvalidScheduleError extends RegistryError {
  readonly schedule: string;

  constructor(schedule: string, reason: string, options: FanoutErrorOptions = {}) {
    super(`Schedule "${schedule}": ${reason}.`, options);
    this.schedule = schedule;
  }
}

/** Required settings are missing or wrong (the config file, environment variables, client options). */
export class ConfigurationError extends FanoutError {
  readonly permanent = true;
}

// Jobs: what the publisher and the consumer refuse.

export interface ValidationIssue {
  readonly path: string;
  readonly message: string;
}

/** `path: message; path: message`, with `(payload)` for an issue of the whole payload. */
export function describeIssues(issues: readonly ValidationIssue[]): string {
  return issues.map((i) => `${i.path || "(payload)"}: ${i.message}`).join("; ");
}

/** A payload does not match its job type's schema. */
export class JobValidationError extends FanoutError {
  readonly permanent = true;
  declare readonly jobType: string;
  readonly issues: readonly ValidationIssue[];

  constructor(jobType: string, issues: readonly ValidationIssue[], options: FanoutErrorOptions = {}) {
    super(
      `Payload for job type "${jobType}" is invalid: ${describeIssues(issues)}. Fix the payload to match the job's schema.`,
      { ...options, jobType },
    );
    this.issues = issues;
  }
}

/** The job type is not in the registry this process was built with. */
export class UnknownJobTypeError extends FanoutError {
  readonly permanent = true;
  declare readonly jobType: string;

  constructor(jobType: string, known: readonly string[], options: FanoutErrorOptions = {}) {
    super(
      `Unknown job type "${jobType}". Known types: ${known.join(", ") || "(none)"}. Add it to the registry first.`,
      { ...options, jobType },
    );
  }
}

/** A job reached the queue of another job type: the routing (a filter policy, a manual send) is wrong. */
export class WrongQueueError extends FanoutError {
  readonly permanent = true;
  declare readonly jobType: string;
  /** The job type whose queue it reached. */
  readonly queueJobType: string;

  constructor(jobType: string, queueJobType: string, options: FanoutErrorOptions = {}) {
    super(
      `A "${jobType}" job reached the queue of "${queueJobType}", whose worker does not run it: something routed it here (a subscription filter policy, or a send straight to the queue). Fix the routing, then publish the job again from this DLQ's copy.`,
      { ...options, jobType },
    );
    this.queueJobType = queueJobType;
  }
}

/** A job's function published a follow-up type its worker settings do not list (IAM refuses it on AWS). */
export class UndeclaredFollowUpError extends FanoutError {
  readonly permanent = true;
  readonly followUpType: string;

  constructor(jobType: string, followUpType: string, options: FanoutErrorOptions = {}) {
    super(
      `Job type "${jobType}" published a "${followUpType}" follow-up, which its worker settings do not list: add "${followUpType}" to worker.publishes of "${jobType}" (the deployed function may only publish the types listed there).`,
      { ...options, jobType },
    );
    this.followUpType = followUpType;
  }
}

/** The message is not a Fanout job: bad JSON, an unknown envelope version, a type that disagrees with its attribute. */
export class MalformedMessageError extends FanoutError {
  readonly permanent = true;
}

/** A claim-check pointer names another bucket, an unsafe key or an oversized object. */
export class HostilePointerError extends FanoutError {
  readonly permanent = true;
}

/** The object a pointer names does not exist (deleted, or expired by the bucket's lifecycle). */
export class PayloadMissingError extends FanoutError {
  readonly permanent = true;
}

/** The object a pointer names is not the one that was published (its SHA-256 or size differs). */
export class IntegrityError extends FanoutError {
  readonly permanent = true;
}

/** Thrown by a job's function when retrying cannot help; the job goes to its DLQ at once. */
export class PermanentJobError extends FanoutError {
  readonly permanent = true;
}

/** A job type's `idempotency` settings that Fanout cannot use. Fix the declaration. */
export class InvalidIdempotencyError extends RegistryError {
  readonly ttlSeconds: number;

  constructor(jobType: string, ttlSeconds: number, reason: string) {
    super(`Job type "${jobType}": idempotency.ttlSeconds is ${ttlSeconds}; ${reason}`, { jobType });
    this.ttlSeconds = ttlSeconds;
  }
}

/**
 * The job of an idempotent type is being run by another invocation right now (a duplicate delivered at the
 * same time). Its record goes back to the queue and comes back when that run has finished or its claim expired.
 */
export class JobInProgressError extends FanoutError {
  readonly permanent = false;
}

/**
 * The group id (or the job id, which is the deduplication id) of a job of an ordered type is not one SNS FIFO
 * accepts: 1 to 128 characters, letters, digits and ASCII punctuation. Nothing was sent for this job.
 */
export class InvalidGroupIdError extends FanoutError {
  readonly permanent = true;
  declare readonly jobType: string;
  /** Which id SNS would refuse: the message group id from `groupBy`, or the job id. */
  readonly field: "groupId" | "jobId";

  constructor(jobType: string, field: "groupId" | "jobId", value: unknown, options: FanoutErrorOptions = {}) {
    const shown =
      typeof value === "string"
        ? JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)
        : String(value);
    const what =
      field === "groupId" ? `ordering.groupBy gave ${shown}` : `the job id ${shown} (its deduplication id)`;
    super(
      `Job type "${jobType}" is ordered, and ${what} is not a valid SNS FIFO id: use 1 to 128 characters, letters, digits and ASCII punctuation without spaces. ${field === "groupId" ? "Fix the payload field or the groupBy function." : "Pass another jobId."}`,
      { ...options, jobType },
    );
    this.field = field;
  }
}

/** A publish that did not reach SNS after all retries. Nothing was sent for this job. */
export class PublishError extends FanoutError {
  readonly permanent = false;
}

// Operations on queues: redrives and dead letters.

/** The dead letter was not found: already redriven, expired, or held invisible by another reader. */
export class DeadLetterNotFoundError extends FanoutError {
  readonly permanent = true;
}

/** A dead letter's corrected payload that no longer fits in one SQS message; the dead letter stays. */
export class EditedJobTooLargeError extends FanoutError {
  readonly permanent = true;
}

/** A redrive that stopped part-way; what was moved stays moved, the rest stays in the DLQ. */
export class RedriveError extends FanoutError {
  readonly permanent = false;
}

// The command line.

/** A mistake in the command line itself. */
export class UsageError extends FanoutError {
  readonly permanent = true;
}

/** Input a command read is not valid (bad JSON, for example). */
export class InputError extends FanoutError {
  readonly permanent = true;
}

/** A queue or other resource a command needs is not there (stack not deployed, local cloud not started). */
export class NotFoundError extends FanoutError {
  readonly permanent = true;
}

/** The command ran but part of its work failed (some jobs not sent, some dead letters not moved). */
export class PartialFailureError extends FanoutError {
  readonly permanent = false;
  /** The process exit code that reports it. */
  readonly exitCode: number;

  constructor(message: string, exitCode: number, options: FanoutErrorOptions = {}) {
    super(message, options);
    this.exitCode = exitCode;
  }
}

// The dashboard.

/** A request the dashboard refuses, with the HTTP status and a message that says what to do instead. */
export class HttpError extends FanoutError {
  readonly permanent = true;
  readonly status: number;

  constructor(status: number, message: string, options: FanoutErrorOptions = {}) {
    super(message, options);
    this.status = status;
  }
}

/** The dashboard could not start (its port taken, say). */
export class DashboardError extends FanoutError {
  readonly permanent = true;
}

export function isPermanent(error: unknown): boolean {
  return error instanceof FanoutError && error.permanent;
}

/** The error's class name, as logs and dead-letter attributes report it. */
export function errorCode(error: unknown): string {
  return error instanceof Error ? error.name || "Error" : "Error";
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The `name` an AWS SDK error (or any error-like value) carries, without trusting its shape. */
export function errorName(error: unknown): string | undefined {
  const name = (error as { name?: unknown } | null | undefined)?.name;
  return typeof name === "string" ? name : undefined;
}
