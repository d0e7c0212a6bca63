import type { MessageAttributeValue, SQSClient } from "@aws-sdk/client-sqs";
import type { SQSRecord } from "aws-lambda";
import { JOB_TYPE_ATTRIBUTE, LEGACY_SIZE_ATTRIBUTE, SIZE_ATTRIBUTE } from "../claim-check.ts";
import { errorCode, errorMessage } from "../errors.ts";
import { toSendableAttributes } from "./message-attributes.ts";

/** Attributes a dead letter carries to tell an operator why it failed. */
export const DEAD_LETTER_ATTRIBUTES = {
  code: "FanoutErrorCode",
  message: "FanoutErrorMessage",
  receiveCount: "FanoutReceiveCount",
  failedAt: "FanoutFailedAt",
} as const;

/** SQS delivers at most 10 attributes; ours take four of them. */
const MAX_ATTRIBUTES = 10;
const MAX_REASON_CHARACTERS = 1_000;
/** Kept first when a message arrives with more attributes than fit beside ours: they make it readable. */
const ESSENTIAL = [JOB_TYPE_ATTRIBUTE, SIZE_ATTRIBUTE, LEGACY_SIZE_ATTRIBUTE];

/**
 * Sends the record, body unchanged (pointer or notification included, so its payload stays readable), to the
 * dead-letter queue with the reason it failed. The caller acknowledges the record only after this resolves.
 */
export async function sendToDeadLetterQueue(
  sqs: SQSClient,
  dlqUrl: string,
  record: SQSRecord,
  error: unknown,
  receiveCount: number,
): Promise<void> {
  const original = toSendableAttributes(record.messageAttributes);
  const ordered = [
    ...ESSENTIAL.filter((name) => name in original),
    ...Object.keys(original).filter((name) => !ESSENTIAL.includes(name) && !name.startsWith("Fanout")),
  ];
  const kept = Object.fromEntries(
    ordered
      .slice(0, MAX_ATTRIBUTES - Object.keys(DEAD_LETTER_ATTRIBUTES).length)
      .map((name) => [name, original[name] as MessageAttributeValue]),
  );
  const { SendMessageCommand } = await import("@aws-sdk/client-sqs");
  await sqs.send(
    new SendMessageCommand({
      QueueUrl: dlqUrl,
      MessageBody: record.body,
      MessageAttributes: {
        ...kept,
        [DEAD_LETTER_ATTRIBUTES.code]: { DataType: "String", StringValue: errorCode(error) },
        [DEAD_LETTER_ATTRIBUTES.message]: {
          DataType: "String",
          StringValue: errorMessage(error).slice(0, MAX_REASON_CHARACTERS) || "(no message)",
        },
        [DEAD_LETTER_ATTRIBUTES.receiveCount]: { DataType: "Number", StringValue: String(receiveCount) },
        [DEAD_LETTER_ATTRIBUTES.failedAt]: { DataType: "String", StringValue: new Date().toISOString() },
      },
    }),
  );
}
