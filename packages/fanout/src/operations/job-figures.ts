import type { CloudWatchClient, MetricDataQuery } from "@aws-sdk/client-cloudwatch";
import {
  FANOUT_METRICS,
  type FanoutMetric,
  JOB_TYPE_DIMENSION,
  metricsNamespace,
  SERVICE_DIMENSION,
} from "../core/metric-names.ts";
import type { Topology } from "../core/topology.ts";

/** What a job type's workers did lately: the same three counts from the runners' events and from CloudWatch. */
export interface JobFigures {
  readonly processed: number;
  readonly failed: number;
  readonly deadLettered: number;
}

/** The window `fanout status` and the dashboard count over. */
export const JOB_FIGURES_MINUTES = 10;
export const NO_JOBS: JobFigures = { processed: 0, failed: 0, deadLettered: 0 };

const COUNTED = [
  ["processed", FANOUT_METRICS.processed],
  ["failed", FANOUT_METRICS.failed],
  ["deadLettered", FANOUT_METRICS.deadLettered],
] as const;

function fanoutQuery(
  topology: Topology,
  jobType: string,
  metric: FanoutMetric,
  id: string,
  periodSeconds: number,
): MetricDataQuery {
  return {
    Id: id,
    MetricStat: {
      Metric: {
        Namespace: metricsNamespace(topology.app),
        MetricName: metric.name,
        Dimensions: [
          { Name: SERVICE_DIMENSION, Value: topology.app },
          { Name: JOB_TYPE_DIMENSION, Value: jobType },
        ],
      },
      Period: periodSeconds,
      Stat: "Sum",
    },
  };
}

/** Whole minutes, so that CloudWatch's one-minute periods line up with the window. */
function window(now: number, minutes: number) {
  const end = Math.floor(now / 60_000) * 60_000;
  return { start: end - minutes * 60_000, end };
}

/** Every worker's figures over the last `JOB_FIGURES_MINUTES` from Fanout's metrics: one request for all. */
export async function jobFiguresFromCloudWatch(
  cloudwatch: CloudWatchClient,
  topology: Topology,
  now = Date.now(),
): Promise<Map<string, JobFigures>> {
  const { GetMetricDataCommand } = await import("@aws-sdk/client-cloudwatch");
  const { start, end } = window(now, JOB_FIGURES_MINUTES);
  const queries = topology.workers.flatMap((worker, w) =>
    COUNTED.map(([, metric], m) =>
      fanoutQuery(topology, worker.consumer, metric, `f${w}_${m}`, JOB_FIGURES_MINUTES * 60),
    ),
  );
  const { MetricDataResults = [] } = await cloudwatch.send(
    new GetMetricDataCommand({
      StartTime: new Date(start),
      EndTime: new Date(end),
      MetricDataQueries: queries,
    }),
  );
  const sum = (id: string) =>
    (MetricDataResults.find((r) => r.Id === id)?.Values ?? []).reduce((a, b) => a + b, 0);
  return new Map(
    topology.workers.map((worker, w) => [
      worker.consumer,
      Object.fromEntries(COUNTED.map(([field], m) => [field, sum(`f${w}_${m}`)])) as unknown as JobFigures,
    ]),
  );
}

/** Jobs processed per minute for every worker, oldest minute first, from Fanout's `JobsProcessed`. */
export async function processedPerMinute(
  cloudwatch: CloudWatchClient,
  topology: Topology,
  minutes: number,
  now = Date.now(),
): Promise<Map<string, number[]>> {
  const { GetMetricDataCommand } = await import("@aws-sdk/client-cloudwatch");
  const { start, end } = window(now, minutes);
  const { MetricDataResults = [] } = await cloudwatch.send(
    new GetMetricDataCommand({
      StartTime: new Date(start),
      EndTime: new Date(end),
      ScanBy: "TimestampAscending",
      MetricDataQueries: topology.workers.map((worker, w) =>
        fanoutQuery(topology, worker.consumer, FANOUT_METRICS.processed, `p${w}`, 60),
      ),
    }),
  );
  return new Map(
    topology.workers.map((worker, w) => {
      const result = MetricDataResults.find((r) => r.Id === `p${w}`);
      // CloudWatch leaves out the minutes with no data point: those are zero.
      const byMinute = new Map<number, number>();
      (result?.Timestamps ?? []).forEach((t, j) => {
        byMinute.set(Math.floor(new Date(t).getTime() / 60_000), result?.Values?.[j] ?? 0);
      });
      return [
        worker.consumer,
        Array.from({ length: minutes }, (_, k) => byMinute.get(start / 60_000 + k) ?? 0),
      ];
    }),
  );
}

/** One minute of a worker's outcomes, as the dashboard charts them. */
export interface MinuteCounts {
  /** Epoch milliseconds of the minute's start. */
  readonly minute: number;
  readonly processed: number;
  readonly failed: number;
  readonly retried: number;
  readonly deadLettered: number;
}

export interface CloudWatchRates {
  readonly minutes: readonly MinuteCounts[];
  readonly durationP50Ms: number | null;
  readonly durationP95Ms: number | null;
}

const PER_MINUTE = [
  ["processed", FANOUT_METRICS.processed],
  ["failed", FANOUT_METRICS.failed],
  ["retried", FANOUT_METRICS.retried],
  ["deadLettered", FANOUT_METRICS.deadLettered],
] as const;

/**
 * Every worker's outcomes per minute over `minutes` and its JobDuration p50 and p95 over the same window,
 * from Fanout's metrics: one request for all (six queries per worker; GetMetricData takes 500).
 */
export async function jobRatesFromCloudWatch(
  cloudwatch: CloudWatchClient,
  topology: Topology,
  minutes: number,
  now = Date.now(),
): Promise<Map<string, CloudWatchRates>> {
  const { GetMetricDataCommand } = await import("@aws-sdk/client-cloudwatch");
  const { start, end } = window(now, minutes);
  const duration = (w: number, stat: string, id: string): MetricDataQuery => {
    const query = fanoutQuery(
      topology,
      topology.workers[w]?.consumer ?? "",
      FANOUT_METRICS.duration,
      id,
      minutes * 60,
    );
    return { ...query, MetricStat: { ...query.MetricStat, Stat: stat } as MetricDataQuery["MetricStat"] };
  };
  const { MetricDataResults = [] } = await cloudwatch.send(
    new GetMetricDataCommand({
      StartTime: new Date(start),
      EndTime: new Date(end),
      ScanBy: "TimestampAscending",
      MetricDataQueries: topology.workers.flatMap((worker, w) => [
        ...PER_MINUTE.map(([, metric], m) =>
          fanoutQuery(topology, worker.consumer, metric, `r${w}_${m}`, 60),
        ),
        duration(w, "p50", `d${w}_50`),
        duration(w, "p95", `d${w}_95`),
      ]),
    }),
  );
  const byMinute = (id: string) => {
    const result = MetricDataResults.find((r) => r.Id === id);
    const values = new Map<number, number>();
    (result?.Timestamps ?? []).forEach((t, j) => {
      values.set(Math.floor(new Date(t).getTime() / 60_000), result?.Values?.[j] ?? 0);
    });
    return values;
  };
  const single = (id: string) => MetricDataResults.find((r) => r.Id === id)?.Values?.[0] ?? null;
  return new Map(
    topology.workers.map((worker, w) => {
      const series = PER_MINUTE.map((_, m) => byMinute(`r${w}_${m}`));
      const counts = Array.from({ length: minutes }, (_, k) => {
        const minute = start / 60_000 + k;
        const [processed, failed, retried, deadLettered] = series.map((s) => s.get(minute) ?? 0);
        return {
          minute: minute * 60_000,
          processed: processed ?? 0,
          failed: failed ?? 0,
          retried: retried ?? 0,
          deadLettered: deadLettered ?? 0,
        };
      });
      return [
        worker.consumer,
        { minutes: counts, durationP50Ms: single(`d${w}_50`), durationP95Ms: single(`d${w}_95`) },
      ];
    }),
  );
}
