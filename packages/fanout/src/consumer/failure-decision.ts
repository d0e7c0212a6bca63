import type { WorkerSettings } from "../core/registry.ts";

/** SQS refuses visibility timeouts above 12 hours. */
export const MAX_VISIBILITY_SECONDS = 43_200;

/**
 * What the consumer does with a record whose job failed. `deadLetter`: send it to the DLQ now (a permanent
 * failure, or the last receive the queue allows). `retryInSeconds`: when it becomes visible again, used for
 * every retry and also when a dead-letter send fails, so that the next receive tries that again soon.
 */
export interface FailureDecision {
  readonly deadLetter: boolean;
  readonly retryInSeconds: number;
}

export type RetrySettings = Pick<WorkerSettings, "maxReceiveCount" | "retryBackoff">;

/** Exponential backoff from the first retry: base × 2^(attempt − 1), at most the job's and SQS's maximum. */
export function retryDelaySeconds(attempt: number, backoff: WorkerSettings["retryBackoff"]): number {
  const delay = Math.round(backoff.baseSeconds * 2 ** (attempt - 1));
  return Math.min(backoff.maxSeconds, MAX_VISIBILITY_SECONDS, delay);
}

export function decideFailure(permanent: boolean, attempt: number, settings: RetrySettings): FailureDecision {
  return {
    deadLetter: permanent || attempt >= settings.maxReceiveCount,
    retryInSeconds: retryDelaySeconds(attempt, settings.retryBackoff),
  };
}
