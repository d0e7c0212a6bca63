import type { StringAttribute } from "./claim-check.ts";
import { errorMessage, FanoutError, PublishError } from "./errors.ts";
import type { FifoIds } from "./ordering.ts";

/** A job ready to send: its SNS message (the envelope, or a pointer to it in S3) and that message's size. */
export interface PreparedMessage {
  readonly jobId: string;
  readonly type: string;
  readonly body: string;
  readonly attributes: Record<string, StringAttribute>;
  /** As SNS counts it: body and attributes. */
  readonly size: number;
  readonly offloaded: boolean;
  readonly payloadKey?: string;
  /** A job of an ordered type: sent to the FIFO topic with these ids. */
  readonly fifo?: FifoIds;
}

export interface PublishedJob {
  readonly ok: true;
  readonly jobId: string;
  readonly type: string;
  readonly offloaded: boolean;
  /** Where the payload was stored, when offloaded. */
  readonly payloadKey?: string;
  readonly messageId: string;
}

export interface FailedJob {
  readonly ok: false;
  readonly jobId: string;
  readonly type: string;
  readonly error: FanoutError;
}

export type PublishOutcome = PublishedJob | FailedJob;

export function published(message: PreparedMessage, messageId: string): PublishedJob {
  return {
    ok: true,
    jobId: message.jobId,
    type: message.type,
    offloaded: message.offloaded,
    ...(message.payloadKey ? { payloadKey: message.payloadKey } : {}),
    messageId,
  };
}

/** A job not published, with a Fanout error (the one it failed with, or a `PublishError` around the cause). */
export function notPublished(jobId: string, type: string, cause: unknown): FailedJob {
  const error =
    cause instanceof FanoutError
      ? cause
      : new PublishError(`Job ${jobId || "(no id)"} (${type}) was not published: ${errorMessage(cause)}`, {
          cause,
          jobType: type,
          jobId,
        });
  return { ok: false, jobId, type, error };
}
