import { describe, expect, it } from "vitest";
import type { JobOutcome } from "../../src/consumer/outcome.ts";
import { OutcomeLog, quantile } from "../../src/dashboard/outcomes.ts";

const MINUTE = 60_000;

function outcome(overrides: Partial<JobOutcome>): JobOutcome {
  return {
    kind: "processed",
    jobType: "resize-image",
    jobId: crypto.randomUUID(),
    messageId: crypto.randomUUID(),
    attempt: 1,
    durationMs: 10,
    ...overrides,
  };
}

describe("the local runners' figures per job type", () => {
  it("counts processed, failed, retried and dead-lettered per minute, the current minute last", () => {
    let now = 100 * MINUTE;
    const log = new OutcomeLog({ now: () => now });
    log.record(outcome({}));
    log.record(outcome({ kind: "failed" }));
    now += MINUTE;
    log.record(outcome({ attempt: 2 }));
    log.record(outcome({ kind: "dead-lettered", attempt: 3 }));
    log.record(outcome({ jobType: "other" }));
    const { minutes } = log.rates("resize-image");
    expect(minutes).toHaveLength(10);
    expect(minutes.slice(-2)).toEqual([
      { minute: 100 * MINUTE, processed: 1, failed: 1, retried: 0, deadLettered: 0 },
      { minute: 101 * MINUTE, processed: 1, failed: 0, retried: 2, deadLettered: 1 },
    ]);
    // Ten minutes later the first of them has left the window.
    now += 9 * MINUTE;
    expect(log.rates("resize-image").minutes[0]).toEqual({
      minute: 101 * MINUTE,
      processed: 1,
      failed: 0,
      retried: 2,
      deadLettered: 1,
    });
  });

  it("gives the p50 and p95 of every attempt's duration in the window", () => {
    const log = new OutcomeLog({ now: () => 5 * MINUTE });
    for (let ms = 1; ms <= 100; ms++)
      log.record(outcome({ durationMs: ms, kind: ms % 2 ? "processed" : "failed" }));
    expect(log.rates("resize-image")).toMatchObject({ durationP50Ms: 50, durationP95Ms: 95 });
    expect(log.rates("none")).toMatchObject({ durationP50Ms: null, durationP95Ms: null });
    expect(quantile([7], 0.95)).toBe(7);
  });

  it("keeps each job's attempts for its detail, and the jobs of one correlation id, dropping the oldest jobs first", () => {
    const log = new OutcomeLog({ jobsKept: 2 });
    log.record(outcome({ jobId: "a", kind: "failed", correlationId: "a", reason: "boom" }));
    log.record(outcome({ jobId: "a", attempt: 2, correlationId: "a" }));
    log.record(outcome({ jobId: "b", correlationId: "a" }));
    expect(log.attempts("a").map((o) => [o.attempt, o.outcome, o.reason])).toEqual([
      [1, "failed", "boom"],
      [2, "processed", null],
    ]);
    expect(log.correlated("a")).toEqual(["a", "b"]);
    log.record(outcome({ jobId: "c" }));
    expect(log.attempts("a")).toEqual([]);
    expect(log.correlated("a")).toEqual(["b"]);
  });
});
