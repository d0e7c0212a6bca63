import type { WorkerSettings } from "../core/registry.ts";

/**
 * How long a delivery of an idempotent job waits while another invocation runs the same job: the function's
 * timeout, by when that run has completed (the delivery is then acknowledged without running) or its claim has
 * expired (the delivery runs it). Waiting that long spends one receive, where a short backoff could spend several.
 * Null on the last receive the queue allows: the delivery is then dead-lettered with its reason, as any failure
 * would be, rather than moved to the DLQ by SQS without one on the next receive.
 */
export function inProgressDelaySeconds(
  attempt: number,
  settings: Pick<WorkerSettings, "timeoutSeconds" | "maxReceiveCount">,
): number | null {
  return attempt < settings.maxReceiveCount ? settings.timeoutSeconds : null;
}
