import {
  type Message,
  SendMessageBatchCommand,
  SendMessageCommand,
  StartMessageMoveTaskCommand,
} from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEAD_LETTER_ATTRIBUTES } from "../../src/consumer/dead-letter.ts";
import { JOB_TYPE_ATTRIBUTE } from "../../src/core/claim-check.ts";
import { encodeEnvelope } from "../../src/core/envelope.ts";
import { drain, type Harness, startHarness } from "../support/harness.ts";
import { depth } from "./queues.ts";
import { fanout, localEnv } from "./run.ts";

const DEAD_LETTERS = 500;

function deadLetterBody(n: number): string {
  return encodeEnvelope({
    v: 1,
    id: `dead-${n}`,
    type: "echo",
    createdAt: new Date().toISOString(),
    payload: { n },
  });
}

/** What the consumer writes into a DLQ: the job's own attributes plus the failure reason. */
async function fillDeadLetterQueue(h: Harness, count: number): Promise<string[]> {
  const bodies = Array.from({ length: count }, (_, n) => deadLetterBody(n));
  for (let start = 0; start < count; start += 10) {
    await h.fanout.clients.sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: h.dlqUrl("echo"),
        Entries: Array.from({ length: Math.min(10, count - start) }, (_, i) => ({
          Id: String(i),
          MessageBody: bodies[start + i],
          MessageAttributes: {
            [JOB_TYPE_ATTRIBUTE]: { DataType: "String", StringValue: "echo" },
            [DEAD_LETTER_ATTRIBUTES.code]: { DataType: "String", StringValue: "Error" },
            [DEAD_LETTER_ATTRIBUTES.message]: { DataType: "String", StringValue: "downstream was down" },
            [DEAD_LETTER_ATTRIBUTES.receiveCount]: { DataType: "Number", StringValue: "5" },
            [DEAD_LETTER_ATTRIBUTES.failedAt]: { DataType: "String", StringValue: new Date().toISOString() },
          },
        })),
      }),
    );
  }
  return bodies;
}

describe("fanout dlq redrive against the local cloud", () => {
  let h: Harness;
  let env: Record<string, string>;

  beforeAll(async () => {
    h = await startHarness({ workers: false });
    env = localEnv(h.fanout.cloud.port);
  });
  afterAll(() => h.stop());

  it("the local cloud has no StartMessageMoveTask: it answers InvalidAction, which is what makes the CLI move by hand", async () => {
    await expect(
      h.fanout.clients.sqs.send(
        new StartMessageMoveTaskCommand({
          SourceArn: "arn:aws:sqs:us-east-1:000000000000:a",
          DestinationArn: "arn:aws:sqs:us-east-1:000000000000:b",
        }),
      ),
    ).rejects.toMatchObject({ name: "InvalidAction" });
  });

  it(`moves all ${DEAD_LETTERS} dead letters back, bodies intact, failure reason dropped, and leaves the DLQ empty`, async () => {
    const bodies = await fillDeadLetterQueue(h, DEAD_LETTERS);
    expect(await depth(h.fanout.clients.sqs, h.dlqUrl("echo"))).toEqual({
      visible: DEAD_LETTERS,
      inFlight: 0,
    });

    const { code, stdout, stderr } = await fanout(["--local", "dlq", "redrive", "echo"], { env });
    expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
    expect(stdout).toBe(
      `moved ${DEAD_LETTERS} dead letters from fanout-test-echo-dlq to fanout-test-echo (moved by the CLI: this endpoint has no StartMessageMoveTask)\n`,
    );

    expect(await depth(h.fanout.clients.sqs, h.dlqUrl("echo"))).toEqual({ visible: 0, inFlight: 0 });
    const moved: Message[] = await drain(h.fanout.clients.sqs, h.queueUrl("echo"));
    expect(moved).toHaveLength(DEAD_LETTERS);
    expect(new Set(moved.map((m) => m.Body))).toEqual(new Set(bodies));
    for (const message of moved) {
      expect(Object.keys(message.MessageAttributes ?? {})).toEqual([JOB_TYPE_ATTRIBUTE]);
    }
  });

  it("--rate and --json: reports the mode and the count for scripts", async () => {
    await fillDeadLetterQueue(h, 20);
    const { code, stdout } = await fanout(["--local", "--json", "dlq", "redrive", "echo", "--rate", "500"], {
      env,
    });
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual({
      mode: "manual",
      moved: 20,
      from: "fanout-test-echo-dlq",
      to: "fanout-test-echo",
      leftNewer: 0,
      left: 0,
      duplicates: 0,
    });
    expect(await depth(h.fanout.clients.sqs, h.dlqUrl("echo"))).toEqual({ visible: 0, inFlight: 0 });
  });

  it("an empty DLQ moves nothing and says so", async () => {
    const { code, stdout } = await fanout(["--local", "dlq", "redrive", "always-fails"], { env });
    expect(code).toBe(0);
    expect(stdout).toMatch(/^moved 0 dead letters from fanout-test-always-fails-dlq/);
  });

  it("moves dead letters with emoji in body and reason, and large ones in batches SQS accepts", async () => {
    const text = `🚀 ${"x".repeat(200 * 1024)} 👍`;
    const bodies = Array.from({ length: 6 }, (_, n) =>
      encodeEnvelope({
        v: 1,
        id: `big-${n}`,
        type: "echo",
        createdAt: new Date().toISOString(),
        payload: { n, text },
      }),
    );
    for (const body of bodies) {
      await h.fanout.clients.sqs.send(
        new SendMessageCommand({
          QueueUrl: h.dlqUrl("echo"),
          MessageBody: body,
          MessageAttributes: {
            [JOB_TYPE_ATTRIBUTE]: { DataType: "String", StringValue: "echo" },
            [DEAD_LETTER_ATTRIBUTES.message]: { DataType: "String", StringValue: "🚀 failed 👍" },
          },
        }),
      );
    }
    const { code, stdout } = await fanout(["--local", "--json", "dlq", "redrive", "echo"], { env });
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ moved: 6, duplicates: 0 });
    const moved = (await drain(h.fanout.clients.sqs, h.queueUrl("echo"))).filter((m) =>
      m.Body?.includes('"big-'),
    );
    expect(moved.map((m) => m.Body).sort()).toEqual([...bodies].sort());
  });
});
