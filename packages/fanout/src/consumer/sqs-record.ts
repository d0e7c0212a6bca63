import type { Message } from "@aws-sdk/client-sqs";
import type { SQSRecord } from "aws-lambda";
import { lambdaAttributes } from "./message-attributes.ts";

export interface RecordSource {
  readonly queueArn: string;
  readonly region: string;
}

/**
 * A received SQS message as Lambda's SQS event source delivers it to a handler, so that what the local runner,
 * the operations on dead letters and the consumer read is one shape.
 */
export function toSqsRecord(
  message: Message,
  source: RecordSource = { queueArn: "", region: "" },
): SQSRecord {
  const system = message.Attributes ?? {};
  const now = String(Date.now());
  return {
    messageId: message.MessageId ?? "",
    receiptHandle: message.ReceiptHandle ?? "",
    body: message.Body ?? "",
    attributes: {
      ApproximateReceiveCount: system.ApproximateReceiveCount ?? "1",
      SentTimestamp: system.SentTimestamp ?? now,
      SenderId: system.SenderId ?? "",
      ApproximateFirstReceiveTimestamp: system.ApproximateFirstReceiveTimestamp ?? now,
      // A FIFO queue's messages: what Lambda passes on, and what keeps a group in order.
      ...(system.MessageGroupId ? { MessageGroupId: system.MessageGroupId } : {}),
      ...(system.MessageDeduplicationId ? { MessageDeduplicationId: system.MessageDeduplicationId } : {}),
      ...(system.SequenceNumber ? { SequenceNumber: system.SequenceNumber } : {}),
    },
    messageAttributes: lambdaAttributes(message.MessageAttributes),
    md5OfBody: message.MD5OfBody ?? "",
    eventSource: "aws:sqs",
    eventSourceARN: source.queueArn,
    awsRegion: source.region,
  };
}
