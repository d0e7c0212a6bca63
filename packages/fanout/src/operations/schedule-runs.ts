import type { Registry } from "../core/registry.ts";
import type { ScheduleDefinition } from "../core/schedule.ts";
import { nextRunsAfter } from "../core/schedule-expression.ts";

/** A schedule of the registry and when it runs next: what `fanout schedules` lists and the dashboard shows. */
export interface ScheduleRuns {
  readonly name: string;
  readonly jobType: string;
  readonly expression: string;
  readonly timeZone: string;
  readonly description: string;
  /**
   * The next runs after the given time, ISO 8601 UTC. Null for a rate: it counts from when the schedule was
   * created (on AWS) or from when `fanout start` started, which the registry alone does not know.
   */
  readonly nextRuns: readonly string[] | null;
  /** For a rate, its period in seconds. */
  readonly everySeconds: number | null;
}

export function scheduleRuns(schedule: ScheduleDefinition, after: Date, count: number): ScheduleRuns {
  const { parsed } = schedule;
  return {
    name: schedule.name,
    jobType: schedule.jobType,
    expression: schedule.expression,
    timeZone: schedule.timeZone,
    description: schedule.description,
    nextRuns:
      parsed.kind === "cron"
        ? nextRunsAfter(parsed, schedule.timeZone, after, count).map((d) => d.toISOString())
        : null,
    everySeconds: parsed.kind === "rate" ? parsed.seconds : null,
  };
}

/** Every schedule of the registry with its next `count` runs after `after`. */
export function nextRuns(registry: Registry, after = new Date(), count = 3): ScheduleRuns[] {
  return registry.schedules.map((schedule) => scheduleRuns(schedule, after, count));
}
