import type { Command } from "commander";
import { NotFoundError, PartialFailureError, UsageError } from "../../core/errors.ts";
import {
  type JobTypeOf,
  type PayloadInput,
  parsePayload,
  type Registry,
  requireJob,
} from "../../core/registry.ts";
import { type BulkItem, type BulkSummary, checkItems, formatSummary, publishBulk } from "../bulk-publish.ts";
import type { Connection } from "../connection.ts";
import { type CommandContext, exampleJobType, positiveInteger, requireJobType } from "../context.ts";
import { parseDelay } from "../duration.ts";
import { EXIT } from "../exit-codes.ts";
import { looksLikeNdjson, parseJson, parseNdjson, readSource } from "../read-input.ts";

interface PublishOptions {
  readonly correlationId?: string;
  readonly count?: number;
  readonly ndjson?: boolean;
  readonly delay?: number;
}

/** The most copies one `--count` publishes; more is a load test, which `bench/` is for. */
const MAX_COUNT = 100_000;

export function registerPublish(program: Command, context: CommandContext): void {
  const { io, output } = context;
  const example = exampleJobType(context);
  program
    .command("publish")
    .description(
      "Validate a job against its schema and publish it to the topic; many at once with --count or NDJSON input",
    )
    .argument("<type>", `job type: ${context.knownTypes().join(", ") || "one of the app's registry"}`)
    .argument("[payload]", "the payload: inline JSON, @file, or - for standard input (the default)")
    .option("--correlation-id <id>", "tie the job to others of the same request")
    .option("--delay <time>", "deliver the job this much later, up to 12h: 90s, 10m, 1h30m", parseDelay)
    .option(
      "-c, --count <n>",
      "publish N copies of the payload, through PublishBatch",
      positiveInteger("--count", MAX_COUNT),
    )
    .option(
      "--ndjson",
      "the input holds one payload per line (detected anyway when several lines are not one JSON document)",
    )
    .addHelpText(
      "after",
      `
Examples:
  fanout --local publish ${example} '{...}'
  fanout --local publish ${example} @payload.json
  fanout --local publish ${example} --count 1000 @payload.json
  fanout --local publish ${example} --delay 10m @payload.json
  cat jobs.ndjson | fanout --local --json publish ${example} -

A bulk run prints "sent N, offloaded M, failed K" and the reasons; it exits 65 if only invalid lines were
refused (the valid ones were sent), 1 if any job could not be sent.`,
    )
    .action(
      async (
        type: string,
        payloadArgument: string | undefined,
        options: PublishOptions,
        command: Command,
      ) => {
        const { registry } = context;
        requireJobType(registry, type);
        if (payloadArgument === undefined && io.stdin.isTTY) {
          throw new UsageError(
            `No payload: pass it as JSON, @file, or pipe it into "fanout publish ${type} -".`,
          );
        }
        const source = await readSource(payloadArgument ?? "-", io.stdin);
        const bulk = options.ndjson || looksLikeNdjson(source.text);
        if (bulk && options.count !== undefined) {
          throw new UsageError(
            "--count repeats one payload; it cannot be combined with newline-delimited input.",
          );
        }
        if (bulk || options.count !== undefined) {
          let items: BulkItem[];
          if (bulk) {
            items = parseNdjson(source.text).map((l) => ({
              label: `line ${l.line}`,
              ...(l.error !== undefined ? { error: l.error } : { payload: l.value }),
            }));
            if (items.length === 0) throw new UsageError(`${source.where} holds no lines to publish.`);
          } else {
            const payload = parseJson(source);
            validate(registry, type, payload);
            items = Array.from({ length: options.count ?? 1 }, (_, i) => ({
              label: `copy ${i + 1}`,
              payload,
            }));
          }
          await publishMany(context, command, type, items, options.delay);
          return;
        }
        const payload = parseJson(source);
        validate(registry, type, payload);
        const connection = context.connect(command);
        try {
          await requireRunningWorker(connection, type);
          const publisher = await connection.publisher(registry, { delayed: options.delay !== undefined });
          const result = await publisher.publish(
            type as JobTypeOf<Registry>,
            payload as PayloadInput<Registry, JobTypeOf<Registry>>,
            {
              ...(options.correlationId ? { correlationId: options.correlationId } : {}),
              ...(options.delay !== undefined ? { delaySeconds: options.delay } : {}),
            },
          );
          output.result(
            {
              jobId: result.jobId,
              type: result.type,
              offloaded: result.offloaded,
              messageId: result.messageId,
              ...(options.delay !== undefined ? { delaySeconds: options.delay } : {}),
            },
            `published ${result.type} job ${result.jobId} (${result.offloaded ? "offloaded to S3" : "inline"})${options.delay !== undefined ? `, due in ${options.delay} s` : ""}`,
          );
        } finally {
          connection.close();
        }
      },
    );
}

/**
 * On an emulator, a type whose worker queue the running topology lacks (it was started before the type was
 * added) would only reach the unrouted queue: refused, unsent. On AWS that queue keeps the job, by design.
 */
async function requireRunningWorker(connection: Connection, type: string): Promise<void> {
  if (connection.endpoint === undefined) return;
  const worker = (await connection.topology()).workers.find((w) => w.consumer === type);
  if (!worker) return;
  try {
    await connection.queue(worker.queueName);
  } catch (error) {
    if (!(error instanceof NotFoundError)) throw error;
    throw new NotFoundError(
      `The running cloud at ${connection.endpoint} has no queue for ${type} (${worker.queueName}): it was provisioned before ${type} was in the registry. Restart fanout start; nothing was published.`,
      { cause: error },
    );
  }
}

/** The publisher's own check, before any connection, so a bad payload fails the same with or without a cloud. */
function validate(registry: Registry, type: string, payload: unknown): void {
  parsePayload(requireJob(registry, type), payload);
}

async function publishMany(
  context: CommandContext,
  command: Command,
  type: string,
  items: readonly BulkItem[],
  delaySeconds: number | undefined,
): Promise<void> {
  const { registry, output } = context;
  const checked = checkItems(registry, type, items);
  let summary: BulkSummary;
  if (checked.ready.length === 0) {
    // Nothing valid to send: no connection, so the verdict on the input does not depend on the network.
    summary = await publishBulk(undefined, type, items.length, checked, output.progress("", 0));
  } else {
    const connection = context.connect(command);
    try {
      await requireRunningWorker(connection, type);
      const publisher = await connection.publisher(registry, { delayed: delaySeconds !== undefined });
      const progress = output.progress(`publish ${type}`, checked.ready.length);
      summary = await publishBulk(publisher, type, items.length, checked, progress, delaySeconds);
    } finally {
      connection.close();
    }
  }
  output.result(summary, formatSummary(summary));
  if (summary.failed > 0) {
    const sendFailures = summary.failures.filter((f) => !f.invalid).length;
    throw new PartialFailureError(
      sendFailures > 0
        ? `${sendFailures} of ${summary.total} jobs could not be sent (reasons above); publish them again.`
        : `${summary.failed} of ${summary.total} jobs were refused as invalid and not sent (reasons above); fix them and publish those again.`,
      sendFailures > 0 ? EXIT.failure : EXIT.dataError,
    );
  }
}
