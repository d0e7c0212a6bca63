import { channel, subscribe, unsubscribe } from "node:diagnostics_channel";

export type OutcomeKind = "processed" | "failed" | "dead-lettered";

/** What became of one SQS record in one invocation: the one shape every log line, runner and page reads. */
export interface JobOutcome {
  readonly kind: OutcomeKind;
  readonly jobType: string;
  /** Null when the record could not be read far enough to find its job's id. */
  readonly jobId: string | null;
  /** The id the job shares with the jobs it caused and was caused by (known once the record was decoded). */
  readonly correlationId?: string;
  readonly messageId: string;
  /** The record's receive count: 1 on the first delivery. */
  readonly attempt: number;
  readonly durationMs: number;
  /** Whether the payload came from S3 through a pointer (known once the record was decoded). */
  readonly offloaded?: boolean;
  /** The envelope's size in UTF-8 bytes, inline or as read from S3 (known once the record was decoded). */
  readonly payloadBytes?: number;
  /** For `failed` and `dead-lettered`: the error's name and message. */
  readonly errorCode?: string;
  readonly reason?: string;
  /** For `failed`: when the record becomes visible again. */
  readonly retryInSeconds?: number;
  /** For `failed` on the last attempt: why it could not be dead-lettered (the next receive tries again). */
  readonly deadLetterError?: string;
  /**
   * For `processed` of an idempotent job type: true when the job id had already completed, so the function
   * did not run again for this delivery.
   */
  readonly skipped?: boolean;
}

/** How a log line names the job of a record it could not read. */
export const UNKNOWN_JOB_ID = "unknown";

export function outcomeMessage(outcome: JobOutcome): string {
  return `job ${outcome.kind}`;
}

/** The fields of an outcome's log line, as CloudWatch Logs Insights queries them (`outcome`, `jobId`...). */
export function outcomeLogFields(outcome: JobOutcome): Record<string, unknown> {
  const { kind, jobType, jobId, messageId, attempt, durationMs, ...details } = outcome;
  return {
    jobType,
    jobId: jobId ?? UNKNOWN_JOB_ID,
    messageId,
    outcome: kind,
    attempt,
    durationMs,
    ...details,
  };
}

/**
 * Every consumer in a thread publishes its outcomes here, whoever created it: the local runner's worker
 * threads subscribe and post them to the runner, without the handler module having to cooperate.
 */
const OUTCOME_CHANNEL = "fanout:job-outcome";
const outcomes = channel(OUTCOME_CHANNEL);

export function publishOutcome(outcome: JobOutcome): void {
  if (outcomes.hasSubscribers) outcomes.publish(outcome);
}

/** Calls `listener` with every outcome this thread's consumers report, until the returned function is called. */
export function onJobOutcome(listener: (outcome: JobOutcome) => void): () => void {
  const subscriber = (message: unknown) => listener(message as JobOutcome);
  subscribe(OUTCOME_CHANNEL, subscriber);
  return () => {
    unsubscribe(OUTCOME_CHANNEL, subscriber);
  };
}
