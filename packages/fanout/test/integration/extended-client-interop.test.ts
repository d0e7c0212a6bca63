import { randomUUID } from "node:crypto";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { SendMessageCommand } from "@aws-sdk/client-sqs";
import { SqsConsumer } from "sns-sqs-big-payload";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LEGACY_POINTER_CLASS, LEGACY_SIZE_ATTRIBUTE } from "../../src/core/claim-check.ts";
import { encodeEnvelope } from "../../src/core/envelope.ts";
import { LOCAL_REGION } from "../../src/local/endpoint.ts";
import { bigPayloadServices } from "../support/big-payload.ts";
import { drain, type Harness, startHarness } from "../support/harness.ts";

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
    await h.waitFor((o) => o.some((x) => x.kind === "processed"));
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
      kind: "processed",
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
    await h.waitFor((o) => o.some((x) => x.kind === "dead-lettered"));
    expect(h.outcomes[0]).toMatchObject({
      errorCode: "MalformedMessageError",
      reason: expect.stringContaining("intruder"),
    });
  });

  it("publishes, with pointerFormat legacy, jobs that sns-sqs-big-payload's consumer reads, and reads them itself", async () => {
    h.outcomes.length = 0;
    const published = await h
      .publisher({ alwaysOffload: true, pointerFormat: "legacy" })
      .publish("echo", { n: 44, text: "to an old reader" });
    // The audit queue gets the message as SNS delivered it; hand it to the other library's consumer.
    const [message] = (await drain(h.fanout.clients.sqs, h.queueUrl("audit"))).filter((m) =>
      m.Body?.includes(published.payloadKey ?? "?"),
    );
    expect(message?.Body).toContain(LEGACY_POINTER_CLASS);
    expect(Object.keys(message?.MessageAttributes ?? {})).toContain(LEGACY_SIZE_ATTRIBUTE);
    const { sqs, s3 } = bigPayloadServices(h.fanout.cloud.endpoint);
    const read: unknown[] = [];
    const consumer = SqsConsumer.create({
      queueUrl: h.queueUrl("audit"),
      region: LOCAL_REGION,
      sqs,
      s3,
      getPayloadFromS3: true,
      extendedLibraryCompatibility: true,
      parsePayload: (raw: Buffer) => JSON.parse(raw.toString("utf8")),
      handleMessage: async ({ payload }) => {
        read.push(payload);
      },
    });
    await consumer.processMessage(message as never, { deleteAfterProcessing: false });
    expect(read).toEqual([
      expect.objectContaining({ id: published.jobId, payload: { n: 44, text: "to an old reader" } }),
    ]);
    await h.waitFor((o) => o.some((x) => x.jobId === published.jobId));
    expect(h.outcomes.find((x) => x.jobId === published.jobId)).toMatchObject({
      kind: "processed",
      offloaded: true,
    });
  });
});
