import { describe, expect, it } from "vitest";
import { z } from "zod";
import { defineJob, defineRegistry } from "../../src/core/registry.ts";
import { type Clock, LocalScheduler, type ScheduleRun } from "../../src/local/local-scheduler.ts";

const registry = defineRegistry({
  app: "shop",
  jobs: [defineJob({ type: "tick", description: "A tick.", schema: z.object({}) })],
  schedules: [{ name: "every-minute", expression: "rate(1 minute)", jobType: "tick", payload: {} }],
});

/** A clock whose sleeps wake one millisecond before their time, as a system timer may, until `limit`. */
function earlyWakingClock(start: number, limit: number): Clock {
  let now = start;
  return {
    now: () => now,
    sleepUntil: async (time, signal) => {
      if (time > limit) {
        await new Promise((_, reject) => signal.addEventListener("abort", () => reject(signal.reason)));
      }
      now = now < time - 1 ? time - 1 : time;
    },
  };
}

describe("the local scheduler", () => {
  it("never fires a run before its time, even when its clock wakes early", async () => {
    const start = Date.parse("2026-12-02T10:00:00Z");
    const runs: ScheduleRun[] = [];
    const published: string[] = [];
    const scheduler = new LocalScheduler(
      registry.schedules,
      async (schedule, jobId, scheduledAt) => {
        published.push(scheduledAt.toISOString());
        return { ok: true, jobId, type: schedule.jobType, offloaded: false, messageId: jobId };
      },
      earlyWakingClock(start, start + 180_000),
    );
    const threeRuns = new Promise<void>((resolve) =>
      scheduler.on("run", (run) => {
        runs.push(run);
        if (runs.length === 3) resolve();
      }),
    );
    scheduler.start();
    await threeRuns;
    await scheduler.stop();
    expect(runs.map((r) => [r.scheduledAt, r.firedAt])).toEqual([
      ["2026-12-02T10:01:00.000Z", "2026-12-02T10:01:00.000Z"],
      ["2026-12-02T10:02:00.000Z", "2026-12-02T10:02:00.000Z"],
      ["2026-12-02T10:03:00.000Z", "2026-12-02T10:03:00.000Z"],
    ]);
    expect(published).toEqual(runs.map((r) => r.scheduledAt));
  });
});
