import { Metrics } from "@aws-lambda-powertools/metrics";
import { JOB_TYPE_DIMENSION, metricsNamespace } from "../core/metric-names.ts";
import type { MetricValue } from "./outcome-metrics.ts";

/** The EMF document's property listing the invocation's processed jobs (metadata: no metric, no dimension). */
export const PROCESSED_JOB_IDS = "processedJobIds";

/** A job type's metrics: the app's namespace, `service` the app, `jobType` the type. */
export function createHandlerMetrics(app: string, jobType: string): Metrics {
  return new Metrics({
    namespace: metricsNamespace(app),
    serviceName: app,
    defaultDimensions: { [JOB_TYPE_DIMENSION]: jobType },
  });
}

/**
 * Adds an invocation's values and writes them as one EMF document (Powertools splits above 100 values), which
 * also names the jobs it processed (`processedJobIds`, space-separated) for Logs Insights to find.
 */
export function publishMetricValues(
  metrics: Metrics,
  values: readonly MetricValue[],
  processedJobIds: readonly string[],
): void {
  for (const [metric, value] of values) metrics.addMetric(metric.name, metric.unit, value);
  if (processedJobIds.length > 0) metrics.addMetadata(PROCESSED_JOB_IDS, processedJobIds.join(" "));
  if (values.length > 0) metrics.publishStoredMetrics();
}
