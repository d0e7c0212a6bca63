import type { SQSRecord } from "aws-lambda";
import { describe, expect, it } from "vitest";
import {
  DEAD_LETTER_ATTRIBUTES,
  deadLetterMessage,
  JOB_ID_ATTRIBUTE,
} from "../../src/consumer/dead-letter.ts";
import { JOB_TYPE_ATTRIBUTE, SQS_MAX_MESSAGE_BYTES } from "../../src/core/claim-check.ts";
import { HostilePointerError, MalformedMessageError, PermanentJobError } from "../../src/core/errors.ts";
import { sqsRefusals } from "../support/sqs-rules.ts";

/** An SQS record as Lambda's event source hands it over, with the `jobType` attribute. */
function record(
  body: string,
  attributes: Record<string, string> = { [JOB_TYPE_ATTRIBUTE]: "check-order" },
): SQSRecord {
  return {
    messageId: "0f6c7a2e-0000-4000-8000-000000000001",
    receiptHandle: "handle",
    body,
    attributes: {
      ApproximateReceiveCount: "3",
      SentTimestamp: "1",
      SenderId: "x",
      ApproximateFirstReceiveTimestamp: "1",
    },
    messageAttributes: Object.fromEntries(
      Object.entries(attributes).map(([name, value]) => [
        name,
        { dataType: "String", stringValue: value, stringListValues: [], binaryListValues: [] },
      ]),
    ),
    md5OfBody: "",
    eventSource: "aws:sqs",
    eventSourceARN: "arn:aws:sqs:eu-west-1:111122223333:app-check-order",
    awsRegion: "eu-west-1",
  };
}

const failedAt = new Date("2026-12-01T00:00:00Z");
const reasonOf = (message: ReturnType<typeof deadLetterMessage>) =>
  message.attributes[DEAD_LETTER_ATTRIBUTES.message]?.StringValue ?? "";

describe("a dead letter's reason attributes, held against SQS's documented rules", () => {
  it.each([
    [
      "a type with U+FFFF, quoted in the reason",
      new MalformedMessageError('envelope\'s type "check-order\uFFFF"'),
    ],
    ["a bucket name with U+FFFE", new HostilePointerError('Pointer names bucket "evil\uFFFE"')],
    [
      "a handler's message with a lone surrogate",
      new PermanentJobError("Order x\ud800: total does not add up"),
    ],
    ["control characters and NUL", new Error("a\u0000b\u0007c\u001fd")],
    ["a 100,000-character message", new Error("x".repeat(100_000))],
    ["an error class name with a lone surrogate", Object.assign(new Error("m"), { name: "Odd\uDC00Error" })],
  ])("%s: every attribute is valid, the reason still legible", (_what, error) => {
    const message = deadLetterMessage({ record: record('{"v":1}'), error, receiveCount: 3, failedAt });
    expect(
      sqsRefusals(
        { MessageBody: message.body, MessageAttributes: message.attributes },
        SQS_MAX_MESSAGE_BYTES,
      ),
    ).toEqual([]);
    expect(reasonOf(message).length).toBeLessThanOrEqual(1_000);
  });

  it("writes what SQS refuses as a visible escape, so an operator still reads it", () => {
    const message = deadLetterMessage({
      record: record("{}"),
      error: new MalformedMessageError('type "check-order\uFFFF", key "k\ud800"'),
      receiveCount: 1,
      failedAt,
    });
    expect(reasonOf(message)).toBe('type "check-order\\uffff", key "k\\ud800"');
  });

  it("keeps an emoji as it is: SQS allows the supplementary planes", () => {
    const message = deadLetterMessage({
      record: record("{}"),
      error: new Error("🚀 failed 👍"),
      receiveCount: 1,
      failedAt,
    });
    expect(reasonOf(message)).toBe("🚀 failed 👍");
  });

  it("shortens the reason of a job near the size limit so that it fits its DLQ, not below 200 characters", () => {
    const body = "x".repeat(SQS_MAX_MESSAGE_BYTES - 600);
    const message = deadLetterMessage({
      record: record(body),
      error: new Error("r".repeat(5_000)),
      receiveCount: 5,
      failedAt,
    });
    expect(message.size).toBeLessThanOrEqual(SQS_MAX_MESSAGE_BYTES);
    expect(
      sqsRefusals(
        { MessageBody: message.body, MessageAttributes: message.attributes },
        SQS_MAX_MESSAGE_BYTES,
      ),
    ).toEqual([]);
    expect(reasonOf(message).length).toBeGreaterThanOrEqual(200);
  });

  it("says when a job at the limit cannot fit even with a short reason, so the caller stores its body", () => {
    const body = "x".repeat(SQS_MAX_MESSAGE_BYTES - 16);
    const message = deadLetterMessage({
      record: record(body),
      error: new Error("why"),
      receiveCount: 5,
      failedAt,
    });
    expect(message.size).toBeGreaterThan(SQS_MAX_MESSAGE_BYTES);
  });

  it("keeps at most ten attributes, the job's type and size first, and carries a foreign job's id", () => {
    const many = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`custom${i}`, "v"]));
    const message = deadLetterMessage({
      record: record("{}", { ...many, [JOB_TYPE_ATTRIBUTE]: "check-order" }),
      error: new Error("x"),
      receiveCount: 2,
      foreignJobId: "first-message-id",
      failedAt,
    });
    expect(Object.keys(message.attributes)).toHaveLength(10);
    expect(message.attributes[JOB_TYPE_ATTRIBUTE]?.StringValue).toBe("check-order");
    expect(message.attributes[JOB_ID_ATTRIBUTE]?.StringValue).toBe("first-message-id");
  });
});
