import type { Command } from "commander";
import { UsageError } from "../../core/errors.ts";
import type { JobTypeOf, PayloadInput, Registry } from "../../core/registry.ts";
import { newScheduledJobId, type ScheduleDefinition } from "../../core/schedule.ts";
import { nextRuns, type ScheduleRuns } from "../../operations/schedule-runs.ts";
import { type CommandContext, positiveInteger } from "../context.ts";
import { formatTable } from "../table.ts";

interface ListOptions {
  readonly next: number;
  readonly after?: Date;
}

function instant(value: string): Date {
  const date = new Date(value);
  if (Number.isNaN(date.getTime()))
    throw new UsageError(`--after "${value}" is not a time; pass one like 2026-12-24T18:00:00Z.`);
  return date;
}

function requireSchedule(registry: Registry, name: string): ScheduleDefinition {
  const schedule = registry.schedules.find((s) => s.name === name);
  if (!schedule) {
    const known = registry.schedules.map((s) => s.name);
    throw new UsageError(
      `Unknown schedule "${name}". ${known.length > 0 ? `Known schedules: ${known.join(", ")}.` : "The registry declares no schedules."}`,
    );
  }
  return schedule;
}

/** A run time as the schedule's time zone reads it, with UTC beside it. */
function localTime(iso: string, timeZone: string): string {
  const parts = new Intl.DateTimeFormat("sv-SE", {
    timeZone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
  }).format(new Date(iso));
  return timeZone === "UTC" ? `${parts} UTC` : `${parts} ${timeZone} (${iso.slice(11, 16)} UTC)`;
}

function every(seconds: number): string {
  for (const [unit, size] of [
    ["day", 86_400],
    ["hour", 3600],
  ] as const) {
    if (seconds % size === 0) return `every ${seconds / size} ${unit}${seconds === size ? "" : "s"}`;
  }
  return `every ${seconds / 60} minute${seconds === 60 ? "" : "s"}`;
}

export function formatSchedules(schedules: readonly ScheduleRuns[]): string {
  if (schedules.length === 0) return "The registry declares no schedules.";
  return formatTable(
    ["SCHEDULE", "JOB TYPE", "EXPRESSION", "NEXT RUN"],
    schedules.map((s) => [
      s.name,
      s.jobType,
      s.expression,
      s.nextRuns === null
        ? `${every(s.everySeconds ?? 0)}, counted from its creation`
        : s.nextRuns[0]
          ? localTime(s.nextRuns[0], s.timeZone)
          : "no run left",
    ]),
  );
}

export function registerSchedules(program: Command, context: CommandContext): void {
  const { output } = context;
  const schedules = program
    .command("schedules")
    .description("List the registry's schedules and their next runs; run one now")
    .option(
      "-n, --next <n>",
      "how many next runs --json lists per schedule",
      positiveInteger("--next", 100),
      3,
    )
    .option("--after <time>", "list the runs after this time instead of now (ISO 8601)", instant)
    .addHelpText(
      "after",
      `
The run times come from the registry alone (the same expressions EventBridge Scheduler runs on AWS and
fanout start runs locally), in each schedule's time zone. A rate schedule counts from when it was created on
AWS, or from when fanout start started, so only its period is shown.

Examples:
  fanout schedules
  fanout --json schedules -n 5 --after 2026-12-24T00:00:00Z
  fanout --local schedules run <name>`,
    )
    .action((options: ListOptions) => {
      const runs = nextRuns(context.registry, options.after ?? new Date(), options.next);
      output.result({ schedules: runs }, formatSchedules(runs));
    });
  schedules
    .command("run")
    .description("Run a schedule now: publish its job, with a new job id and now as its scheduled time")
    .argument("<name>", "the schedule's name")
    .addHelpText(
      "after",
      `
The job is published to the topic as the schedule would publish it, and is routed and processed like any
other; the schedule itself keeps its times.

Examples:
  fanout --local schedules run nightly-sales-summary`,
    )
    .action(async (name: string, _options: unknown, command: Command) => {
      const schedule = requireSchedule(context.registry, name);
      const connection = context.connect(command);
      try {
        const publisher = await connection.publisher(context.registry);
        const result = await publisher.publish(
          schedule.jobType as JobTypeOf<Registry>,
          schedule.payload as PayloadInput<Registry, JobTypeOf<Registry>>,
          { jobId: newScheduledJobId(schedule.name), createdAt: new Date() },
        );
        output.result(
          { schedule: schedule.name, jobId: result.jobId, type: result.type, messageId: result.messageId },
          `ran schedule ${schedule.name}: published ${result.type} job ${result.jobId}`,
        );
      } finally {
        connection.close();
      }
    });
}
