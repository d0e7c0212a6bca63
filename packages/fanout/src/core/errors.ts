/**
 * Every error Fanout raises. `permanent` tells the consumer whether a retry can help: a permanent
 * failure goes straight to the dead-letter queue with its reason, a transient one is retried.
 */
export abstract class FanoutError extends Error {
  abstract readonly code: string;
  abstract readonly permanent: boolean;

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The registry declares something AWS or Fanout cannot accept. Fix the declaration. */
export class RegistryError extends FanoutError {
  readonly code = "RegistryError";
  readonly permanent = true;
}

/** Required settings are missing or wrong (environment variables, client options). */
export class ConfigurationError extends FanoutError {
  readonly code = "ConfigurationError";
  readonly permanent = true;
}

export interface ValidationIssue {
  readonly path: string;
  readonly message: string;
}

/** A payload does not match its job type's schema. */
export class JobValidationError extends FanoutError {
  readonly code = "JobValidationError";
  readonly permanent = true;

  readonly jobType: string;
  readonly issues: readonly ValidationIssue[];

  constructor(jobType: string, issues: readonly ValidationIssue[]) {
    const detail = issues.map((i) => `${i.path || "(payload)"}: ${i.message}`).join("; ");
    super(
      `Payload for job type "${jobType}" is invalid: ${detail}. Fix the payload to match the job's schema.`,
    );
    this.jobType = jobType;
    this.issues = issues;
  }
}

/** The job type is not in the registry this process was built with. */
export class UnknownJobTypeError extends FanoutError {
  readonly code = "UnknownJobTypeError";
  readonly permanent = true;

  readonly jobType: string;

  constructor(jobType: string, known: readonly string[]) {
    super(
      `Unknown job type "${jobType}". Known types: ${known.join(", ") || "(none)"}. Add it to the registry first.`,
    );
    this.jobType = jobType;
  }
}

/** The message is not a Fanout job: bad JSON, an unknown envelope version, a type that disagrees with its attribute. */
export class MalformedMessageError extends FanoutError {
  readonly code = "MalformedMessageError";
  readonly permanent = true;
}

/** A claim-check pointer names another bucket, an unsafe key or an oversized object. */
export class HostilePointerError extends FanoutError {
  readonly code = "HostilePointerError";
  readonly permanent = true;
}

/** The object a pointer names does not exist (deleted, or expired by the bucket's lifecycle). */
export class PayloadMissingError extends FanoutError {
  readonly code = "PayloadMissingError";
  readonly permanent = true;
}

/** The object a pointer names is not the one that was published (its SHA-256 or size differs). */
export class IntegrityError extends FanoutError {
  readonly code = "IntegrityError";
  readonly permanent = true;
}

/** Thrown by a job's function when retrying cannot help; the job goes to its DLQ at once. */
export class PermanentJobError extends FanoutError {
  readonly code = "PermanentJobError";
  readonly permanent = true;
}

/** A publish that did not reach SNS after all retries. Nothing was sent for this job. */
export class PublishError extends FanoutError {
  readonly code = "PublishError";
  readonly permanent = false;
}

export function isPermanent(error: unknown): boolean {
  return error instanceof FanoutError && error.permanent;
}

export function errorCode(error: unknown): string {
  if (error instanceof FanoutError) return error.code;
  if (error instanceof Error) return error.name || "Error";
  return "Error";
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
