import { PutObjectCommand } from "@aws-sdk/client-s3";
import { PublishCommand } from "@aws-sdk/client-sns";
import { GetQueueAttributesCommand, type Message } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEAD_LETTER_ATTRIBUTES } from "../../src/consumer/dead-letter.ts";
import type { JobOutcome } from "../../src/consumer/outcome.ts";
import { decodeRecord } from "../../src/consumer/record-decoder.ts";
import { toSqsRecord } from "../../src/consumer/sqs-record.ts";
import { encodePointer, JOB_TYPE_ATTRIBUTE, SIZE_ATTRIBUTE } from "../../src/core/claim-check.ts";
import { encodeEnvelope } from "../../src/core/envelope.ts";
import { drain, type Harness, startHarness } from "../support/harness.ts";

function attribute(message: Message | undefined, name: string): string | undefined {
  return message?.MessageAttributes?.[name]?.StringValue;
}

/** Reads a dead letter back the way a consumer would, proving its payload is still there. */
function readDeadLetter(h: Harness, message: Message) {
  return decodeRecord(toSqsRecord(message), {
    payloads: h.payloads,
    topicArn: h.fanout.provisioned.topicArn,
  });
}

async function queueDepth(h: Harness, queueUrl: string): Promise<number> {
  const { Attributes = {} } = await h.fanout.clients.sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    }),
  );
  return (
    Number(Attributes.ApproximateNumberOfMessages) + Number(Attributes.ApproximateNumberOfMessagesNotVisible)
  );
}

describe("dead letters: nothing is lost, and the reason is visible", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.stop());

  it("moves a job that always throws to its DLQ after exactly maxReceiveCount receives, payload readable, reason attached", async () => {
    const { jobId } = await h.publisher().publish("always-fails", { n: 7 });
    await h.waitFor((o) => o.some((x) => x.jobId === jobId && x.kind === "dead-lettered"));
    const attempts = h.outcomes.filter((o) => o.jobId === jobId).map((o) => [o.attempt, o.kind]);
    expect(attempts).toEqual([
      [1, "failed"],
      [2, "failed"],
      [3, "dead-lettered"],
    ]);
    const [dead] = await drain(h.fanout.clients.sqs, h.dlqUrl("always-fails"), 1);
    expect(attribute(dead, DEAD_LETTER_ATTRIBUTES.code)).toBe("Error");
    expect(attribute(dead, DEAD_LETTER_ATTRIBUTES.message)).toBe("job 7 cannot be done");
    expect(attribute(dead, DEAD_LETTER_ATTRIBUTES.receiveCount)).toBe("3");
    expect(attribute(dead, JOB_TYPE_ATTRIBUTE)).toBe("always-fails");
    const decoded = await readDeadLetter(h, dead as Message);
    expect(decoded.envelope).toMatchObject({ id: jobId, payload: { n: 7 } });
    expect(await queueDepth(h, h.queueUrl("always-fails"))).toBe(0);
  });

  it("dead-letters an invalid payload published around the library on its first attempt, with the schema's complaint", async () => {
    const body = encodeEnvelope({
      v: 1,
      id: "sneaky-1",
      type: "echo",
      createdAt: new Date().toISOString(),
      payload: { n: "not a number" },
    });
    await h.fanout.clients.sns.send(
      new PublishCommand({
        TopicArn: h.fanout.provisioned.topicArn,
        Message: body,
        MessageAttributes: { [JOB_TYPE_ATTRIBUTE]: { DataType: "String", StringValue: "echo" } },
      }),
    );
    await h.waitFor((o) => o.some((x) => x.jobId === "sneaky-1" && x.kind === "dead-lettered"));
    expect(h.outcomes.find((o) => o.jobId === "sneaky-1")).toMatchObject({
      attempt: 1,
      errorCode: "JobValidationError",
    });
    const [dead] = await drain(h.fanout.clients.sqs, h.dlqUrl("echo"), 1);
    expect(dead?.Body).toBe(body);
    expect(attribute(dead, DEAD_LETTER_ATTRIBUTES.message)).toMatch(
      /^Payload for job type "echo" is invalid: n: /,
    );
  });

  describe("hostile or broken pointers are refused, and the message survives in the DLQ", () => {
    const validBody = encodeEnvelope({
      v: 1,
      id: "p-1",
      type: "echo",
      createdAt: new Date().toISOString(),
      payload: { n: 1 },
    });

    /** Publishes a pointer through SNS and returns the outcome of that message: the first one reported after it. */
    async function publishPointer(pointerBody: string, size: number) {
      const before = h.outcomes.length;
      const { MessageId } = await h.fanout.clients.sns.send(
        new PublishCommand({
          TopicArn: h.fanout.provisioned.topicArn,
          Message: pointerBody,
          MessageAttributes: {
            [JOB_TYPE_ATTRIBUTE]: { DataType: "String", StringValue: "echo" },
            [SIZE_ATTRIBUTE]: { DataType: "Number", StringValue: String(size) },
          },
        }),
      );
      expect(MessageId).toBeDefined();
      const ours = (outcomes: readonly JobOutcome[]) =>
        outcomes.slice(before).find((x) => x.jobType === "echo");
      await h.waitFor((o) => ours(o)?.kind === "dead-lettered");
      const outcome = ours(h.outcomes);
      expect(outcome?.jobId).toBeNull();
      const [dead] = await drain(h.fanout.clients.sqs, h.dlqUrl("echo"), 1);
      expect(dead?.Body).toBe(pointerBody);
      return { outcome, dead };
    }

    it.each([
      {
        name: "a pointer into another bucket",
        pointer: () => encodePointer({ bucket: "someone-elses-bucket", key: "payloads/echo/x.json" }),
        size: () => 10,
        code: "HostilePointerError",
        reason: /names bucket "someone-elses-bucket"/,
      },
      {
        name: "a pointer whose key climbs out with ..",
        pointer: () =>
          encodePointer({ bucket: h.fanout.provisioned.bucket, key: "payloads/../secrets.json" }),
        size: () => 10,
        code: "HostilePointerError",
        reason: /not a safe S3 key/,
      },
      {
        name: "a pointer to a missing object",
        pointer: () =>
          encodePointer({ bucket: h.fanout.provisioned.bucket, key: "payloads/echo/never-written.json" }),
        size: () => 10,
        code: "PayloadMissingError",
        reason: /does not exist/,
      },
      {
        name: "a declared size over the cap",
        pointer: () => encodePointer({ bucket: h.fanout.provisioned.bucket, key: "payloads/echo/huge.json" }),
        size: () => 5 * 1024 * 1024 * 1024,
        code: "HostilePointerError",
        reason: /above the \d+-byte cap/,
      },
    ])("$name", async ({ pointer, size, code, reason }) => {
      const { outcome, dead } = await publishPointer(pointer(), size());
      expect(outcome).toMatchObject({ errorCode: code, attempt: 1 });
      expect(attribute(dead, DEAD_LETTER_ATTRIBUTES.code)).toBe(code);
      expect(attribute(dead, DEAD_LETTER_ATTRIBUTES.message)).toMatch(reason);
    });

    it("a body that fails its integrity check (object replaced after publishing)", async () => {
      const key = "payloads/echo/replaced.json";
      const pointer = await h.payloads.put(key, validBody);
      const tampered = validBody.replace('"n":1', '"n":2');
      await h.fanout.clients.s3.send(
        new PutObjectCommand({ Bucket: h.fanout.provisioned.bucket, Key: key, Body: tampered }),
      );
      const { outcome, dead } = await publishPointer(encodePointer(pointer), Buffer.byteLength(tampered));
      expect(outcome).toMatchObject({ errorCode: "IntegrityError" });
      expect(attribute(dead, DEAD_LETTER_ATTRIBUTES.message)).toMatch(/fails its SHA-256 check/);
    });
  });
});
