import type { PayloadReader } from "../core/payload-store.ts";
import { subscriptions, type Topology } from "../core/topology.ts";
import { JOB_FIGURES_MINUTES } from "../operations/job-figures.ts";
import type { QueueReader } from "../operations/queue-status.ts";
import type { DeadLetterIndex } from "./dead-letter-index.ts";
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
  readonly deadLetters: DeadLetterIndex;
  readonly allowActions: boolean;
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
    fifoTopic: t.fifoTopicName,
    bucket: t.bucketName,
    workers: t.workers.map((w) => ({
      type: w.consumer,
      fifo: w.fifo,
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
        rates: q.kind === "worker" ? jobRates(context, q.consumer) : null,
        throughput: q.kind !== "worker" || throughput.source === "none" ? null : series,
      };
    }),
  };
}

/** A worker's outcomes over the window: from the local runners' events, or from Fanout's metrics on AWS. */
function jobFigures(context: ApiContext, jobType: string) {
  return context.outcomes?.figures(jobType) ?? context.sampler.cloudWatchJobs(jobType) ?? null;
}

/** A worker's outcomes per minute and its duration percentiles: from the runners, or CloudWatch on AWS. */
function jobRates(context: ApiContext, jobType: string) {
  return context.outcomes?.rates(jobType) ?? context.sampler.cloudWatchRates(jobType) ?? null;
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
