import { HttpError } from "../core/errors.ts";
import type { PayloadReader } from "../core/payload-store.ts";
import { subscriptions, type Topology } from "../core/topology.ts";
import type { DeadLetter } from "../operations/dead-letters.ts";
import { peekDeadLetters } from "../operations/dead-letters.ts";
import { byMessageId } from "../operations/find-dead-letter.ts";
import { describeHolding, type HoldingQueue, holdingQueue } from "../operations/holding-queues.ts";
import { JOB_FIGURES_MINUTES } from "../operations/job-figures.ts";
import type { QueueReader } from "../operations/queue-status.ts";
import { visibleCount } from "../operations/redrive.ts";
import { redriveHolding } from "../operations/redrive-holding.ts";
import { redriveMessage } from "../operations/redrive-one.ts";
import type { KeyedLock } from "./lock.ts";
import type { OutcomeLog } from "./outcomes.ts";
import type { QueueSampler } from "./sampler.ts";

/** Where the dashboard reads from: decides which figures exist and where to look for the others. */
export type Target = "local" | "endpoint" | "aws";

export interface ApiContext {
  readonly topology: Topology;
  readonly target: Target;
  readonly endpoint: string | undefined;
  readonly reader: QueueReader;
  readonly payloads: PayloadReader;
  readonly topicArn: () => Promise<string>;
  readonly sampler: QueueSampler;
  /** Present when the local runners feed outcomes in. */
  readonly outcomes: OutcomeLog | undefined;
  readonly lock: KeyedLock;
  readonly allowActions: boolean;
}

/** Dead letters shown at once; the CLI's `dlq peek -n` reads more. */
const DEFAULT_DEAD_LETTERS = 50;
const MAX_DEAD_LETTERS = 500;
/** A payload is shown up to this many characters; the CLI's `dlq peek --json` has it whole. */
const PAYLOAD_PREVIEW_CHARS = 20_000;

/** `?source=undelivered` picks a subscription's DLQ instead of the consumer's own DLQ. */
function findHolding(context: ApiContext, consumer: string, source: string | null): HoldingQueue {
  if (source !== null && source !== "undelivered") {
    throw new HttpError(400, `source must be "undelivered" or absent; got "${source}".`);
  }
  const holding = holdingQueue(context.topology, consumer, source === "undelivered");
  if (!holding) {
    const known = subscriptions(context.topology).map((q) => q.consumer);
    throw new HttpError(404, `Unknown job type "${consumer}". Known: ${known.join(", ")}.`);
  }
  return holding;
}

export function meta(context: ApiContext) {
  return {
    app: context.topology.app,
    target: context.target,
    endpoint: context.endpoint ?? null,
    allowActions: context.allowActions,
    sampleIntervalMs: context.sampler.intervalMs,
  };
}

export function topology(context: ApiContext) {
  const t = context.topology;
  return {
    app: t.app,
    topic: t.topicName,
    bucket: t.bucketName,
    workers: t.workers.map((w) => ({
      type: w.consumer,
      description: w.job.description,
      queue: w.queueName,
      dlq: w.dlqName,
      undelivered: w.deliveryDlqName,
      function: w.names.function,
      maxReceiveCount: w.maxReceiveCount,
      publishes: [...(w.job.worker.publishes ?? [])],
    })),
    subscribers: t.subscribers.map((s) => ({
      name: s.consumer,
      queue: s.queueName,
      dlq: s.dlqName,
      undelivered: s.deliveryDlqName,
      filterPolicy: s.filterPolicy === null ? null : (JSON.parse(s.filterPolicy) as unknown),
      maxReceiveCount: s.maxReceiveCount,
    })),
    unrouted: { queue: t.unrouted.queueName, undelivered: t.unrouted.deliveryDlqName },
  };
}

function throughputSource(context: ApiContext) {
  if (context.outcomes) {
    const seconds = context.outcomes.bucketMs / 1000;
    return {
      source: "runner",
      bucketSeconds: seconds,
      note: `Jobs processed per ${seconds} s by the local runners, last ${(context.outcomes.buckets * seconds) / 60} minutes.`,
    };
  }
  if (context.target === "aws") {
    return {
      source: "cloudwatch",
      bucketSeconds: 60,
      note: `Jobs processed per minute (Fanout's JobsProcessed in CloudWatch), last ${JOB_FIGURES_MINUTES} minutes, a few minutes behind.`,
    };
  }
  return {
    source: "none",
    bucketSeconds: 0,
    note: "Throughput needs the local runners (start the dashboard with fanout start) or CloudWatch (AWS).",
  };
}

export function queues(context: ApiContext) {
  const { sampler, outcomes } = context;
  const throughput = throughputSource(context);
  return {
    sampledAt: sampler.sampledAt === null ? null : new Date(sampler.sampledAt).toISOString(),
    error: sampler.error,
    ageNote:
      context.reader.cloudwatch !== undefined
        ? "Ages from CloudWatch (ApproximateAgeOfOldestMessage), a few minutes behind."
        : "Oldest job needs CloudWatch (AWS only): reading a worker queue would count toward its jobs' receive limit. Oldest dead letter comes from a peek of the DLQ.",
    throughput,
    queues: subscriptions(context.topology).map((q) => {
      const series =
        throughput.source === "runner"
          ? (outcomes?.throughput(q.consumer) ?? [])
          : (sampler.cloudWatchThroughput(q.consumer) ?? []);
      return {
        consumer: q.consumer,
        kind: q.kind,
        queue: q.queueName,
        dlq: q.kind === "unrouted" ? null : q.dlqName,
        undelivered: q.deliveryDlqName,
        figures: sampler.figures(q.consumer) ?? null,
        // Subscriber and unrouted queues are not read by a Fanout worker: nothing reports their jobs.
        jobs: q.kind === "worker" ? jobFigures(context, q.consumer) : null,
        throughput: q.kind !== "worker" || throughput.source === "none" ? null : series,
      };
    }),
  };
}

/** A worker's outcomes over the window: from the local runners' events, or from Fanout's metrics on AWS. */
function jobFigures(context: ApiContext, jobType: string) {
  return context.outcomes?.figures(jobType) ?? context.sampler.cloudWatchJobs(jobType) ?? null;
}

/** Every worker's outcomes over the window, for `fanout status --local`. */
export function jobs(context: ApiContext) {
  return {
    app: context.topology.app,
    windowMinutes: JOB_FIGURES_MINUTES,
    source: context.outcomes ? "runner" : context.target === "aws" ? "cloudwatch" : "none",
    jobs: Object.fromEntries(
      context.topology.workers.map((w) => [w.consumer, jobFigures(context, w.consumer)]),
    ),
  };
}

export function recentOutcomes(context: ApiContext) {
  if (!context.outcomes) {
    return {
      available: false,
      note:
        context.target === "aws"
          ? "Outcomes are logged by each function: see the CloudWatch Logs group /aws/lambda/<app>-<job type>."
          : "Outcomes come from the local runners: start the dashboard with the local cloud (fanout start) to see them.",
      outcomes: [],
    };
  }
  return { available: true, note: null, outcomes: context.outcomes.recent() };
}

export interface DeadLetterView extends Omit<DeadLetter, "payload"> {
  /** The payload as pretty JSON (or the raw body when it could not be decoded), cut at a preview length. */
  readonly payloadText: string;
  readonly payloadTruncated: boolean;
}

function toView(letter: DeadLetter): DeadLetterView {
  const { payload, ...rest } = letter;
  const full =
    typeof payload === "string" && letter.decodeError !== null
      ? payload
      : (JSON.stringify(payload, null, 2) ?? "");
  return {
    ...rest,
    payloadText: full.slice(0, PAYLOAD_PREVIEW_CHARS),
    payloadTruncated: full.length > PAYLOAD_PREVIEW_CHARS,
  };
}

export async function deadLetters(
  context: ApiContext,
  consumer: string,
  limitParam: string | null,
  source: string | null,
) {
  const holding = findHolding(context, consumer, source);
  const limit = limitParam === null ? DEFAULT_DEAD_LETTERS : Number(limitParam);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_DEAD_LETTERS) {
    throw new HttpError(400, `limit must be a whole number from 1 to ${MAX_DEAD_LETTERS}.`);
  }
  const { url } = await context.reader.queue(holding.queueName);
  const peeked = await context.lock.run(holding.queueName, () =>
    peekDeadLetters(context.reader.sqs, url, limit, {
      payloads: context.payloads,
      topicArn: context.topicArn,
    }),
  );
  // The page shows a bounded peek; what "redrive all" moves is the whole queue, so its count is the queue's.
  const depth = await visibleCount(context.reader.sqs, url);
  const letters = [...peeked.deadLetters];
  letters.sort((a, b) => (b.ageSeconds ?? 0) - (a.ageSeconds ?? 0));
  return {
    consumer,
    kind: holding.kind,
    what: describeHolding(holding),
    dlq: holding.queueName,
    queue: holding.redriveTo === "by-type" ? null : holding.redriveTo,
    limit,
    depth: Math.max(depth, letters.length),
    unreleased: peeked.unreleased,
    deadLetters: letters.map(toView),
  };
}

export async function redriveAll(context: ApiContext, consumer: string, source: string | null) {
  const holding = findHolding(context, consumer, source);
  const result = await context.lock.run(holding.queueName, () =>
    redriveHolding(context.reader.sqs, context.topology, holding, context.reader.queue),
  );
  await context.sampler.sampleNow();
  return result;
}

export async function redriveOne(
  context: ApiContext,
  consumer: string,
  messageId: string,
  source: string | null,
) {
  const holding = findHolding(context, consumer, source);
  if (holding.redriveTo === "by-type") {
    throw new HttpError(
      400,
      "An unrouted job is redriven with all the others of the unrouted queue, to its type's queue.",
    );
  }
  const [from, to] = await Promise.all([
    context.reader.queue(holding.queueName),
    context.reader.queue(holding.redriveTo),
  ]);
  const result = await context.lock.run(holding.queueName, () =>
    redriveMessage(context.reader.sqs, from, to, byMessageId(messageId)),
  );
  await context.sampler.sampleNow();
  return result;
}
