import { fileURLToPath } from "node:url";
import { ChangeMessageVisibilityCommand, ReceiveMessageCommand } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { JobOutcome } from "../../src/consumer/outcome.ts";
import { type LocalFanout, startLocalFanout } from "../../src/local/local-fanout.ts";
import { peekDeadLetters } from "../../src/operations/dead-letters.ts";
import { queueStatus } from "../../src/operations/queue-status.ts";
import { redrive } from "../../src/operations/redrive.ts";
import { orderedRegistry, RAN_MESSAGE } from "../fixtures/ordered-registry.ts";
import { type LocalFanoutKit, localFanoutKit } from "../support/local-fanout-kit.ts";

const TYPE = "apply-step" as const;
let fanout: LocalFanout;
let kit: LocalFanoutKit<typeof orderedRegistry>;
/** Every run of the function, in the order they logged. */
const runs: { group: string; seq: number; attempt: number }[] = [];

beforeAll(async () => {
  fanout = await startLocalFanout({
    registry: orderedRegistry,
    port: 0,
    handlerPath: (type) => fileURLToPath(new URL(`../fixtures/ordered-handlers/${type}.ts`, import.meta.url)),
  });
  kit = localFanoutKit(fanout, orderedRegistry);
  for (const runner of fanout.runners.values()) {
    runner.on("log", (line) => {
      try {
        const parsed = JSON.parse(line) as Record<string, unknown>;
        if (parsed.message === RAN_MESSAGE) runs.push(parsed as never);
      } catch {
        // Not a JSON log line (a stack trace, say).
      }
    });
  }
});
afterAll(() => fanout?.stop());

const seqs = (n: number) => Array.from({ length: n }, (_, i) => i);
const jobId = (group: string, seq: number) => `${group}-${seq}`;
const processedOf = (group: string) =>
  kit.outcomes.filter((o) => o.kind === "processed" && o.jobId?.startsWith(`${group}-`));
const runsOf = (group: string) => runs.filter((r) => r.group === group).map((r) => r.seq);
const indexOf = (match: (o: JobOutcome) => boolean) => kit.outcomes.findIndex(match);
const address = (name: string | undefined) => {
  const found = name ? fanout.provisioned.addresses.get(name) : undefined;
  if (!found) throw new Error(`no queue ${name}`);
  return found;
};

describe("an ordered job type against the local cloud (SNS FIFO to SQS FIFO)", () => {
  it("runs each group's jobs in publish order; a failing job holds its group only, which then goes on", async () => {
    const groups = ["a", "b", "c"];
    // Interleaved, as producers of several orders would publish; b's 10th job fails its first two attempts.
    const jobs = seqs(50).flatMap((seq) =>
      groups.map((group) => ({
        type: TYPE,
        jobId: jobId(group, seq),
        payload: { group, seq, failTimes: group === "b" && seq === 9 ? 2 : 0 },
      })),
    );
    const published = await kit.publisher().publishMany(jobs);
    expect(published.every((o) => o.ok)).toBe(true);
    // A run's log line comes over the worker's stdout and its outcome over IPC, in either order: wait for both.
    const runCount = (group: string) => (group === "b" ? 52 : 50);
    await kit.waitFor(
      () => groups.every((g) => processedOf(g).length >= 50 && runsOf(g).length >= runCount(g)),
      90_000,
    );

    for (const group of groups) {
      expect(processedOf(group).map((o) => o.jobId)).toEqual(seqs(50).map((s) => jobId(group, s)));
    }
    // b's 10th job ran three times, and none of b's later jobs ran before it succeeded.
    expect(runsOf("b")).toEqual([...seqs(10), 9, 9, ...seqs(50).slice(10)]);
    expect(runsOf("a")).toEqual(seqs(50));
    expect(runsOf("c")).toEqual(seqs(50));
    const failures = kit.outcomes.filter((o) => o.jobId === "b-9" && o.kind === "failed");
    expect(failures.map((o) => o.attempt)).toEqual([1, 2]);
    // While b waited for its 10th job, the other groups were not held back.
    const firstFailure = indexOf((o) => o.jobId === "b-9" && o.kind === "failed");
    const success = indexOf((o) => o.jobId === "b-9" && o.kind === "processed");
    const meanwhile = kit.outcomes
      .slice(firstFailure, success)
      .filter((o) => o.kind === "processed" && !o.jobId?.startsWith("b-"));
    expect(meanwhile.length).toBeGreaterThan(0);
  }, 120_000);

  it("dead-letters a job that always fails into the FIFO DLQ with its reason and group; the group goes on after it; a redrive puts it back in its group", async () => {
    const jobs = seqs(4).map((seq) => ({
      type: TYPE,
      jobId: jobId("d", seq),
      payload: { group: "d", seq, alwaysFail: seq === 1 },
    }));
    await kit.publisher().publishMany(jobs);
    await kit.waitFor(() => processedOf("d").length >= 3 && runsOf("d").length >= 8, 60_000);
    expect(processedOf("d").map((o) => o.jobId)).toEqual(["d-0", "d-2", "d-3"]);
    const deadLettered = indexOf((o) => o.jobId === "d-1" && o.kind === "dead-lettered");
    expect(deadLettered).toBeGreaterThan(-1);
    expect(kit.outcomes[deadLettered]?.attempt).toBe(orderedRegistry.jobs[TYPE].worker.maxReceiveCount);
    // Its successors ran only once the DLQ held it.
    expect(indexOf((o) => o.jobId === "d-2" && o.kind === "processed")).toBeGreaterThan(deadLettered);
    expect(runsOf("d")).toEqual([0, 1, 1, 1, 1, 1, 2, 3]);

    // fanout status and dlq peek read the FIFO queues like any other.
    const status = await queueStatus(fanout.topology, {
      sqs: fanout.clients.sqs,
      queue: async (n) => address(n),
    });
    expect(status.queues.find((q) => q.consumer === TYPE)).toMatchObject({
      queue: "fanout-ordered-apply-step.fifo",
      dlq: "fanout-ordered-apply-step-dlq.fifo",
      dlqDepth: 1,
    });
    const peeked = await peekDeadLetters(fanout.clients.sqs, kit.dlqUrl(TYPE), 10, {
      payloads: kit.payloads,
      topicArn: async () => fanout.provisioned.topicArn,
    });
    expect(peeked.deadLetters.map((d) => [d.jobId, d.reason])).toEqual([["d-1", "step d/1 always fails"]]);

    const { Messages = [] } = await fanout.clients.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: kit.dlqUrl(TYPE),
        MaxNumberOfMessages: 10,
        MessageAttributeNames: ["All"],
        MessageSystemAttributeNames: ["All"],
        WaitTimeSeconds: 1,
      }),
    );
    const letter = Messages.find((m) => (JSON.parse(m.Body ?? "{}") as { id?: string }).id === "d-1");
    expect(kit.dlqUrl(TYPE)).toMatch(/-dlq\.fifo$/);
    expect(letter?.MessageAttributes?.FanoutErrorMessage?.StringValue).toBe("step d/1 always fails");
    expect(letter?.MessageAttributes?.FanoutErrorCode?.StringValue).toBe("Error");
    expect(letter?.Attributes?.MessageGroupId).toBe("d");

    // Redriven, it goes back into its group in the FIFO queue and runs again.
    await fanout.clients.sqs.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: kit.dlqUrl(TYPE),
        ReceiptHandle: letter?.ReceiptHandle,
        VisibilityTimeout: 0,
      }),
    );
    const worker = fanout.topology.workers[0];
    const moved = await redrive(fanout.clients.sqs, address(worker?.dlqName), address(worker?.queueName));
    expect(moved.moved).toBe(1);
    await kit.waitFor(
      (all) => all.slice(deadLettered + 1).some((o) => o.jobId === "d-1" && o.attempt === 1),
      30_000,
    );
  }, 90_000);

  it("runs a job published twice with the same id once: SNS FIFO drops the retry", async () => {
    const publisher = kit.publisher();
    await publisher.publish(TYPE, { group: "e", seq: 0 }, { jobId: "e-0" });
    await publisher.publish(TYPE, { group: "e", seq: 0 }, { jobId: "e-0" });
    await publisher.publish(TYPE, { group: "e", seq: 1 }, { jobId: "e-1" });
    await kit.waitFor(
      (all) => all.some((o) => o.jobId === "e-1" && o.kind === "processed") && runsOf("e").length >= 2,
      30_000,
    );
    expect(runsOf("e")).toEqual([0, 1]);
  }, 60_000);
});
