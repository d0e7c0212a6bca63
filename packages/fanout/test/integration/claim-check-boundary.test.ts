import { GetObjectCommand } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeRecord } from "../../src/consumer/record-decoder.ts";
import { toSqsRecord } from "../../src/consumer/sqs-record.ts";
import {
  decodePointer,
  JOB_TYPE_ATTRIBUTE,
  SIZE_ATTRIBUTE,
  SNS_MAX_MESSAGE_BYTES,
} from "../../src/core/claim-check.ts";
import { decodeEnvelope, encodeEnvelope } from "../../src/core/envelope.ts";
import { messageSize } from "../../src/core/sqs-limits.ts";
import { drain, type Harness, startHarness } from "../support/harness.ts";

const JOB_ID = "00000000-0000-4000-8000-000000000000";
const ATTRIBUTES = { [JOB_TYPE_ATTRIBUTE]: { DataType: "String", StringValue: "echo" } };

/** The size SNS counts for an echo job carrying `text`, with the envelope the publisher builds. */
function wireSize(text: string): number {
  const body = encodeEnvelope({
    v: 1,
    id: JOB_ID,
    type: "echo",
    createdAt: new Date().toISOString(),
    payload: { n: 1, text },
  });
  return messageSize(body, ATTRIBUTES);
}

/** Text that brings the message to exactly `target` bytes, using `filler` (possibly multi-byte) first. */
function textForSize(target: number, filler: string): string {
  const missing = target - wireSize("");
  const fillerBytes = Buffer.byteLength(filler);
  const text = filler.repeat(Math.floor(missing / fillerBytes)) + "a".repeat(missing % fillerBytes);
  expect(wireSize(text)).toBe(target);
  return text;
}

describe("claim-check threshold, counted in bytes as SNS counts them", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ workers: false });
  });
  afterAll(() => h.stop());

  async function publishAndReceive(text: string) {
    return publishAndReceive2({ n: 1, text });
  }

  async function publishAndReceive2(payload: { n: number; text: string }) {
    const result = await h.publisher().publish("echo", payload, { jobId: JOB_ID });
    const [message] = await drain(h.fanout.clients.sqs, h.queueUrl("echo"), 1);
    if (!message?.Body) throw new Error("nothing arrived on the echo queue");
    return { result, message };
  }

  it("sends a message of exactly 262,144 bytes (body and attributes) inline", async () => {
    const text = textForSize(SNS_MAX_MESSAGE_BYTES, "a");
    const { result, message } = await publishAndReceive(text);
    expect(result.offloaded).toBe(false);
    expect(message.MessageAttributes?.[SIZE_ATTRIBUTE]).toBeUndefined();
    expect(decodeEnvelope(message.Body as string).payload).toEqual({ n: 1, text });
  });

  it("offloads a message one byte larger, leaving a pointer in AWS's format on the wire", async () => {
    const text = textForSize(SNS_MAX_MESSAGE_BYTES + 1, "a");
    const { result, message } = await publishAndReceive(text);
    expect(result.offloaded).toBe(true);
    expect(message.Body).toMatch(
      /^\["software\.amazon\.payloadoffloading\.PayloadS3Pointer",\{"s3BucketName":/,
    );
    const pointer = decodePointer(message.Body as string);
    expect(pointer?.bucket).toBe(h.fanout.provisioned.bucket);
    expect(pointer?.key).toMatch(
      /^payloads\/echo\/\d{4}\/\d{2}\/\d{2}\/00000000-0000-4000-8000-000000000000\.json$/,
    );
    expect(message.MessageAttributes?.[JOB_TYPE_ATTRIBUTE]?.StringValue).toBe("echo");
    const stored = await h.fanout.clients.s3.send(
      new GetObjectCommand({ Bucket: pointer?.bucket, Key: pointer?.key }),
    );
    const body = await stored.Body?.transformToString("utf8");
    expect(Number(message.MessageAttributes?.[SIZE_ATTRIBUTE]?.StringValue)).toBe(
      Buffer.byteLength(body ?? ""),
    );
    expect(decodeEnvelope(body ?? "").payload).toEqual({ n: 1, text });
  });

  it("counts multi-byte UTF-8 characters in bytes: 262,144 bytes of € stay inline, one more byte does not", async () => {
    const atLimit = textForSize(SNS_MAX_MESSAGE_BYTES, "€");
    expect(atLimit.length).toBeLessThan(SNS_MAX_MESSAGE_BYTES / 2);
    expect((await publishAndReceive(atLimit)).result.offloaded).toBe(false);
    const overLimit = textForSize(SNS_MAX_MESSAGE_BYTES + 1, "€");
    expect((await publishAndReceive(overLimit)).result.offloaded).toBe(true);
  });

  it("offloads every payload when asked to, however small", async () => {
    const result = await h.publisher({ alwaysOffload: true }).publish("echo", { n: 2 }, { jobId: JOB_ID });
    const [message] = await drain(h.fanout.clients.sqs, h.queueUrl("echo"), 1);
    expect(result.offloaded).toBe(true);
    expect(decodePointer(message?.Body ?? "")).toBeDefined();
  });

  it("stores a body larger than one multipart part byte for byte, surrogate pairs across slice boundaries included", async () => {
    const body = `a${"😀".repeat(3 * 1024 * 1024)}é`;
    const stored = await h.payloads.put("payloads/echo/multipart.json", body);
    expect(stored.size).toBe(Buffer.byteLength(body));
    expect(stored.size).toBeGreaterThan(8 * 1024 * 1024);
    expect(await h.payloads.get(stored, stored.size)).toBe(body);
  });

  it("stores a payload too large to serialise whole exactly as the envelope's JSON, and reads it back", async () => {
    // More than 8 MiB of JSON: measured and uploaded piece by piece, never as one string.
    const text = `${"😀".repeat(1024 * 1024)}\uFFFE"\\${"x".repeat(5 * 1024 * 1024)}`;
    const payload = { n: 3, text, rows: Array.from({ length: 20_000 }, (_, i) => ({ i, at: new Date(i) })) };
    const { result, message } = await publishAndReceive2(payload);
    expect(result.offloaded).toBe(true);
    const pointer = decodePointer(message.Body as string);
    if (!pointer) throw new Error("no pointer on the wire");
    const stored = await h.fanout.clients.s3.send(
      new GetObjectCommand({ Bucket: pointer.bucket, Key: pointer.key }),
    );
    const body = (await stored.Body?.transformToString("utf8")) ?? "";
    const { createdAt } = decodeEnvelope(body);
    expect(body).toBe(encodeEnvelope({ v: 1, id: JOB_ID, type: "echo", createdAt, payload }));
    const size = Number(message.MessageAttributes?.[SIZE_ATTRIBUTE]?.StringValue);
    expect(size).toBe(Buffer.byteLength(body));
    expect(await h.payloads.get(pointer, size)).toBe(body);
    // The consumer reads it in pieces (never one string beside its payload) and gets the same job.
    const record = toSqsRecord(message, {
      queueArn: "arn:aws:sqs:us-east-1:000000000000:echo",
      region: "us-east-1",
    });
    const decoded = await decodeRecord(record, {
      payloads: h.payloads,
      topicArn: h.fanout.provisioned.topicArn,
    });
    expect(decoded).toMatchObject({ offloaded: true, payloadBytes: size, foreign: false });
    expect(decoded.envelope).toStrictEqual(JSON.parse(body));
  });

  it("refuses a large payload that changes while it is uploaded, and says nothing was published", async () => {
    const payload = { n: 4, text: "a".repeat(9 * 1024 * 1024) };
    const publishing = h.publisher().publish("echo", payload, { jobId: JOB_ID });
    payload.text = "b".repeat(payload.text.length);
    await expect(publishing).rejects.toThrow(/changed while it was being uploaded.*nothing was published/);
  });
});
