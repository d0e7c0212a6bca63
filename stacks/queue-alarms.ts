import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm/index.js";
import { Construct } from "constructs";
import type { QueueTopology } from "../shared/topology.ts";

export interface QueueAlarmsProps {
  readonly queue: QueueTopology;
  /** The longest delay between two receives of one message (the consumer's retry backoff ceiling). */
  readonly retryDelaySeconds: number;
  /** Where alarms notify; without it they only show in the console. */
  readonly alarmTopicArn?: string | undefined;
}

/** SQS publishes its metrics every five minutes; a shorter period only adds empty data points. */
const PERIOD_SECONDS = 300;
/** Below this, a busy but healthy queue would alarm on ordinary bursts. */
const MIN_AGE_ALARM_SECONDS = 900;

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

/** A dead letter always needs a person; an old message means the consumer falls behind. */
export class QueueAlarms extends Construct {
  constructor(scope: Construct, id: string, props: QueueAlarmsProps) {
    super(scope, id);
    const { queue, alarmTopicArn } = props;
    const actions = alarmTopicArn ? { alarmActions: [alarmTopicArn], okActions: [alarmTopicArn] } : {};
    const common = {
      namespace: "AWS/SQS",
      statistic: "Maximum",
      period: PERIOD_SECONDS,
      evaluationPeriods: 1,
      comparisonOperator: "GreaterThanThreshold",
      // An idle queue stops reporting; silence is not a failure.
      treatMissingData: "notBreaching",
      ...actions,
    };
    new CloudwatchMetricAlarm(this, "dead-letters", {
      ...common,
      alarmName: `${queue.dlqName}-not-empty`,
      alarmDescription: `Messages of ${queue.consumer} were dead-lettered; inspect and redrive ${queue.dlqName}.`,
      metricName: "ApproximateNumberOfMessagesVisible",
      dimensions: { QueueName: queue.dlqName },
      threshold: 0,
    });
    const threshold = oldestMessageAlarmSeconds(queue, props.retryDelaySeconds);
    new CloudwatchMetricAlarm(this, "oldest-message", {
      ...common,
      alarmName: `${queue.queueName}-oldest-message`,
      alarmDescription: `The oldest message in ${queue.queueName} waits more than ${threshold} s; its consumer falls behind.`,
      metricName: "ApproximateAgeOfOldestMessage",
      dimensions: { QueueName: queue.queueName },
      threshold,
    });
  }
}
