import { PutObjectCommand } from "@aws-sdk/client-s3";
import { SendMessageCommand } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEAD_LETTER_ATTRIBUTES } from "../../shared/consumer/dead-letter.ts";
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

  async function terminalOutcome(match: (o: { jobId: string; messageId?: unknown }) => boolean) {
    await h.waitFor((all) => all.some((o) => match(o) && o.outcome !== "failed"));
    return h.outcomes.find((o) => match(o) && o.outcome !== "failed");
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
        expect(await terminalOutcome((o) => o.jobId === jobId)).toMatchObject({ outcome: "processed" });
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
        expect(outcome).toMatchObject({ outcome: "processed" });
        return;
      }
      if (!("deadLettered" in expected)) throw new Error("unexpected expectation");
      expect(outcome).toMatchObject({ outcome: "dead-lettered", errorCode: expected.deadLettered });
      expect(outcome?.reason).toMatch(expected.reason);
      const dead = (await drainAll(h.direct.sqs, h.dlqUrl("work"))).find((m) => m.Body === message.body);
      expect(dead?.MessageAttributes?.[DEAD_LETTER_ATTRIBUTES.code]?.StringValue).toBe(expected.deadLettered);
      expect(dead?.MessageAttributes?.[DEAD_LETTER_ATTRIBUTES.message]?.StringValue).toMatch(expected.reason);
    },
  );

  it("never put a character SQS refuses on the wire from a Fanout producer or consumer", () => {
    const offending = h.proxy.exchanges.filter(
      (e) =>
        (e.service === "sns" || e.action === "SendMessage") && UNSENDABLE.test(decodeForm(e.forwardedBody)),
    );
    expect(offending.map((e) => `${e.service} ${e.action}`)).toEqual([]);
  });
});

/** SNS bodies are form-encoded; SQS bodies are JSON, whose escapes JSON.parse would undo, so read them raw. */
function decodeForm(body: string): string {
  try {
    return [...new URLSearchParams(body).values()].join("\n");
  } catch {
    return body;
  }
}
