import type { ScheduleDefinition } from "../core/schedule.ts";
import type { ScheduleRun } from "../local/local-scheduler.ts";
import { scheduleRuns } from "../operations/schedule-runs.ts";
import type { Target } from "./api.ts";

/** What fires the schedules where the dashboard looks, when it can tell: the local cloud's scheduler. */
export interface ScheduleClock {
  lastRuns(): ReadonlyMap<string, ScheduleRun>;
  nextRun(schedule: ScheduleDefinition): Date | null;
}

/** Each schedule with its next run and, where the runs are known, its last one. */
export function schedulesView(
  schedules: readonly ScheduleDefinition[],
  target: Target,
  clock: ScheduleClock | undefined,
  now = new Date(),
) {
  const lastRuns = clock?.lastRuns();
  return {
    note: clock
      ? "Fired by the local cloud, as EventBridge Scheduler fires them on AWS; a rate counts from when fanout start started."
      : target === "aws"
        ? "EventBridge Scheduler keeps no run history: a run's job has the id <schedule>-<execution id>, and its outcome is in the job type's log group. A rate's next run depends on when the schedule was created, which is not shown."
        : "Last runs are known to the dashboard of fanout start, which fires the schedules.",
    schedules: schedules.map((schedule) => {
      const { nextRuns, ...described } = scheduleRuns(schedule, now, 1);
      return {
        ...described,
        nextRun: clock?.nextRun(schedule)?.toISOString() ?? nextRuns?.[0] ?? null,
        lastRun: lastRuns?.get(schedule.name) ?? null,
      };
    }),
  };
}
