import type { Command } from "commander";
import { queueStatus, type StatusReport } from "../../operations/queue-status.ts";
import type { CommandContext } from "../context.ts";
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
OLDEST age of the oldest message of the queue, OLDEST DEAD of its DLQ. The "unrouted" row is the queue that
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
        const report = await queueStatus(await connection.topology(), connection.reader());
        output.result(report, formatStatus(report));
      } finally {
        connection.close();
      }
    });
}

const KIND_LABELS = { subscriber: "subscriber", "catch-all": "sorter", unrouted: "no worker" } as const;

export function formatStatus(report: StatusReport): string {
  const table = formatTable(
    ["JOB TYPE", "VISIBLE", "IN FLIGHT", "DELAYED", "DLQ", "UNDELIVERED", "OLDEST", "OLDEST DEAD"],
    report.queues.map((q) => [
      q.kind === "worker" ? q.consumer : `${q.consumer} (${KIND_LABELS[q.kind]})`,
      q.visible,
      q.inFlight,
      q.delayed,
      q.dlqDepth ?? "-",
      q.undelivered,
      formatAge(q.oldestAgeSeconds),
      formatAge(q.oldestDeadLetterAgeSeconds),
    ]),
  );
  const note =
    report.ageSource === "cloudwatch"
      ? "ages from CloudWatch, up to a few minutes behind"
      : "OLDEST needs CloudWatch (AWS only); OLDEST DEAD from a peek of the DLQ";
  return `${table}\n(${note})`;
}
