import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEAD_LETTER_ATTRIBUTES } from "../../src/consumer/dead-letter.ts";
import { type FaultHarness, startFaultHarness } from "../support/fault-harness.ts";
import type { MODES } from "./fixtures/registry.ts";

describe("handler faults: throws, hangs past the timeout, runs out of memory", () => {
  let h: FaultHarness;
  beforeAll(async () => {
    h = await startFaultHarness();
  });
  afterAll(() => h.stop());

  /** One bad job in a batch of five `timed` jobs (batch size 5): its batch mates share its fate. */
  const batchWith = (mode: (typeof MODES)[number]) =>
    h
      .publisher()
      .publishMany([
        { type: "timed", payload: { n: 0, mode } },
        ...Array.from({ length: 4 }, (_, i) => ({ type: "timed" as const, payload: { n: i + 1 } })),
      ]);

  it("a handler that always throws: retried, then dead-lettered by the consumer with its reason", async () => {
    const published = await h.publisher().publish("timed", { n: 1, mode: "throw" });
    const result = await h.settleAndCheck("always throws", [published], 40_000);
    expect(result.deadLettered).toBe(1);
    const dead = h.deadLetters.find((d) => d.jobId === published.jobId);
    expect(dead?.attributes[DEAD_LETTER_ATTRIBUTES.code]).toBe("Error");
    expect(dead?.reason).toBe("job 1 failed");
  });

  it("a handler that throws PermanentJobError: dead-lettered on its first attempt", async () => {
    const published = await h.publisher().publish("work", { n: 2, mode: "permanent" });
    await h.settleAndCheck("permanent failure", [published], 40_000);
    expect(h.outcomes.filter((o) => o.jobId === published.jobId).map((o) => [o.attempt, o.kind])).toEqual([
      [1, "dead-lettered"],
    ]);
  });

  it("a handler that publishes a follow-up type its worker does not list: refused as IAM would, dead-lettered at once, nothing published", async () => {
    const published = await h.publisher().publish("timed", { n: 3, mode: "publish-large" });
    const snsRequests = () => h.proxy.exchanges.filter((e) => e.service === "sns").length;
    const before = snsRequests();
    await h.settleAndCheck("undeclared follow-up", [published], 40_000);
    expect(h.outcomes.filter((o) => o.jobId === published.jobId)).toEqual([
      expect.objectContaining({
        kind: "dead-lettered",
        attempt: 1,
        errorCode: "UndeclaredFollowUpError",
        reason:
          'Job type "timed" published a "work" follow-up, which its worker settings do not list: add "work" to worker.publishes of "timed" (the deployed function may only publish the types listed there).',
      }),
    ]);
    expect(snsRequests()).toBe(before);
  });

  it("a handler that hangs past its timeout: the thread is ended, the batch comes back, the job reaches the DLQ by redrive", async () => {
    const outcomes = await batchWith("hang");
    const result = await h.settleAndCheck("hangs in a batch of 5", outcomes, 40_000);
    expect(h.outcomes.some((o) => /Task timed out after 1 seconds/.test(String(o.reason)))).toBe(true);
    // It never returns, so the consumer cannot record a reason: SQS redrive moves it after maxReceiveCount.
    // Like Lambda, a timeout fails the whole batch, so its batch mates ran on each receive (duplicates) and
    // were redriven with it: not lost, but reported.
    expect(result.processed).toBe(4);
    expect(result.redrivenWithoutReason).toContain(outcomes[0]?.jobId);
  });

  it("a handler that runs out of memory: the runner survives and the whole batch reaches the DLQ by redrive, readable", async () => {
    const outcomes = await batchWith("oom");
    const result = await h.settleAndCheck("runs out of memory in a batch of 5", outcomes, 40_000);
    expect(h.outcomes.some((o) => o.kind === "failed" && o.jobId === null)).toBe(true);
    // The crash takes the whole batch with it on every receive (as on Lambda), so all five reach the DLQ by
    // redrive, readable but without a reason: nothing is lost, and the operator redrives the four healthy ones.
    expect(result.deadLettered).toBe(5);
    expect(result.redrivenWithoutReason).toContain(outcomes[0]?.jobId);
    const after = await h.publisher().publish("timed", { n: 99 });
    expect((await h.settle([after])).processed).toBe(1);
  });
});
