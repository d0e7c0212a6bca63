import { type CloudWatchClient, GetMetricDataCommand } from "@aws-sdk/client-cloudwatch";

export const CLOUDWATCH_PERIOD_SECONDS = 60;
export const CLOUDWATCH_PERIODS = 10;

/**
 * Jobs processed per minute on AWS, for each queue: SQS's NumberOfMessagesDeleted, since the event source
 * mapping deletes exactly the records a worker finished. One request for all queues; oldest minute first.
 */
export async function deletedPerMinute(
  cloudwatch: CloudWatchClient,
  queueNames: readonly string[],
  now = Date.now(),
): Promise<Map<string, number[]>> {
  const end = Math.floor(now / 60_000) * 60_000;
  const start = end - CLOUDWATCH_PERIODS * CLOUDWATCH_PERIOD_SECONDS * 1000;
  const { MetricDataResults = [] } = await cloudwatch.send(
    new GetMetricDataCommand({
      StartTime: new Date(start),
      EndTime: new Date(end),
      ScanBy: "TimestampAscending",
      MetricDataQueries: queueNames.map((name, i) => ({
        Id: `d${i}`,
        MetricStat: {
          Metric: {
            Namespace: "AWS/SQS",
            MetricName: "NumberOfMessagesDeleted",
            Dimensions: [{ Name: "QueueName", Value: name }],
          },
          Period: CLOUDWATCH_PERIOD_SECONDS,
          Stat: "Sum",
        },
      })),
    }),
  );
  const series = new Map<string, number[]>();
  queueNames.forEach((name, i) => {
    const result = MetricDataResults.find((r) => r.Id === `d${i}`);
    // CloudWatch leaves out the minutes with no data point: those are zero.
    const byMinute = new Map<number, number>();
    (result?.Timestamps ?? []).forEach((t, j) => {
      byMinute.set(Math.floor(new Date(t).getTime() / 60_000), result?.Values?.[j] ?? 0);
    });
    series.set(
      name,
      Array.from({ length: CLOUDWATCH_PERIODS }, (_, k) => byMinute.get(start / 60_000 + k) ?? 0),
    );
  });
  return series;
}
