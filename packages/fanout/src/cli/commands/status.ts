import type { Command } from "commander";
import { queueStatus, type StatusReport } from "../../operations/queue-status.ts";
import type { ConnectionOptions } from "../connection.ts";
import type { CommandContext } from "../context.ts";
import { type JobFiguresReport, readJobFigures } from "../job-figures.ts";
import { formatAge, formatTable } from "../table.ts";

export function registerStatus(program: Command, context: CommandContext): void {
  const { output } = context;
  program
    .command("status")
    .description(
      "Show every job type's queue: messages visible, in flight, delayed, DLQ depth, oldest message",
    )
    .addHelpText(
      "after",
      `
Columns: VISIBLE waiting to be received, IN FLIGHT received and not yet deleted, DELAYED waiting for their
delay, DLQ dead letters, UNDELIVERED jobs SNS could not deliver to the queue (its subscription's DLQ),
OLDEST age of the oldest message of the queue, OLDEST DEAD of its DLQ. PROCESSED, FAILED and DEAD-LETTERED
count each worker's outcomes over the last 10 minutes: on AWS from Fanout's metrics in CloudWatch, with
--local from the running fanout start (the figures its dashboard shows). The "unrouted" row is the queue that
keeps jobs of a type no worker is subscribed for; "fanout dlq redrive unrouted" moves them on. The
"catch-all" row is the filter-less subscription whose function keeps messages without any attribute there.
On AWS the ages come from CloudWatch (ApproximateAgeOfOldestMessage, minutes behind). Elsewhere SQS has no
such API: the DLQ's age comes from a peek at up to 100 dead letters, and a worker queue's age is shown as
"-", because peeking it would count toward its jobs' maxReceiveCount.

Examples:
  fanout --local status
  fanout --json status | jq '.queues[] | select(.dlqDepth > 0)'`,
    )
    .action(async (_options: unknown, command: Command) => {
      const connection = context.connect(command);
      try {
        const local = Boolean(command.optsWithGlobals<ConnectionOptions>().local);
        const [report, jobs] = await Promise.all([
          connection.topology().then((topology) => queueStatus(topology, connection.reader())),
          readJobFigures(connection, local, context.io.env),
        ]);
        output.result({ ...report, jobs }, formatStatus(report, jobs));
      } finally {
        connection.close();
      }
    });
}

const KIND_LABELS = { subscriber: "subscriber", "catch-all": "sorter", unrouted: "no worker" } as const;

export function formatStatus(report: StatusReport, jobs: JobFiguresReport): string {
  const counted = (consumer: string, field: "processed" | "failed" | "deadLettered") =>
    jobs.byType[consumer]?.[field] ?? "-";
  const table = formatTable(
    [
      "JOB TYPE",
      "VISIBLE",
      "IN FLIGHT",
      "DELAYED",
      "DLQ",
      "UNDELIVERED",
      "OLDEST",
      "OLDEST DEAD",
      "PROCESSED",
      "FAILED",
      "DEAD-LETTERED",
    ],
    report.queues.map((q) => [
      q.kind === "worker" ? q.consumer : `${q.consumer} (${KIND_LABELS[q.kind]})`,
      q.visible,
      q.inFlight,
      q.delayed,
      q.dlqDepth ?? "-",
      q.undelivered,
      formatAge(q.oldestAgeSeconds),
      formatAge(q.oldestDeadLetterAgeSeconds),
      counted(q.consumer, "processed"),
      counted(q.consumer, "failed"),
      counted(q.consumer, "deadLettered"),
    ]),
  );
  const ages =
    report.ageSource === "cloudwatch"
      ? "ages from CloudWatch, up to a few minutes behind"
      : "OLDEST needs CloudWatch (AWS only); OLDEST DEAD from a peek of the DLQ";
  const counts =
    jobs.source === "none"
      ? `no job counts: ${jobs.note}`
      : `jobs of the last ${jobs.windowMinutes} minutes, from ${jobs.source === "cloudwatch" ? "Fanout's metrics in CloudWatch" : "the running fanout start"}`;
  return `${table}\n(${ages})\n(${counts})`;
}
