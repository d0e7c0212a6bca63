import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm/index.js";
import { Construct } from "constructs";
import {
  DLQ_RETENTION_SECONDS,
  type QueueTopology,
  type SubscriptionTopology,
  type UnroutedTopology,
} from "../core/topology.ts";

/** SQS publishes its metrics every five minutes; a shorter period only adds empty data points. */
const PERIOD_SECONDS = 300;
/** Below this, a busy but healthy queue would alarm on ordinary bursts. */
const MIN_AGE_ALARM_SECONDS = 900;
/** Warning time before a waiting message reaches the end of its queue's 14-day retention and is deleted. */
const RETENTION_WARNING_SECONDS = 4 * 24 * 3600;

export interface AlarmTarget {
  /** Where alarms notify, and notify again when they clear. */
  readonly topicArn: string;
}

/**
 * The age at which the oldest message means a stuck or overwhelmed consumer: older than a message that
 * failed every receive and waited out every backoff, yet well before the queue's retention drops it.
 */
export function oldestMessageAlarmSeconds(queue: QueueTopology, retryDelaySeconds: number): number {
  const slowestHealthyLife = queue.maxReceiveCount * (queue.visibilityTimeoutSeconds + retryDelaySeconds);
  return Math.min(
    Math.floor(queue.retentionSeconds / 2),
    Math.max(MIN_AGE_ALARM_SECONDS, slowestHealthyLife),
  );
}

/** The age at which a message in a 14-day queue needs attention before SQS deletes it. */
export const NEARING_RETENTION_SECONDS = DLQ_RETENTION_SECONDS - RETENTION_WARNING_SECONDS;

type AlarmConfig = ConstructorParameters<typeof CloudwatchMetricAlarm>[2];

/** An alarm on the maximum of one metric over five minutes, notifying the target both ways. */
export function maximumAlarm(
  scope: Construct,
  id: string,
  target: AlarmTarget,
  config: Pick<
    AlarmConfig,
    "alarmName" | "alarmDescription" | "namespace" | "metricName" | "dimensions" | "threshold"
  > &
    Partial<Pick<AlarmConfig, "statistic">>,
): CloudwatchMetricAlarm {
  return new CloudwatchMetricAlarm(scope, id, {
    statistic: "Maximum",
    period: PERIOD_SECONDS,
    evaluationPeriods: 1,
    comparisonOperator: "GreaterThanThreshold",
    // An idle queue or function stops reporting; silence is not a failure.
    treatMissingData: "notBreaching",
    alarmActions: [target.topicArn],
    okActions: [target.topicArn],
    ...config,
  });
}

/** `not-empty` for any visible message, `<id>` (the alarm's own name) for an age threshold. */
function sqsAlarm(
  scope: Construct,
  id: string,
  target: AlarmTarget,
  queueName: string,
  metric: "ApproximateNumberOfMessagesVisible" | "ApproximateAgeOfOldestMessage",
  threshold: number,
  description: string,
): void {
  maximumAlarm(scope, id, target, {
    alarmName: `${queueName}-${metric === "ApproximateNumberOfMessagesVisible" ? "not-empty" : id}`,
    alarmDescription: description,
    namespace: "AWS/SQS",
    metricName: metric,
    dimensions: { QueueName: queueName },
    threshold,
  });
}

/** What SNS could not deliver to a queue sits in its subscription's DLQ: a queue policy or the queue is wrong. */
function deliveryAlarm(scope: Construct, target: AlarmTarget, queue: SubscriptionTopology): void {
  sqsAlarm(
    scope,
    "undelivered",
    target,
    queue.deliveryDlqName,
    "ApproximateNumberOfMessagesVisible",
    0,
    `SNS could not deliver jobs to ${queue.queueName} (check its queue policy, or whether it exists); fix it, then redrive ${queue.deliveryDlqName}.`,
  );
}

export interface QueueAlarmsProps {
  readonly queue: QueueTopology;
  /** The longest delay between two receives of one message (the consumer's retry backoff ceiling). */
  readonly retryDelaySeconds: number;
  readonly target: AlarmTarget;
}

/** A dead letter always needs a person; an old message means the consumer falls behind. */
export class QueueAlarms extends Construct {
  constructor(scope: Construct, id: string, props: QueueAlarmsProps) {
    super(scope, id);
    const { queue, target } = props;
    sqsAlarm(
      this,
      "dead-letters",
      target,
      queue.dlqName,
      "ApproximateNumberOfMessagesVisible",
      0,
      `Messages of ${queue.consumer} were dead-lettered; inspect and redrive ${queue.dlqName}.`,
    );
    sqsAlarm(
      this,
      "expiring",
      target,
      queue.dlqName,
      "ApproximateAgeOfOldestMessage",
      NEARING_RETENTION_SECONDS,
      `A dead letter of ${queue.consumer} is within 4 days of ${queue.dlqName}'s 14-day retention; redrive or save it before SQS deletes it.`,
    );
    const threshold = oldestMessageAlarmSeconds(queue, props.retryDelaySeconds);
    sqsAlarm(
      this,
      "oldest-message",
      target,
      queue.queueName,
      "ApproximateAgeOfOldestMessage",
      threshold,
      `The oldest message in ${queue.queueName} waits more than ${threshold} s; its consumer falls behind.`,
    );
    deliveryAlarm(this, target, queue);
  }
}

/** Any unrouted job means a producer is ahead of the deployed registry, or published without a type. */
export class UnroutedAlarms extends Construct {
  constructor(
    scope: Construct,
    id: string,
    props: { readonly queue: UnroutedTopology; readonly target: AlarmTarget },
  ) {
    super(scope, id);
    const { queue, target } = props;
    sqsAlarm(
      this,
      "unrouted",
      target,
      queue.queueName,
      "ApproximateNumberOfMessagesVisible",
      0,
      `Jobs of a type no worker is subscribed for (or without a jobType attribute) are kept in ${queue.queueName}; deploy their worker, then redrive them.`,
    );
    sqsAlarm(
      this,
      "expiring",
      target,
      queue.queueName,
      "ApproximateAgeOfOldestMessage",
      NEARING_RETENTION_SECONDS,
      `An unrouted job is within 4 days of ${queue.queueName}'s 14-day retention; deploy its worker and redrive it.`,
    );
    deliveryAlarm(this, target, queue);
  }
}
