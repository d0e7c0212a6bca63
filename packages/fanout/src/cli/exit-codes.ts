import {
  ConfigurationError,
  errorName,
  InputError,
  JobValidationError,
  NotFoundError,
  PartialFailureError,
  RegistryError,
  UnknownJobTypeError,
  UsageError,
} from "../core/errors.ts";
import { missingPackage } from "./missing-package.ts";

/** sysexits(3) codes, so scripts can tell a bad invocation from bad data from an unreachable service. */
export const EXIT = {
  ok: 0,
  failure: 1,
  usage: 64,
  dataError: 65,
  unavailable: 69,
  /** No usable fanout.config.ts, a setting missing, or a package the command needs not installed (EX_CONFIG). */
  config: 78,
} as const;

const NETWORK_ERRORS = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ECONNRESET",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
]);

export function isUnreachable(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; current && depth < 5; depth++) {
    const code = (current as { code?: string }).code;
    if (code && NETWORK_ERRORS.has(code)) return true;
    // The SDK's HTTP handler names a connection that never opened this way.
    if (errorName(current) === "TimeoutError") return true;
    const errors = (current as { errors?: unknown[] }).errors;
    if (Array.isArray(errors) && errors.some(isUnreachable)) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

/** An HTTP answer that carries no AWS error at all: whatever answered is not the service. */
export function isForeignAnswer(error: unknown): boolean {
  return (
    (error as { message?: string }).message === "UnknownError" &&
    (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode !== undefined
  );
}

export function exitCodeFor(error: unknown): number {
  if (error instanceof PartialFailureError) return error.exitCode;
  if (error instanceof UsageError || error instanceof UnknownJobTypeError || error instanceof RegistryError)
    return EXIT.usage;
  if (error instanceof InputError || error instanceof JobValidationError) return EXIT.dataError;
  if (error instanceof ConfigurationError || missingPackage(error)) return EXIT.config;
  if (error instanceof NotFoundError || isUnreachable(error) || isForeignAnswer(error))
    return EXIT.unavailable;
  return EXIT.failure;
}
