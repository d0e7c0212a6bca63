import { PutObjectCommand } from "@aws-sdk/client-s3";
import { SendMessageCommand } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEAD_LETTER_ATTRIBUTES } from "../../src/consumer/dead-letter.ts";
import type { JobOutcome } from "../../src/consumer/outcome.ts";
import { decodePointer } from "../../src/core/claim-check.ts";
import { PayloadStore } from "../../src/core/payload-store.ts";
import { type FaultHarness, startFaultHarness } from "../support/fault-harness.ts";
import { drainAll } from "../support/invariant.ts";
import { HOSTILE_CASES, type HostileCase, type HostileContext } from "./hostile-cases.ts";

/** Characters SQS refuses in a message body. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: the control characters SQS accepts are exactly what is listed
const UNSENDABLE = /[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

describe(`hostile input: ${HOSTILE_CASES.length} cases, each refused, dead-lettered with its reason, or processed`, () => {
  let h: FaultHarness;
  let context: HostileContext;
  beforeAll(async () => {
    h = await startFaultHarness();
    context = {
      bucket: h.fanout.provisioned.bucket,
      topicArn: h.fanout.provisioned.topicArn,
      putObject: async (key, body) => {
        await h.direct.s3.send(new PutObjectCommand({ Bucket: context.bucket, Key: key, Body: body }));
      },
    };
  });
  afterAll(() => h.stop());

  it("lists at least 30 distinct cases", () => {
    expect(new Set(HOSTILE_CASES.map((c) => c.name)).size).toBe(HOSTILE_CASES.length);
    expect(HOSTILE_CASES.length).toBeGreaterThanOrEqual(30);
  });

  async function terminalOutcome(match: (o: JobOutcome) => boolean) {
    await h.waitFor((all) => all.some((o) => match(o) && o.kind !== "failed"));
    return h.outcomes.find((o) => match(o) && o.kind !== "failed");
  }

  it.each(HOSTILE_CASES.map((c) => [c.name, c] as const))(
    "%s",
    async (_name, { send, expected }: HostileCase) => {
      if (send.via === "producer") {
        const before = h.proxy.exchanges.filter((e) => e.service === "sns").length;
        const publishing = send.publish(h.publisher());
        if ("rejectedAtProducer" in expected) {
          await expect(publishing).rejects.toBeInstanceOf(expected.rejectedAtProducer);
          await expect(publishing).rejects.toThrow(expected.reason);
          expect(h.proxy.exchanges.filter((e) => e.service === "sns")).toHaveLength(before);
          return;
        }
        const { jobId } = (await publishing) as { jobId: string };
        expect(await terminalOutcome((o) => o.jobId === jobId)).toMatchObject({ kind: "processed" });
        return;
      }
      const message = await send.message(context);
      const sending = h.direct.sqs.send(
        new SendMessageCommand({
          QueueUrl: h.queueUrl("work"),
          MessageBody: message.body,
          MessageAttributes: message.attributes,
        }),
      );
      if ("refusedBySqs" in expected) {
        await expect(sending).rejects.toThrow(expected.refusedBySqs);
        return;
      }
      const { MessageId } = await sending;
      const outcome = await terminalOutcome((o) => o.messageId === MessageId);
      if ("processed" in expected) {
        expect(outcome).toMatchObject({ kind: "processed" });
        return;
      }
      if (!("deadLettered" in expected)) throw new Error("unexpected expectation");
      expect(outcome).toMatchObject({ kind: "dead-lettered", errorCode: expected.deadLettered });
      expect(outcome?.reason).toMatch(expected.reason);
      if (expected.atOnce) expect(outcome?.attempt).toBe(1);
      // A dead letter too large for the DLQ with its reason is a pointer to its body, stored under its message id.
      const dead = (await drainAll(h.direct.sqs, h.dlqUrl("work"))).find(
        (m) => m.Body === message.body || pointerIn(m.Body)?.key.includes(`dead-letter-${MessageId}`),
      );
      expect(dead?.MessageAttributes?.[DEAD_LETTER_ATTRIBUTES.code]?.StringValue).toBe(expected.deadLettered);
      expect(dead?.MessageAttributes?.[DEAD_LETTER_ATTRIBUTES.message]?.StringValue).toMatch(expected.reason);
      if (dead?.Body !== message.body) {
        const stored = pointerIn(dead?.Body);
        if (!stored) throw new Error("the dead letter is neither the message nor a pointer to it");
        const payloads = new PayloadStore({ s3: h.direct.s3, bucket: context.bucket });
        expect(await payloads.get(stored)).toBe(message.body);
      }
    },
  );

  it("never put a character SQS refuses on the wire from a Fanout producer or consumer, body or attribute", () => {
    const offending = h.proxy.exchanges.filter(
      (e) =>
        (e.service === "sns" || e.action === "SendMessage") && UNSENDABLE.test(textsSent(e.forwardedBody)),
    );
    expect(offending.map((e) => `${e.service} ${e.action}`)).toEqual([]);
  });
});

/** The pointer a dead letter's body carries, if it is a well-formed one (hostile cases send broken ones). */
function pointerIn(body: string | undefined) {
  try {
    return decodePointer(body ?? "");
  } catch {
    return undefined;
  }
}

/**
 * The text of every field as the service reads it: SQS requests are JSON (whose `\ud800` escapes become the
 * characters SQS then refuses), SNS requests are form-encoded.
 */
function textsSent(body: string): string {
  try {
    const strings: string[] = [];
    const walk = (value: unknown): void => {
      if (typeof value === "string") strings.push(value);
      else if (value && typeof value === "object") for (const v of Object.values(value)) walk(v);
    };
    walk(JSON.parse(body));
    return strings.join("\n");
  } catch {
    return [...new URLSearchParams(body).values()].join("\n");
  }
}
