import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "../support/harness.ts";

describe("partial batch failure", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.stop());

  it("in a batch of 10 with 3 failing records, exactly those 3 come back and the other 7 are deleted", async () => {
    const invocations: { records: number; failed: number; deleted: number }[] = [];
    h.fanout.runners.get("fails-first-time")?.on("invocation", (report) => invocations.push(report));
    const failing = new Set([2, 5, 8]);
    const results = await h.publisher().publishMany(
      Array.from({ length: 10 }, (_, n) => ({
        type: "fails-first-time",
        payload: { n, fail: failing.has(n) },
      })),
    );
    const idOf = (n: number) => results[n]?.jobId;
    const failingIds = [...failing].map(idOf).sort();

    await h.waitFor((o) => o.filter((x) => x.kind === "processed").length === 10);
    expect(invocations[0]).toEqual({ jobType: "fails-first-time", records: 10, failed: 3, deleted: 7 });
    const failed = h.outcomes.filter((o) => o.kind === "failed").map((o) => o.jobId);
    expect(failed.sort()).toEqual(failingIds);
    const secondAttempts = h.outcomes.filter((o) => o.attempt === 2);
    expect(secondAttempts.map((o) => [o.jobId, o.kind]).sort()).toEqual(
      failingIds.map((id) => [id, "processed"]),
    );
    expect(h.outcomes.filter((o) => o.kind === "processed" && o.attempt === 1)).toHaveLength(7);
  });
});
