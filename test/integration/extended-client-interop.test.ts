import { randomUUID } from "node:crypto";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { SendMessageCommand } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodeEnvelope } from "../../shared/envelope.ts";
import { type Harness, startHarness } from "../support/harness.ts";

/**
 * What AWS's Python `sns-extended-client` puts on a queue whose subscription is not raw: an SNS notification
 * whose Message is the pointer as `json.dumps` writes it (with spaces), sized by the legacy attribute.
 */
function pythonStyleNotification(
  topicArn: string,
  bucket: string,
  key: string,
  size: number,
  jobType: string,
  messageId: string = randomUUID(),
): string {
  const pointer = `["software.amazon.payloadoffloading.PayloadS3Pointer", {"s3BucketName": "${bucket}", "s3Key": "${key}"}]`;
  return JSON.stringify({
    Type: "Notification",
    MessageId: messageId,
    TopicArn: topicArn,
    Message: pointer,
    Timestamp: new Date().toISOString(),
    SignatureVersion: "1",
    Signature: "c2lnbmF0dXJl",
    SigningCertURL: "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-0000.pem",
    UnsubscribeURL: "https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe",
    MessageAttributes: {
      jobType: { Type: "String", Value: jobType },
      SQSLargePayloadSize: { Type: "Number", Value: String(size) },
    },
  });
}

describe("messages written by AWS's extended client libraries", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.stop());

  async function store(key: string, body: string): Promise<void> {
    await h.fanout.clients.s3.send(
      new PutObjectCommand({ Bucket: h.fanout.provisioned.bucket, Key: key, Body: body }),
    );
  }

  it("processes a foreign payload behind a Python-style pointer with the legacy size attribute in a non-raw SNS envelope", async () => {
    const key = `extended/${randomUUID()}`;
    const payload = JSON.stringify({ n: 41, text: "from python" });
    await store(key, payload);
    const snsMessageId = randomUUID();
    const body = pythonStyleNotification(
      h.fanout.provisioned.topicArn,
      h.fanout.provisioned.bucket,
      key,
      payload.length,
      "echo",
      snsMessageId,
    );
    await h.fanout.clients.sqs.send(
      new SendMessageCommand({ QueueUrl: h.queueUrl("echo"), MessageBody: body }),
    );
    await h.waitFor((o) => o.some((x) => x.outcome === "processed"));
    expect(h.outcomes[0]).toMatchObject({ jobType: "echo", jobId: snsMessageId, offloaded: true });
  });

  it("processes a Fanout envelope behind the same kind of pointer", async () => {
    h.outcomes.length = 0;
    const key = `payloads/echo/${randomUUID()}.json`;
    const envelope = encodeEnvelope({
      v: 1,
      id: "py-2",
      type: "echo",
      createdAt: new Date().toISOString(),
      payload: { n: 42 },
    });
    await store(key, envelope);
    const body = pythonStyleNotification(
      h.fanout.provisioned.topicArn,
      h.fanout.provisioned.bucket,
      key,
      envelope.length,
      "echo",
    );
    await h.fanout.clients.sqs.send(
      new SendMessageCommand({ QueueUrl: h.queueUrl("echo"), MessageBody: body }),
    );
    await h.waitFor((o) => o.some((x) => x.jobId === "py-2"));
    expect(h.outcomes.find((x) => x.jobId === "py-2")).toMatchObject({
      outcome: "processed",
      offloaded: true,
    });
  });

  it("dead-letters a notification from another topic instead of trusting it", async () => {
    h.outcomes.length = 0;
    const key = `payloads/echo/${randomUUID()}.json`;
    await store(key, JSON.stringify({ n: 43 }));
    const body = pythonStyleNotification(
      "arn:aws:sns:us-east-1:999999999999:intruder",
      h.fanout.provisioned.bucket,
      key,
      9,
      "echo",
    );
    await h.fanout.clients.sqs.send(
      new SendMessageCommand({ QueueUrl: h.queueUrl("echo"), MessageBody: body }),
    );
    await h.waitFor((o) => o.some((x) => x.outcome === "dead-lettered"));
    expect(h.outcomes[0]).toMatchObject({
      errorCode: "MalformedMessageError",
      reason: expect.stringContaining("intruder"),
    });
  });
});
