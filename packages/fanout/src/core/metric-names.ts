/**
 * Fanout's metrics in CloudWatch, written as embedded metric format (EMF) log lines: one namespace per app,
 * `Fanout/<app>`, and two dimensions, `service` (the app) and `jobType`; Powertools' `ColdStart` adds
 * `function_name`. Job ids are never a dimension: CloudWatch bills and slows down per distinct dimension value.
 */
export const FANOUT_METRICS = {
  /** Consumer: a job's function ran to completion. */
  processed: { name: "JobsProcessed", unit: "Count" },
  /** Consumer: an attempt failed; the job becomes visible again (after its backoff) or is redriven. */
  failed: { name: "JobsFailed", unit: "Count" },
  /** Consumer: a delivery after the first (ApproximateReceiveCount above 1), whatever it led to. */
  retried: { name: "JobsRetried", unit: "Count" },
  /** Consumer: the job was put in its DLQ with its reason (permanent failure, or the last attempt). */
  deadLettered: { name: "JobsDeadLettered", unit: "Count" },
  /** Consumer: from receiving the record to its outcome, decoding and the job's function included. */
  duration: { name: "JobDuration", unit: "Milliseconds" },
  /** Consumer: the job's envelope, in UTF-8 bytes, read inline or from S3. */
  payloadBytes: { name: "PayloadBytes", unit: "Bytes" },
  /** Consumer: jobs whose payload came from S3 through a pointer. */
  offloaded: { name: "PayloadsOffloaded", unit: "Count" },
  /** Publisher (opt-in): jobs SNS accepted. */
  published: { name: "JobsPublished", unit: "Count" },
  /** Publisher (opt-in): accepted jobs whose payload went to S3 first. */
  publishedOffloaded: { name: "JobsPublishedOffloaded", unit: "Count" },
  /** Publisher (opt-in): jobs that were not published (invalid, or refused after retries). */
  publishFailed: { name: "PublishFailures", unit: "Count" },
} as const;

export type FanoutMetric = (typeof FANOUT_METRICS)[keyof typeof FANOUT_METRICS];

export const JOB_TYPE_DIMENSION = "jobType";
/** Powertools' own dimension, set to the app's name. */
export const SERVICE_DIMENSION = "service";

export function metricsNamespace(app: string): string {
  return `Fanout/${app}`;
}
