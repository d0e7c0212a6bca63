import { Metrics } from "@aws-lambda-powertools/metrics";
import { JOB_TYPE_DIMENSION, metricsNamespace } from "../core/metric-names.ts";
import type { MetricValue } from "./outcome-metrics.ts";

/** A job type's metrics: the app's namespace, `service` the app, `jobType` the type. */
export function createHandlerMetrics(app: string, jobType: string): Metrics {
  return new Metrics({
    namespace: metricsNamespace(app),
    serviceName: app,
    defaultDimensions: { [JOB_TYPE_DIMENSION]: jobType },
  });
}

/** Adds an invocation's values and writes them as one EMF document (Powertools splits above 100 values). */
export function publishMetricValues(metrics: Metrics, values: readonly MetricValue[]): void {
  for (const [metric, value] of values) metrics.addMetric(metric.name, metric.unit, value);
  if (values.length > 0) metrics.publishStoredMetrics();
}
