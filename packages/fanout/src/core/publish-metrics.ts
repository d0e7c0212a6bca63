import type { Metrics } from "@aws-lambda-powertools/metrics";
import { FANOUT_METRICS, JOB_TYPE_DIMENSION, metricsNamespace } from "./metric-names.ts";
import type { PublishOutcome } from "./publish-outcome.ts";

export interface PublishCounts {
  readonly published: number;
  readonly offloaded: number;
  readonly failed: number;
}

/** Per job type, how many of these publishes SNS accepted, how many of those were offloaded, how many failed. */
export function countPublishes(outcomes: readonly PublishOutcome[]): Map<string, PublishCounts> {
  const counts = new Map<string, PublishCounts>();
  for (const outcome of outcomes) {
    const { published, offloaded, failed } = counts.get(outcome.type) ?? {
      published: 0,
      offloaded: 0,
      failed: 0,
    };
    counts.set(
      outcome.type,
      outcome.ok
        ? { published: published + 1, offloaded: offloaded + (outcome.offloaded ? 1 : 0), failed }
        : { published, offloaded, failed: failed + 1 },
    );
  }
  return counts;
}

/**
 * The publisher's metrics, written as EMF to standard output (which Lambda, or the CloudWatch agent, turns
 * into metrics): one document per job type per call, in the app's namespace.
 */
export async function createPublishMetrics(
  app: string,
): Promise<(outcomes: readonly PublishOutcome[]) => void> {
  const { Metrics } = await import("@aws-lambda-powertools/metrics");
  const metrics: Metrics = new Metrics({ namespace: metricsNamespace(app), serviceName: app });
  return (outcomes) => {
    for (const [jobType, counts] of countPublishes(outcomes)) {
      metrics.addDimension(JOB_TYPE_DIMENSION, jobType);
      metrics.addMetric(FANOUT_METRICS.published.name, FANOUT_METRICS.published.unit, counts.published);
      metrics.addMetric(
        FANOUT_METRICS.publishedOffloaded.name,
        FANOUT_METRICS.publishedOffloaded.unit,
        counts.offloaded,
      );
      metrics.addMetric(FANOUT_METRICS.publishFailed.name, FANOUT_METRICS.publishFailed.unit, counts.failed);
      metrics.publishStoredMetrics();
    }
  };
}
