import type { Command } from "commander";
import { queueNames } from "../../shared/naming.ts";
import { type DeadLetter, decodeDeadLetter } from "../../shared/operations/dead-letters.ts";
import { peekMessages } from "../../shared/operations/peek.ts";
import { redrive } from "../../shared/operations/redrive.ts";
import { type CommandContext, positiveInteger, requireConsumer } from "../context.ts";
import { formatAge, formatTable, plural, truncate } from "../table.ts";

const MAX_PEEK = 1_000;
/** SQS move tasks accept up to 500 messages per second. */
const MAX_RATE = 500;

export function registerDlq(program: Command, context: CommandContext): void {
  const { registry, output } = context;
  const dlq = program
    .command("dlq")
    .description("Inspect and redrive a job type's dead-letter queue")
    .addHelpText(
      "after",
      `
Examples:
  fanout --local dlq peek check-order -n 5
  fanout --local --json dlq peek check-order | jq '.deadLetters[].reason'
  fanout --local dlq redrive check-order --rate 50`,
    );

  dlq
    .command("peek")
    .description(
      "Show dead letters decoded (pointers resolved, failure reason, receives, age) without consuming them",
    )
    .argument("<type>", "job type (or extra subscriber) whose DLQ to read")
    .option(
      "-n, --number <n>",
      `how many dead letters to show (at most ${MAX_PEEK})`,
      positiveInteger("-n", MAX_PEEK),
      10,
    )
    .addHelpText(
      "after",
      `
Peeking receives the messages and at once makes them visible again: the DLQ holds the same messages
afterwards, but each one's ApproximateReceiveCount goes up by one. Full payloads are in --json output.`,
    )
    .action(async (type: string, options: { number: number }, command: Command) => {
      requireConsumer(registry, type);
      const connection = context.connect(command);
      try {
        const { url, name } = await connection.queue(queueNames(registry.app, type).dlq);
        const peeked = await peekMessages(connection.clients.sqs, url, options.number);
        const now = Date.now();
        const topicArn = peeked.messages.length > 0 ? await connection.topicArn() : "";
        const deadLetters = await Promise.all(
          peeked.messages.map((m) => decodeDeadLetter(m, { payloads: connection.payloads, topicArn, now })),
        );
        if (peeked.unreleased > 0) {
          output.note(
            `fanout: ${plural(peeked.unreleased, "dead letter")} could not be made visible again; they reappear within 30 seconds.`,
          );
        }
        output.result(
          { dlq: name, shown: deadLetters.length, deadLetters },
          formatDeadLetters(name, deadLetters),
        );
      } finally {
        connection.close();
      }
    });

  dlq
    .command("redrive")
    .description("Move every dead letter back to its job type's queue, to be processed again")
    .argument("<type>", "job type (or extra subscriber) whose DLQ to redrive")
    .option(
      "--rate <n>",
      `at most N messages per second (1 to ${MAX_RATE}); default as fast as SQS allows`,
      positiveInteger("--rate", MAX_RATE),
    )
    .addHelpText(
      "after",
      `
On AWS this starts an SQS message move task (StartMessageMoveTask) and follows it to the end. Where that
API does not exist (the local cloud) the CLI moves the messages itself: receive, send to the queue, then
delete from the DLQ only what the queue accepted, so a message is moved at least once and never lost.
The failure attributes (FanoutError*) are dropped, so a job that fails again records a fresh reason.`,
    )
    .action(async (type: string, options: { rate?: number }, command: Command) => {
      requireConsumer(registry, type);
      const names = queueNames(registry.app, type);
      const connection = context.connect(command);
      try {
        const [dlqAddress, source] = await Promise.all([
          connection.queue(names.dlq),
          connection.queue(names.queue),
        ]);
        const result = await redrive(connection.clients.sqs, dlqAddress, source, {
          ...(options.rate ? { rate: options.rate } : {}),
          progress: output.progress(`redrive ${type}`, 0),
        });
        const how =
          result.mode === "move-task"
            ? "SQS move task"
            : "moved by the CLI: this endpoint has no StartMessageMoveTask";
        const notes = [
          result.leftNewer > 0
            ? `${plural(result.leftNewer, "dead letter")} that arrived during the redrive ${result.leftNewer === 1 ? "was" : "were"} left in the DLQ`
            : "",
          result.duplicates > 0
            ? `${result.duplicates} were copied but not deleted, and will be moved again`
            : "",
        ].filter(Boolean);
        output.result(
          result,
          `moved ${plural(result.moved, "dead letter")} from ${result.from} to ${result.to} (${how})${notes.length ? `; ${notes.join("; ")}` : ""}`,
        );
      } finally {
        connection.close();
      }
    });
}

const PAYLOAD_CHARS = 40;
const REASON_CHARS = 50;

export function formatDeadLetters(dlq: string, deadLetters: readonly DeadLetter[]): string {
  if (deadLetters.length === 0) return `${dlq} is empty.`;
  const table = formatTable(
    ["JOB ID", "RECEIVES", "AGE", "PAYLOAD IN", "ERROR", "PAYLOAD"],
    deadLetters.map((d) => [
      d.jobId ?? `(message ${d.messageId})`,
      d.attempts ?? "-",
      formatAge(d.ageSeconds),
      d.offloaded ? "S3" : "message",
      truncate(`${d.errorCode ?? "?"}: ${d.reason ?? "(no reason recorded)"}`, REASON_CHARS),
      d.decodeError
        ? truncate(`unreadable: ${d.decodeError}`, PAYLOAD_CHARS)
        : truncate(JSON.stringify(d.payload) ?? "", PAYLOAD_CHARS),
    ]),
  );
  return `${table}\n(${plural(deadLetters.length, "dead letter")} of ${dlq}, left in place; full payloads with --json)`;
}
