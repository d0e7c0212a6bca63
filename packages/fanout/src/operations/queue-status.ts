import { type CloudWatchClient, GetMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { GetQueueAttributesCommand, type SQSClient } from "@aws-sdk/client-sqs";
import { type QueueTopology, subscriptions, type Topology, type UnroutedTopology } from "../core/topology.ts";
import { peekMessages } from "./peek.ts";
import type { QueueLookup } from "./queue-address.ts";

/** What reading queue figures needs: SQS, a way to find queues, and CloudWatch where there is one (AWS). */
export interface QueueReader {
  readonly sqs: SQSClient;
  readonly queue: QueueLookup;
  /** Absent off AWS: the local cloud has no CloudWatch, so ages come from a peek of the DLQ there. */
  readonly cloudwatch?: CloudWatchClient | undefined;
}

export interface QueueDepth {
  readonly visible: number;
  readonly inFlight: number;
  readonly delayed: number;
}

export interface QueueStatus {
  /** The job type, the subscriber's name, or `unrouted`. */
  readonly consumer: string;
  readonly kind: "worker" | "subscriber" | "catch-all" | "unrouted";
  readonly queue: string;
  /** Null for the unrouted queue: nothing reads it, so nothing is dead-lettered from it. */
  readonly dlq: string | null;
  /** The subscription's DLQ: what SNS could not deliver to `queue`. */
  readonly deliveryDlq: string;
  readonly visible: number;
  readonly inFlight: number;
  readonly delayed: number;
  readonly dlqDepth: number | null;
  /** Jobs SNS could not deliver to the queue (the depth of `deliveryDlq`). */
  readonly undelivered: number;
  /** Seconds; null where it cannot be known (see `ageSource`). */
  readonly oldestAgeSeconds: number | null;
  readonly oldestDeadLetterAgeSeconds: number | null;
}

export interface StatusReport {
  readonly queues: readonly QueueStatus[];
  /**
   * `cloudwatch` on AWS (ApproximateAgeOfOldestMessage, up to a few minutes behind); `dlq-peek` elsewhere:
   * SQS has no API for it, and peeking a worker queue would count toward its jobs' receive limit, so only
   * dead-letter queues are sampled.
   */
  readonly ageSource: "cloudwatch" | "dlq-peek";
}

/** The oldest of this many dead letters is shown; a DLQ deeper than that gives the age of a sample. */
const DLQ_AGE_SAMPLE = 100;

export async function queueDepth(reader: QueueReader, name: string): Promise<QueueDepth> {
  const { url } = await reader.queue(name);
  const { Attributes = {} } = await reader.sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: url,
      AttributeNames: [
        "ApproximateNumberOfMessages",
        "ApproximateNumberOfMessagesNotVisible",
        "ApproximateNumberOfMessagesDelayed",
      ],
    }),
  );
  return {
    visible: Number(Attributes.ApproximateNumberOfMessages ?? 0),
    inFlight: Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0),
    delayed: Number(Attributes.ApproximateNumberOfMessagesDelayed ?? 0),
  };
}

/** Seconds since the oldest of a sample of a queue's messages was sent; only for DLQs (a peek counts as a receive). */
export async function oldestByPeek(reader: QueueReader, name: string): Promise<number | null> {
  const { url } = await reader.queue(name);
  const { messages } = await peekMessages(reader.sqs, url, DLQ_AGE_SAMPLE);
  const sent = messages.map((m) => Number(m.Attributes?.SentTimestamp)).filter(Number.isFinite);
  return sent.length === 0 ? null : (Date.now() - Math.min(...sent)) / 1000;
}

/** One GetMetricData request for every queue: the latest one-minute maximum of each. */
export async function oldestByCloudWatch(
  cloudwatch: CloudWatchClient,
  names: readonly string[],
): Promise<Map<string, number | null>> {
  const end = new Date();
  const { MetricDataResults = [] } = await cloudwatch.send(
    new GetMetricDataCommand({
      StartTime: new Date(end.getTime() - 15 * 60_000),
      EndTime: end,
      ScanBy: "TimestampDescending",
      MetricDataQueries: names.map((name, i) => ({
        Id: `q${i}`,
        MetricStat: {
          Metric: {
            Namespace: "AWS/SQS",
            MetricName: "ApproximateAgeOfOldestMessage",
            Dimensions: [{ Name: "QueueName", Value: name }],
          },
          Period: 60,
          Stat: "Maximum",
        },
      })),
    }),
  );
  const ages = new Map<string, number | null>();
  names.forEach((name, i) => {
    const values = MetricDataResults.find((r) => r.Id === `q${i}`)?.Values ?? [];
    ages.set(name, values[0] ?? null);
  });
  return ages;
}

/** Where ages come from; a caller that samples often (the dashboard) caches and rate-limits them. */
export interface AgeSources {
  /** Ages by queue name, from CloudWatch. Default: read them now. */
  readonly cloudWatchAges?: () => Promise<Map<string, number | null>>;
  /** The oldest dead letter's age, where CloudWatch is not available. Default: peek the DLQ when it is not empty. */
  readonly deadLetterAge?: (dlqName: string, depth: number) => Promise<number | null>;
}

const total = (depth: QueueDepth) => depth.visible + depth.inFlight + depth.delayed;

/** The queues whose ages CloudWatch is asked for: every queue, DLQ and unrouted queue. */
export function agedQueueNames(queues: readonly (QueueTopology | UnroutedTopology)[]): string[] {
  return queues.flatMap((q) => (q.kind === "unrouted" ? [q.queueName] : [q.queueName, q.dlqName]));
}

/** Depths and ages of these queues, their DLQs and their subscriptions' DLQs. */
export async function queueStatuses(
  queues: readonly (QueueTopology | UnroutedTopology)[],
  reader: QueueReader,
  sources: AgeSources = {},
): Promise<QueueStatus[]> {
  const depths = await Promise.all(
    queues.map(async (q) => ({
      queue: await queueDepth(reader, q.queueName),
      dlq: q.kind === "unrouted" ? null : await queueDepth(reader, q.dlqName),
      undelivered: await queueDepth(reader, q.deliveryDlqName),
    })),
  );
  const { cloudwatch } = reader;
  const cloudWatchAges = cloudwatch
    ? await (sources.cloudWatchAges?.() ?? oldestByCloudWatch(cloudwatch, agedQueueNames(queues)))
    : undefined;
  // Nothing reads the unrouted queue, so a peek there counts toward no receive limit: its age is known.
  const deadLetterAge =
    sources.deadLetterAge ??
    ((name: string, depth: number) => (depth > 0 ? oldestByPeek(reader, name) : Promise.resolve(null)));
  return Promise.all(
    queues.map(async (q, i): Promise<QueueStatus> => {
      const d = depths[i] as (typeof depths)[number];
      const common = {
        consumer: q.consumer,
        queue: q.queueName,
        deliveryDlq: q.deliveryDlqName,
        visible: d.queue.visible,
        inFlight: d.queue.inFlight,
        delayed: d.queue.delayed,
        undelivered: total(d.undelivered),
      };
      if (q.kind === "unrouted") {
        return {
          ...common,
          kind: q.kind,
          dlq: null,
          dlqDepth: null,
          oldestAgeSeconds: cloudWatchAges
            ? (cloudWatchAges.get(q.queueName) ?? null)
            : await deadLetterAge(q.queueName, total(d.queue)),
          oldestDeadLetterAgeSeconds: null,
        };
      }
      const dlqDepth = d.dlq ? total(d.dlq) : 0;
      return {
        ...common,
        kind: q.kind,
        dlq: q.dlqName,
        dlqDepth,
        oldestAgeSeconds: cloudWatchAges?.get(q.queueName) ?? null,
        oldestDeadLetterAgeSeconds: cloudWatchAges
          ? (cloudWatchAges.get(q.dlqName) ?? null)
          : await deadLetterAge(q.dlqName, dlqDepth),
      };
    }),
  );
}

export async function queueStatus(topology: Topology, reader: QueueReader): Promise<StatusReport> {
  const statuses = await queueStatuses(subscriptions(topology), reader);
  return { queues: statuses, ageSource: reader.cloudwatch ? "cloudwatch" : "dlq-peek" };
}
