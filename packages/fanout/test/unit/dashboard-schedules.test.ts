import { describe, expect, it } from "vitest";
import { z } from "zod";
import { defineJob, defineRegistry } from "../../src/core/registry.ts";
import { schedulesView } from "../../src/dashboard/schedules.ts";
import type { ScheduleRun } from "../../src/local/local-scheduler.ts";

const registry = defineRegistry({
  app: "shop",
  jobs: [
    defineJob({
      type: "sales-summary",
      description: "Sums a day of sales.",
      schema: z.object({ day: z.string() }),
    }),
  ],
  schedules: [
    {
      name: "nightly",
      expression: "cron(0 3 * * ? *)",
      timeZone: "Europe/Paris",
      jobType: "sales-summary",
      payload: { day: "yesterday" },
    },
    { name: "often", expression: "rate(5 minutes)", jobType: "sales-summary", payload: { day: "today" } },
  ],
});

describe("the dashboard's schedules", () => {
  it("gives a cron schedule's next run from its expression and time zone, and no last run where none is known", () => {
    const view = schedulesView(registry.schedules, "aws", undefined, new Date("2026-12-02T10:00:00Z"));
    expect(view.schedules).toEqual([
      expect.objectContaining({
        name: "nightly",
        nextRun: "2026-12-03T02:00:00.000Z",
        lastRun: null,
        everySeconds: null,
      }),
      // A rate counts from when the schedule was created on AWS, which the registry does not know.
      expect.objectContaining({ name: "often", nextRun: null, lastRun: null, everySeconds: 300 }),
    ]);
    expect(view.note).toMatch(/EventBridge Scheduler keeps no run history/);
  });

  it("takes next and last runs from the local cloud's scheduler when it fires them", () => {
    const last: ScheduleRun = {
      schedule: "often",
      jobId: "often-1a2b3c",
      jobType: "sales-summary",
      scheduledAt: "2026-12-02T10:05:00.000Z",
      firedAt: "2026-12-02T10:05:00.004Z",
    };
    const clock = {
      lastRuns: () => new Map([["often", last]]),
      nextRun: () => new Date("2026-12-02T10:10:00Z"),
    };
    const view = schedulesView(registry.schedules, "local", clock, new Date("2026-12-02T10:06:00Z"));
    expect(view.schedules.find((s) => s.name === "often")).toMatchObject({
      nextRun: "2026-12-02T10:10:00.000Z",
      lastRun: last,
    });
  });
});
