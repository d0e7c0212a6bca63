import type { SQSRecord } from "aws-lambda";
import { toSqsRecord } from "../../src/consumer/sqs-record.ts";
import type { PreparedMessage } from "../../src/core/publish-outcome.ts";

/** A Lambda SQS record as the event source delivers it; only what a test sets differs from the defaults. */
export function sqsRecord(
  overrides: { readonly messageId?: string; readonly body?: string; readonly receiveCount?: number } = {},
): SQSRecord {
  return toSqsRecord(
    {
      MessageId: overrides.messageId ?? crypto.randomUUID(),
      ReceiptHandle: "handle",
      Body: overrides.body ?? "{}",
      Attributes: { ApproximateReceiveCount: String(overrides.receiveCount ?? 1) },
    },
    { queueArn: "arn:aws:sqs:us-east-1:123456789012:app-work", region: "us-east-1" },
  );
}

/** A job ready to publish, as the publisher prepares it. */
export function preparedMessage(jobId: string): PreparedMessage {
  return {
    jobId,
    type: "work",
    body: `{"id":"${jobId}"}`,
    attributes: { jobType: { DataType: "String", StringValue: "work" } },
    size: 100,
    offloaded: false,
  };
}
