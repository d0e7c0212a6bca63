import {
  FANOUT_METRICS,
  JOB_TYPE_DIMENSION,
  metricsNamespace,
  SERVICE_DIMENSION,
} from "../core/metric-names.ts";
import type { Topology, WorkerTopology } from "../core/topology.ts";

/** One line of a CloudWatch metric widget: namespace, metric name, then dimension name and value pairs. */
export type MetricLine = readonly [string, string, ...string[]];

export interface MetricWidget {
  readonly type: "metric";
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  readonly properties: {
    readonly title: string;
    readonly region: string;
    readonly view: "timeSeries";
    readonly stat: string;
    readonly period: number;
    readonly metrics: readonly MetricLine[];
  };
}

export interface TextWidget {
  readonly type: "text";
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  readonly properties: { readonly markdown: string };
}

export interface DashboardBody {
  readonly widgets: readonly (MetricWidget | TextWidget)[];
}

const WIDTH = 6;
const HEIGHT = 6;
const PERIOD = 60;

/**
 * The app's CloudWatch dashboard: a row per job type with its queue (depth, oldest age, both DLQs), its
 * function (invocations, errors, throttles, duration) and Fanout's own metrics (outcomes, retries, duration),
 * then a row for the unrouted queue and the topic. Every name comes from the topology the stack is built
 * from, so each widget reads a resource the stack creates.
 */
export function dashboardBody(topology: Topology): DashboardBody {
  const region = topology.placement.region;
  const widgets: (MetricWidget | TextWidget)[] = [];
  let y = 0;
  const metric = (x: number, title: string, stat: string, metrics: readonly MetricLine[]): MetricWidget => ({
    type: "metric",
    x,
    y,
    width: WIDTH,
    height: HEIGHT,
    properties: { title, region, view: "timeSeries", stat, period: PERIOD, metrics },
  });
  const heading = (markdown: string) => {
    widgets.push({ type: "text", x: 0, y, width: 4 * WIDTH, height: 1, properties: { markdown } });
    y += 1;
  };
  for (const worker of topology.workers) {
    heading(`## ${worker.consumer}\n${worker.job.description}`);
    widgets.push(...jobWidgets(topology, worker, metric));
    y += HEIGHT;
  }
  heading("## Routing\nJobs of a type no worker is subscribed for, and deliveries SNS gave up on.");
  const sqs = (name: string, queue: string): MetricLine => ["AWS/SQS", name, "QueueName", queue];
  widgets.push(
    metric(0, "Unrouted jobs waiting", "Maximum", [
      sqs("ApproximateNumberOfMessagesVisible", topology.unrouted.queueName),
    ]),
    metric(WIDTH, "Topic deliveries", "Sum", [
      ["AWS/SNS", "NumberOfMessagesPublished", "TopicName", topology.topicName],
      ["AWS/SNS", "NumberOfNotificationsFailed", "TopicName", topology.topicName],
      ["AWS/SNS", "NumberOfNotificationsRedrivenToDlq", "TopicName", topology.topicName],
    ]),
  );
  return { widgets };
}

function jobWidgets(
  topology: Topology,
  worker: WorkerTopology,
  metric: (x: number, title: string, stat: string, metrics: readonly MetricLine[]) => MetricWidget,
): MetricWidget[] {
  const sqs = (name: string, queue: string): MetricLine => ["AWS/SQS", name, "QueueName", queue];
  const lambda = (name: string): MetricLine => ["AWS/Lambda", name, "FunctionName", worker.names.function];
  const fanout = (name: string): MetricLine => [
    metricsNamespace(topology.app),
    name,
    SERVICE_DIMENSION,
    topology.app,
    JOB_TYPE_DIMENSION,
    worker.consumer,
  ];
  return [
    metric(0, "Queue: waiting, oldest (s), dead letters", "Maximum", [
      sqs("ApproximateNumberOfMessagesVisible", worker.queueName),
      sqs("ApproximateAgeOfOldestMessage", worker.queueName),
      sqs("ApproximateNumberOfMessagesVisible", worker.dlqName),
      sqs("ApproximateNumberOfMessagesVisible", worker.deliveryDlqName),
    ]),
    metric(WIDTH, "Jobs", "Sum", [
      fanout(FANOUT_METRICS.processed.name),
      fanout(FANOUT_METRICS.failed.name),
      fanout(FANOUT_METRICS.retried.name),
      fanout(FANOUT_METRICS.deadLettered.name),
    ]),
    metric(2 * WIDTH, "Function: invocations, errors, throttles", "Sum", [
      lambda("Invocations"),
      lambda("Errors"),
      lambda("Throttles"),
    ]),
    metric(3 * WIDTH, "Duration (ms), p99: function and job", "p99", [
      lambda("Duration"),
      fanout(FANOUT_METRICS.duration.name),
    ]),
  ];
}
