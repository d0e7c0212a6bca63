import { createInterface } from "node:readline/promises";
import { PurgeQueueCommand } from "@aws-sdk/client-sqs";
import type { Command } from "commander";
import { UsageError } from "../../core/errors.ts";
import type { Topology } from "../../core/topology.ts";
import { type DeadLetter, peekDeadLetters } from "../../operations/dead-letters.ts";
import { byJobOrMessageId } from "../../operations/find-dead-letter.ts";
import { describeHolding, type HoldingQueue, holdingQueue } from "../../operations/holding-queues.ts";
import { visibleCount } from "../../operations/redrive.ts";
import { redriveHolding } from "../../operations/redrive-holding.ts";
import { deleteDeadLetter, redriveMessage } from "../../operations/redrive-one.ts";
import type { Connection } from "../connection.ts";
import { type CommandContext, exampleJobType, positiveInteger, requireHoldingConsumer } from "../context.ts";
import type { CliIo } from "../io.ts";
import { formatAge, formatTable, plural, truncate, wrapText } from "../table.ts";

const MAX_PEEK = 1_000;
/** SQS move tasks accept up to 500 messages per second. */
const MAX_RATE = 500;

const UNDELIVERED_OPTION = [
  "--undelivered",
  "the subscription's DLQ instead: jobs SNS could not deliver to the queue",
] as const;

async function resolveHolding(
  connection: Connection,
  consumer: string,
  undelivered: boolean | undefined,
): Promise<{ topology: Topology; holding: HoldingQueue }> {
  const topology = await connection.topology();
  // requireHoldingConsumer has checked the name against the same registry.
  const holding = holdingQueue(topology, consumer, Boolean(undelivered)) as HoldingQueue;
  return { topology, holding };
}

export function registerDlq(program: Command, context: CommandContext): void {
  const { output } = context;
  const example = exampleJobType(context);
  const dlq = program
    .command("dlq")
    .description("Inspect and redrive where failed jobs wait: DLQs, subscription DLQs, the unrouted queue")
    .addHelpText(
      "after",
      `
Each job type (and subscriber) has two: its DLQ, where its worker dead-letters jobs, and with --undelivered
its subscription's DLQ, where SNS puts jobs it could not deliver to the queue. "unrouted" is the queue that
keeps jobs of a type no worker is subscribed for (or published without a jobType attribute).

Examples:
  fanout --local dlq peek ${example} -n 5
  fanout --local --json dlq peek ${example} | jq '.deadLetters[].reason'
  fanout --local dlq redrive ${example} --rate 50
  fanout --local dlq peek ${example} --undelivered
  fanout --local dlq redrive unrouted              # each job to its type's queue, once its worker exists`,
    );

  dlq
    .command("peek")
    .description(
      "Show dead letters decoded (pointers resolved, failure reason, receives, age) without consuming them",
    )
    .argument("<type>", "job type, extra subscriber, or unrouted")
    .option(...UNDELIVERED_OPTION)
    .option(
      "-n, --number <n>",
      `how many dead letters to show (at most ${MAX_PEEK})`,
      positiveInteger("-n", MAX_PEEK),
      10,
    )
    .option("--wide", "one line per dead letter, its whole reason in the ERROR column (for grep)")
    .addHelpText(
      "after",
      `
Each dead letter's whole reason follows its row, wrapped to the terminal. Peeking receives the messages and
at once makes them visible again: the DLQ holds the same messages afterwards, but each one's
ApproximateReceiveCount goes up by one. Full payloads are in --json output.`,
    )
    .action(async (type: string, options: PeekOptions, command: Command) => {
      requireHoldingConsumer(context.registry, type);
      const connection = context.connect(command);
      try {
        const { holding } = await resolveHolding(connection, type, options.undelivered);
        const { url, name } = await connection.queue(holding.queueName);
        const peeked = await peekDeadLetters(connection.clients.sqs, url, options.number, {
          payloads: connection.payloadReader,
          topicArn: connection.topicArn,
        });
        const { deadLetters } = peeked;
        if (peeked.unreleased > 0) {
          output.note(
            `fanout: ${plural(peeked.unreleased, "dead letter")} could not be made visible again; they reappear within 30 seconds.`,
          );
        }
        output.result(
          { dlq: name, kind: holding.kind, shown: deadLetters.length, deadLetters },
          formatDeadLetters(name, deadLetters, holding, {
            wide: options.wide ?? false,
            columns: context.io.stdout.columns ?? DEFAULT_COLUMNS,
          }),
        );
      } finally {
        connection.close();
      }
    });

  dlq
    .command("redrive")
    .description("Move every dead letter back to its job type's queue, to be processed again")
    .argument("<type>", "job type, extra subscriber, or unrouted")
    .option(...UNDELIVERED_OPTION)
    .option("--job <id>", "move only this one, by its job id or SQS message id")
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
The failure attributes (FanoutError*) are dropped, so a job that fails again records a fresh reason.
Undelivered jobs (--undelivered) go into the queue SNS could not reach; unrouted jobs each go to the queue
of their type, and stay where they are while no such queue exists.`,
    )
    .action(async (type: string, options: RedriveOptions, command: Command) => {
      requireHoldingConsumer(context.registry, type);
      const connection = context.connect(command);
      try {
        const { topology, holding } = await resolveHolding(connection, type, options.undelivered);
        if (options.job !== undefined) {
          if (holding.redriveTo === "by-type") {
            throw new UsageError(
              "An unrouted job is redriven with all the others of the unrouted queue, each to its type's queue: leave out --job.",
            );
          }
          const [from, to] = await Promise.all([
            connection.queue(holding.queueName),
            connection.queue(holding.redriveTo),
          ]);
          const sought = byJobOrMessageId(options.job, {
            payloads: connection.payloadReader,
            topicArn: await connection.topicArn(),
          });
          const result = await redriveMessage(connection.clients.sqs, from, to, sought);
          const jobId = sought.jobId();
          output.result(
            { ...result, jobId },
            `moved the dead letter of job ${jobId ?? `(unreadable, message ${result.messageId})`} from ${result.from} to ${result.to}${result.duplicate ? "; it could not be deleted from the DLQ, and may be moved again" : ""}`,
          );
          return;
        }
        const result = await redriveHolding(connection.clients.sqs, topology, holding, connection.queue, {
          ...(options.rate ? { rate: options.rate } : {}),
          progress: output.progress(`redrive ${type}`, 0),
        });
        const noun = holding.kind === "dead-letters" ? "dead letter" : `${holding.kind} job`;
        const how =
          holding.kind !== "dead-letters"
            ? ""
            : result.mode === "move-task"
              ? " (SQS move task)"
              : " (moved by the CLI: this endpoint has no StartMessageMoveTask)";
        const notes = [
          result.leftNewer > 0
            ? `${plural(result.leftNewer, noun)} that arrived during the redrive ${result.leftNewer === 1 ? "was" : "were"} left where ${result.leftNewer === 1 ? "it was" : "they were"}`
            : "",
          result.duplicates > 0
            ? `${result.duplicates} were copied but not deleted, and will be moved again`
            : "",
          result.left > 0
            ? `${plural(result.left, "job")} stayed: no worker queue exists for ${result.left === 1 ? "its type" : "their types"}`
            : "",
        ].filter(Boolean);
        output.result(
          result,
          `moved ${plural(result.moved, noun)} from ${result.from} to ${result.to}${how}${notes.length ? `; ${notes.join("; ")}` : ""}`,
        );
      } finally {
        connection.close();
      }
    });

  dlq
    .command("delete")
    .description("Delete one dead letter for good, found by its job id or SQS message id")
    .argument("<type>", "job type, extra subscriber, or unrouted")
    .argument("<id>", "the job id (as dlq peek shows it) or the SQS message id")
    .option(...UNDELIVERED_OPTION)
    .action(async (type: string, id: string, options: { undelivered?: boolean }, command: Command) => {
      requireHoldingConsumer(context.registry, type);
      const connection = context.connect(command);
      try {
        const { holding } = await resolveHolding(connection, type, options.undelivered);
        const dlq = await connection.queue(holding.queueName);
        const sought = byJobOrMessageId(id, {
          payloads: connection.payloadReader,
          topicArn: await connection.topicArn(),
        });
        const deleted = await deleteDeadLetter(connection.clients.sqs, dlq, sought);
        const jobId = sought.jobId();
        const messageId = deleted.MessageId ?? "";
        output.result(
          { jobId, messageId, from: dlq.name },
          `deleted the dead letter of job ${jobId ?? "(unreadable)"} (message ${messageId}) from ${dlq.name}`,
        );
      } finally {
        connection.close();
      }
    });

  dlq
    .command("purge")
    .description("Delete every dead letter of a DLQ for good; asks first, unless --yes")
    .argument("<type>", "job type, extra subscriber, or unrouted")
    .option(...UNDELIVERED_OPTION)
    .option("--yes", "purge without asking (where there is no terminal to ask on, it is required)")
    .action(async (type: string, options: { undelivered?: boolean; yes?: boolean }, command: Command) => {
      requireHoldingConsumer(context.registry, type);
      const connection = context.connect(command);
      try {
        const { holding } = await resolveHolding(connection, type, options.undelivered);
        const queue = await connection.queue(holding.queueName);
        const count = await visibleCount(connection.clients.sqs, queue.url);
        const noun = holding.kind === "dead-letters" ? "dead letter" : `${holding.kind} job`;
        if (!options.yes) {
          const what = `fanout dlq purge deletes all ${plural(count, noun)} of ${queue.name} for good`;
          if (!(context.io.stdin.isTTY && context.io.stderr.isTTY)) {
            throw new UsageError(`${what}: pass --yes to confirm (there is no terminal to ask on).`);
          }
          const answer = await ask(context.io, `${what}. Type the queue's name to confirm: `);
          if (answer !== queue.name) throw new UsageError(`Not purged: "${answer}" is not ${queue.name}.`);
        }
        await connection.clients.sqs.send(new PurgeQueueCommand({ QueueUrl: queue.url }));
        output.result(
          { purged: count, queue: queue.name },
          `purged ${plural(count, noun)} from ${queue.name} (SQS may take up to 60 seconds to finish; offloaded payloads expire with the bucket's lifecycle)`,
        );
      } finally {
        connection.close();
      }
    });
}

interface RedriveOptions {
  readonly rate?: number;
  readonly undelivered?: boolean;
  readonly job?: string;
}

/** Asks on the terminal; an operator types the answer. */
async function ask(io: CliIo, question: string): Promise<string> {
  const terminal = createInterface({ input: io.stdin, output: io.stderr });
  try {
    return (await terminal.question(question)).trim();
  } finally {
    terminal.close();
  }
}

interface PeekOptions {
  readonly number: number;
  readonly undelivered?: boolean;
  readonly wide?: boolean;
}

const PAYLOAD_CHARS = 40;
/** The width reasons are wrapped to where standard output is not a terminal. */
const DEFAULT_COLUMNS = 100;
const REASON_INDENT = "    ";

export interface DeadLetterLayout {
  /** One line per letter, the whole reason in its column; otherwise the reason wraps beneath its row. */
  readonly wide: boolean;
  readonly columns: number;
}

export function formatDeadLetters(
  dlq: string,
  deadLetters: readonly DeadLetter[],
  holding: HoldingQueue,
  layout: DeadLetterLayout,
): string {
  const what = holding.kind === "dead-letters" ? "" : ` (it holds ${describeHolding(holding)})`;
  if (deadLetters.length === 0) return `${dlq} is empty${what}.`;
  const reason = (d: DeadLetter) => `${d.errorCode ?? "?"}: ${d.reason ?? "(no reason recorded)"}`;
  // ATTEMPTS is how often the job ran before it was dead-lettered, not how often the dead letter was received.
  const headers = ["JOB ID", "ATTEMPTS", "AGE", "PAYLOAD IN", ...(layout.wide ? ["ERROR"] : []), "PAYLOAD"];
  const rows = deadLetters.map((d) => [
    d.jobId ?? `(message ${d.messageId})`,
    d.attempts ?? "-",
    formatAge(d.ageSeconds),
    d.offloaded ? "S3" : "message",
    ...(layout.wide ? [reason(d).replace(/\s+/g, " ")] : []),
    d.decodeError
      ? truncate(`unreadable: ${d.decodeError}`, PAYLOAD_CHARS)
      : truncate(JSON.stringify(d.payload) ?? "", PAYLOAD_CHARS),
  ]);
  const [header = "", ...lines] = formatTable(headers, rows).split("\n");
  const width = Math.max(20, layout.columns - REASON_INDENT.length);
  const body = layout.wide
    ? lines
    : lines.flatMap((line, i) => [
        line,
        ...wrapText(reason(deadLetters[i] as DeadLetter), width).map((l) => REASON_INDENT + l),
      ]);
  const table = [header, ...body].join("\n");
  const noun = holding.kind === "dead-letters" ? "dead letter" : "job";
  return `${table}\n(${plural(deadLetters.length, noun)} of ${dlq}${what}, left in place; full payloads with --json)`;
}
