import { type CloudWatchClient, GetMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { GetQueueAttributesCommand, type SQSClient } from "@aws-sdk/client-sqs";
import type { Registry } from "../registry.ts";
import { describeTopology, type QueueTopology } from "../topology.ts";
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
  /** The job type, or the subscriber's name. */
  readonly consumer: string;
  readonly kind: "worker" | "subscriber";
  readonly queue: string;
  readonly dlq: string;
  readonly visible: number;
  readonly inFlight: number;
  readonly delayed: number;
  readonly dlqDepth: number;
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

/** Depths and ages of these queues and their DLQs. */
export async function queueStatuses(
  queues: readonly QueueTopology[],
  reader: QueueReader,
  sources: AgeSources = {},
): Promise<QueueStatus[]> {
  const depths = await Promise.all(
    queues.map(async (q) => ({
      queue: await queueDepth(reader, q.queueName),
      dlq: await queueDepth(reader, q.dlqName),
    })),
  );
  const { cloudwatch } = reader;
  const cloudWatchAges = cloudwatch
    ? await (sources.cloudWatchAges?.() ??
        oldestByCloudWatch(
          cloudwatch,
          queues.flatMap((q) => [q.queueName, q.dlqName]),
        ))
    : undefined;
  const deadLetterAge =
    sources.deadLetterAge ??
    ((dlqName: string, depth: number) => (depth > 0 ? oldestByPeek(reader, dlqName) : Promise.resolve(null)));
  return Promise.all(
    queues.map(async (q, i): Promise<QueueStatus> => {
      const d = depths[i] as (typeof depths)[number];
      const dlqDepth = d.dlq.visible + d.dlq.inFlight + d.dlq.delayed;
      return {
        consumer: q.consumer,
        kind: q.kind,
        queue: q.queueName,
        dlq: q.dlqName,
        visible: d.queue.visible,
        inFlight: d.queue.inFlight,
        delayed: d.queue.delayed,
        dlqDepth,
        oldestAgeSeconds: cloudWatchAges?.get(q.queueName) ?? null,
        oldestDeadLetterAgeSeconds: cloudWatchAges
          ? (cloudWatchAges.get(q.dlqName) ?? null)
          : await deadLetterAge(q.dlqName, dlqDepth),
      };
    }),
  );
}

export async function queueStatus(registry: Registry, reader: QueueReader): Promise<StatusReport> {
  const topology = describeTopology(registry);
  const statuses = await queueStatuses([...topology.workers, ...topology.subscribers], reader);
  return { queues: statuses, ageSource: reader.cloudwatch ? "cloudwatch" : "dlq-peek" };
}
