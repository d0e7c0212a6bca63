import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FaultHarness, startFaultHarness } from "../support/fault-harness.ts";
import { type RunnerChild, startRunnerChild } from "../support/runner-child.ts";

describe("the event-source runner killed in the middle of a batch, then restarted", () => {
  let h: FaultHarness;
  const children: RunnerChild[] = [];
  beforeAll(async () => {
    h = await startFaultHarness({ workers: false });
  });
  afterAll(async () => {
    for (const child of children) await child.stop();
    await h.stop();
  });

  function runner(): RunnerChild {
    const child = startRunnerChild(h.cloud.endpoint);
    child.onOutcome((outcome) => h.outcomes.push(outcome));
    children.push(child);
    return child;
  }

  it("SIGKILL mid-batch: nothing is lost, the batch comes back after its visibility timeout, duplicates are counted", async () => {
    const first = runner();
    await first.ready;
    const started = new Promise<void>((resolve) => first.onStarted(() => resolve()));
    // Slow jobs (600 ms of a 1 s timeout): the kill lands while the batch is in the handler.
    const outcomes = await h
      .publisher()
      .publishMany(
        Array.from({ length: 5 }, (_, n) => ({ type: "timed", payload: { n, mode: "slow", delayMs: 600 } })),
      );
    await started;
    await first.kill();
    const second = runner();
    await second.ready;
    const result = await h.settleAndCheck("runner SIGKILLed mid-batch", outcomes, 40_000);
    expect(result.processed).toBe(5);
    expect(h.outcomes.filter((o) => o.kind === "processed" && o.attempt === 2)).toHaveLength(5);
  });
});
