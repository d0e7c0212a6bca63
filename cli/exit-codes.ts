import { FanoutError, JobValidationError, UnknownJobTypeError } from "../shared/errors.ts";

/** sysexits(3) codes, so scripts can tell a bad invocation from bad data from an unreachable service. */
export const EXIT = {
  ok: 0,
  failure: 1,
  usage: 64,
  dataError: 65,
  unavailable: 69,
} as const;

/** Thrown by commands for mistakes in the command line itself. */
export class UsageError extends FanoutError {
  readonly code = "UsageError";
  readonly permanent = true;
}

/** Thrown by commands when the input they read is not valid (bad JSON, for example). */
export class InputError extends FanoutError {
  readonly code = "InputError";
  readonly permanent = true;
}

const NETWORK_ERRORS = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ECONNRESET",
  "ETIMEDOUT",
  "EHOSTUNREACH",
]);

export function isUnreachable(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; current && depth < 5; depth++) {
    const code = (current as { code?: string }).code;
    if (code && NETWORK_ERRORS.has(code)) return true;
    const errors = (current as { errors?: unknown[] }).errors;
    if (Array.isArray(errors) && errors.some(isUnreachable)) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

export function exitCodeFor(error: unknown): number {
  if (error instanceof UsageError || error instanceof UnknownJobTypeError) return EXIT.usage;
  if (error instanceof InputError || error instanceof JobValidationError) return EXIT.dataError;
  if (isUnreachable(error)) return EXIT.unavailable;
  return EXIT.failure;
}
