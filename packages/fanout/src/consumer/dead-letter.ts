import type { MessageAttributeValue, SQSClient } from "@aws-sdk/client-sqs";
import type { SQSRecord } from "aws-lambda";
import {
  encodePointer,
  JOB_TYPE_ATTRIBUTE,
  LEGACY_SIZE_ATTRIBUTE,
  SIZE_ATTRIBUTE,
  SQS_MAX_MESSAGE_BYTES,
} from "../core/claim-check.ts";
import { errorCode, errorMessage } from "../core/errors.ts";
import { isFifoQueue } from "../core/naming.ts";
import type { PayloadWriter } from "../core/payload-store.ts";
import { MAX_MESSAGE_ATTRIBUTES, messageSize, sqsText } from "../core/sqs-limits.ts";
import { toSendableAttributes } from "./message-attributes.ts";

/** Attributes a dead letter carries to tell an operator why it failed. */
export const DEAD_LETTER_ATTRIBUTES = {
  code: "FanoutErrorCode",
  message: "FanoutErrorMessage",
  receiveCount: "FanoutReceiveCount",
  failedAt: "FanoutFailedAt",
} as const;

/**
 * The id of a job that has no envelope (a foreign producer's), first its SQS message id: a redrive sends a new
 * message, and the consumer reads the id from here so that it stays the same.
 */
export const JOB_ID_ATTRIBUTE = "FanoutJobId";

const MAX_REASON_CHARACTERS = 1_000;
/** A reason is shortened to fit a large job into its DLQ, but never below this. */
const MIN_REASON_CHARACTERS = 200;
const MAX_CODE_CHARACTERS = 100;
/** Kept first when a message arrives with more attributes than fit beside ours: they make it readable. */
const ESSENTIAL = [JOB_TYPE_ATTRIBUTE, SIZE_ATTRIBUTE, LEGACY_SIZE_ATTRIBUTE];

export interface DeadLetterInput {
  readonly record: SQSRecord;
  readonly error: unknown;
  /** Receives of the job before it was dead-lettered. */
  readonly receiveCount: number;
  /** Set for a job without an envelope, whose id is then carried in an attribute. */
  readonly foreignJobId?: string | undefined;
  readonly failedAt: Date;
}

export interface DeadLetterMessage {
  readonly body: string;
  readonly attributes: Record<string, MessageAttributeValue>;
  /** As SQS counts it: the body and every attribute's name, type and value, in UTF-8 bytes. */
  readonly size: number;
}

function failureAttributes(input: DeadLetterInput, reasonCharacters: number) {
  const attributes: Record<string, MessageAttributeValue & { StringValue: string }> = {
    [DEAD_LETTER_ATTRIBUTES.code]: {
      DataType: "String",
      StringValue: sqsText(errorCode(input.error), MAX_CODE_CHARACTERS) || "Error",
    },
    [DEAD_LETTER_ATTRIBUTES.message]: {
      DataType: "String",
      StringValue: sqsText(errorMessage(input.error), reasonCharacters) || "(no message)",
    },
    [DEAD_LETTER_ATTRIBUTES.receiveCount]: { DataType: "Number", StringValue: String(input.receiveCount) },
    [DEAD_LETTER_ATTRIBUTES.failedAt]: { DataType: "String", StringValue: input.failedAt.toISOString() },
  };
  if (input.foreignJobId !== undefined) {
    attributes[JOB_ID_ATTRIBUTE] = { DataType: "String", StringValue: sqsText(input.foreignJobId, 128) };
  }
  return attributes;
}

/** The job's own attributes, as many as fit beside the failure attributes, the essential ones first. */
function keptAttributes(record: SQSRecord, room: number): Record<string, MessageAttributeValue> {
  const original = toSendableAttributes(record.messageAttributes);
  const ordered = [
    ...ESSENTIAL.filter((name) => name in original),
    ...Object.keys(original).filter((name) => !ESSENTIAL.includes(name) && !name.startsWith("Fanout")),
  ];
  return Object.fromEntries(
    ordered.slice(0, room).map((name) => [name, original[name] as MessageAttributeValue]),
  );
}

/**
 * The dead letter of a record: its body unchanged (pointer or notification included, so its payload stays
 * readable) and its own attributes, with the reason it failed in attributes SQS accepts. The reason is
 * shortened when the message would not fit the DLQ otherwise; `size` tells the caller whether it fits now.
 */
export function deadLetterMessage(
  input: DeadLetterInput,
  body: string = input.record.body,
  extra: Record<string, MessageAttributeValue> = {},
): DeadLetterMessage {
  let reasonCharacters = MAX_REASON_CHARACTERS;
  for (;;) {
    const failure = { ...failureAttributes(input, reasonCharacters), ...extra };
    const kept = keptAttributes(input.record, MAX_MESSAGE_ATTRIBUTES - Object.keys(failure).length);
    const attributes = { ...kept, ...failure };
    const size = messageSize(body, attributes);
    if (size <= SQS_MAX_MESSAGE_BYTES || reasonCharacters <= MIN_REASON_CHARACTERS) {
      return { body, attributes, size };
    }
    reasonCharacters = Math.max(MIN_REASON_CHARACTERS, reasonCharacters - (size - SQS_MAX_MESSAGE_BYTES));
  }
}

/** Where a dead letter too large for its DLQ leaves its body: a store writing under the job type's prefix. */
export interface DeadLetterStore {
  readonly put: PayloadWriter["put"];
  readonly keyFor: (messageId: string) => string;
}

/**
 * Sends the record to the dead-letter queue with the reason it failed; a job at the size limit, whose reason
 * would push it over the DLQ's limit, goes as a claim-check pointer to its body, stored first. The caller
 * acknowledges the record only after this resolves.
 */
export async function sendToDeadLetterQueue(
  sqs: SQSClient,
  dlqUrl: string,
  input: DeadLetterInput,
  store: () => Promise<DeadLetterStore>,
): Promise<void> {
  let message = deadLetterMessage(input);
  if (message.size > SQS_MAX_MESSAGE_BYTES) {
    const payloads = await store();
    const stored = await payloads.put(payloads.keyFor(input.record.messageId), input.record.body);
    message = deadLetterMessage(input, encodePointer(stored), {
      [SIZE_ATTRIBUTE]: { DataType: "Number", StringValue: String(stored.size) },
    });
  }
  const { SendMessageCommand } = await import("@aws-sdk/client-sqs");
  await sqs.send(
    new SendMessageCommand({
      QueueUrl: dlqUrl,
      MessageBody: message.body,
      MessageAttributes: message.attributes,
      ...deadLetterFifoIds(dlqUrl, input.record),
    }),
  );
}

/**
 * A FIFO DLQ takes a group and a deduplication id: the record's own group, so a redrive can put the job back
 * in it, and its message id, so a send repeated after a lost answer leaves one dead letter.
 */
export function deadLetterFifoIds(dlqUrl: string, record: SQSRecord) {
  return isFifoQueue(dlqUrl)
    ? {
        MessageGroupId: record.attributes.MessageGroupId || record.messageId,
        MessageDeduplicationId: record.messageId,
      }
    : {};
}
