import { PurgeQueueCommand, SendMessageCommand } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { DEAD_LETTER_ATTRIBUTES } from "../../src/consumer/dead-letter.ts";
import { encodeEnvelope } from "../../src/core/envelope.ts";
import { drain, type Harness, startHarness } from "../support/harness.ts";
import { depth, jobIdOf } from "./queues.ts";
import { fanout, localEnv } from "./run.ts";

/** Dead letters of echo as the consumer writes them: the envelope, and the failure reason beside it. */
async function deadLetters(h: Harness, ids: readonly string[]): Promise<Map<string, string>> {
  const messageIds = new Map<string, string>();
  for (const id of ids) {
    const { MessageId } = await h.fanout.clients.sqs.send(
      new SendMessageCommand({
        QueueUrl: h.dlqUrl("echo"),
        MessageBody: encodeEnvelope({
          v: 1,
          id,
          type: "echo",
          createdAt: new Date().toISOString(),
          payload: { n: 1 },
        }),
        MessageAttributes: {
          [DEAD_LETTER_ATTRIBUTES.message]: { DataType: "String", StringValue: `job ${id} broke` },
        },
      }),
    );
    messageIds.set(id, MessageId ?? "");
  }
  return messageIds;
}

describe("fanout dlq delete, purge and redrive of one job", () => {
  let h: Harness;
  let env: Record<string, string>;
  const held = async () =>
    (await drain(h.fanout.clients.sqs, h.dlqUrl("echo"))).map((m) => jobIdOf(m.Body)).sort();

  beforeAll(async () => {
    h = await startHarness({ workers: false });
    env = localEnv(h.fanout.cloud.port);
  });
  beforeEach(async () => {
    for (const url of [h.dlqUrl("echo"), h.queueUrl("echo")])
      await h.fanout.clients.sqs.send(new PurgeQueueCommand({ QueueUrl: url }));
  });
  afterAll(() => h.stop());

  it("deletes one dead letter by its job id, or by its message id, and leaves the others", async () => {
    const messageIds = await deadLetters(h, ["job-a", "job-b", "job-c"]);
    const byJob = await fanout(["--local", "dlq", "delete", "echo", "job-b"], { env });
    expect(byJob).toMatchObject({ code: 0, stderr: "" });
    expect(byJob.stdout).toBe(
      `deleted the dead letter of job job-b (message ${messageIds.get("job-b")}) from fanout-test-echo-dlq\n`,
    );
    const byMessage = await fanout(
      ["--local", "--json", "dlq", "delete", "echo", messageIds.get("job-c") ?? ""],
      { env },
    );
    expect(JSON.parse(byMessage.stdout)).toEqual({
      jobId: "job-c",
      messageId: messageIds.get("job-c"),
      from: "fanout-test-echo-dlq",
    });
    expect(await held()).toEqual(["job-a"]);
  });

  it("says so when the id is not there, and deletes nothing", async () => {
    await deadLetters(h, ["job-d"]);
    const { code, stderr } = await fanout(["--local", "dlq", "delete", "echo", "nope"], { env });
    expect(code).not.toBe(0);
    expect(stderr).toMatch(/The dead letter of nope is not in fanout-test-echo-dlq \(looked at 1 others\)/);
    expect(await held()).toEqual(["job-d"]);
  });

  it("redrives one job by its id to its queue, without its failure reason, and only that one", async () => {
    await deadLetters(h, ["job-e", "job-f"]);
    const { code, stdout } = await fanout(["--local", "dlq", "redrive", "echo", "--job", "job-f"], { env });
    expect(code).toBe(0);
    expect(stdout).toMatch(
      /^moved the dead letter of job job-f from fanout-test-echo-dlq to fanout-test-echo\n$/,
    );
    const [redriven, ...more] = await drain(h.fanout.clients.sqs, h.queueUrl("echo"), 1);
    expect(more).toEqual([]);
    expect(jobIdOf(redriven?.Body)).toBe("job-f");
    expect(redriven?.MessageAttributes ?? {}).toEqual({});
    expect(await held()).toEqual(["job-e"]);
  });

  it("purges only with --yes when it cannot ask, naming the queue and the count", async () => {
    await deadLetters(h, ["job-g", "job-h"]);
    const refused = await fanout(["--local", "dlq", "purge", "echo"], { env });
    expect(refused.code).toBe(64);
    expect(refused.stderr).toMatch(
      /fanout dlq purge deletes all 2 dead letters of fanout-test-echo-dlq for good: pass --yes/,
    );
    expect(await depth(h.fanout.clients.sqs, h.dlqUrl("echo"))).toEqual({ visible: 2, inFlight: 0 });

    const purged = await fanout(["--local", "dlq", "purge", "echo", "--yes"], { env });
    expect(purged).toMatchObject({ code: 0, stderr: "" });
    expect(purged.stdout).toMatch(/^purged 2 dead letters from fanout-test-echo-dlq/);
    expect(await depth(h.fanout.clients.sqs, h.dlqUrl("echo"))).toEqual({ visible: 0, inFlight: 0 });
  });
});
