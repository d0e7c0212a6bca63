import type { Message, SQSClient } from "@aws-sdk/client-sqs";
import { DEAD_LETTER_ATTRIBUTES } from "../consumer/dead-letter.ts";
import { decodeRecord } from "../consumer/record-decoder.ts";
import { toSqsRecord } from "../consumer/sqs-record.ts";
import { decodePointer, JOB_TYPE_ATTRIBUTE } from "../core/claim-check.ts";
import { errorMessage } from "../core/errors.ts";
import type { PayloadReader } from "../core/payload-store.ts";
import { peekMessages } from "./peek.ts";

/** A dead letter as an operator reads it: the job, why it failed, and its payload with pointers resolved. */
export interface DeadLetter {
  readonly messageId: string;
  readonly jobId: string | null;
  readonly type: string | null;
  readonly correlationId: string | null;
  /** When the job was published (the envelope's createdAt). */
  readonly createdAt: string | null;
  /** The error class or code that dead-lettered it, from the consumer's FanoutErrorCode attribute. */
  readonly errorCode: string | null;
  readonly reason: string | null;
  /** Receives of the job before it was dead-lettered (FanoutReceiveCount). */
  readonly attempts: number | null;
  /** Receives of the dead letter itself, peeks included (SQS's ApproximateReceiveCount). */
  readonly receiveCount: number;
  readonly failedAt: string | null;
  /** Seconds since the dead letter entered the DLQ. */
  readonly ageSeconds: number | null;
  readonly offloaded: boolean;
  readonly payload: unknown;
  /** Why the payload could not be read (a missing object, a hostile pointer, a body that is no job). */
  readonly decodeError: string | null;
}

function stringAttribute(message: Message, name: string): string | null {
  return message.MessageAttributes?.[name]?.StringValue ?? null;
}

export async function decodeDeadLetter(
  message: Message,
  options: { readonly payloads: PayloadReader; readonly topicArn: string; readonly now?: number },
): Promise<DeadLetter> {
  const sent = Number(message.Attributes?.SentTimestamp);
  const attempts = Number(stringAttribute(message, DEAD_LETTER_ATTRIBUTES.receiveCount));
  const base = {
    messageId: message.MessageId ?? "",
    errorCode: stringAttribute(message, DEAD_LETTER_ATTRIBUTES.code),
    reason: stringAttribute(message, DEAD_LETTER_ATTRIBUTES.message),
    attempts: Number.isFinite(attempts) && attempts > 0 ? attempts : null,
    receiveCount: Number(message.Attributes?.ApproximateReceiveCount ?? 0),
    failedAt: stringAttribute(message, DEAD_LETTER_ATTRIBUTES.failedAt),
    ageSeconds: Number.isFinite(sent) && sent > 0 ? ((options.now ?? Date.now()) - sent) / 1000 : null,
  };
  try {
    const { envelope, offloaded } = await decodeRecord(toSqsRecord(message), options);
    return {
      ...base,
      jobId: envelope.id,
      type: envelope.type,
      correlationId: envelope.correlationId ?? null,
      createdAt: envelope.createdAt,
      offloaded,
      payload: envelope.payload,
      decodeError: null,
    };
  } catch (error) {
    let offloaded = false;
    try {
      offloaded = decodePointer(message.Body ?? "") !== undefined;
    } catch {
      // A broken pointer is still a pointer attempt; the decode error says what is wrong with it.
      offloaded = true;
    }
    return {
      ...base,
      jobId: null,
      type: stringAttribute(message, JOB_TYPE_ATTRIBUTE),
      correlationId: null,
      createdAt: null,
      offloaded,
      payload: message.Body ?? null,
      decodeError: errorMessage(error),
    };
  }
}

export interface PeekedDeadLetters {
  readonly deadLetters: readonly DeadLetter[];
  /** Dead letters that could not be made visible again; they reappear after the peek's visibility timeout. */
  readonly unreleased: number;
}

/**
 * Up to `limit` dead letters of a queue, decoded, left in place (see `peekMessages`). The topic is only
 * looked up when there is something to decode.
 */
export async function peekDeadLetters(
  sqs: SQSClient,
  queueUrl: string,
  limit: number,
  options: { readonly payloads: PayloadReader; readonly topicArn: () => Promise<string> },
): Promise<PeekedDeadLetters> {
  const peeked = await peekMessages(sqs, queueUrl, limit);
  const now = Date.now();
  const topicArn = peeked.messages.length > 0 ? await options.topicArn() : "";
  const deadLetters = await Promise.all(
    peeked.messages.map((m) => decodeDeadLetter(m, { payloads: options.payloads, topicArn, now })),
  );
  return { deadLetters, unreleased: peeked.unreleased };
}
