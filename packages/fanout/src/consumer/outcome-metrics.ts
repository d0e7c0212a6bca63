import { FANOUT_METRICS, type FanoutMetric } from "../core/metric-names.ts";
import type { JobOutcome } from "./outcome.ts";

/** What the tally hands to Powertools Metrics: a metric and its value (`addMetric`). */
export type MetricValue = readonly [FanoutMetric, number];

/**
 * One invocation's outcomes as metric values: the counts once per invocation (the three outcome counts even
 * when zero, so a dashboard's lines do not break), the bytes of all their payloads, and each job's duration,
 * for percentiles. Each value is one `addMetric`, the cost that counts per record: sizes go as one sum.
 */
export class OutcomeTally {
  #processed = 0;
  #failed = 0;
  #deadLettered = 0;
  #retried = 0;
  #offloaded = 0;
  readonly #durations: number[] = [];
  #payloadBytes = 0;

  add(outcome: JobOutcome): void {
    if (outcome.kind === "processed") this.#processed++;
    else if (outcome.kind === "failed") this.#failed++;
    else this.#deadLettered++;
    if (outcome.attempt > 1) this.#retried++;
    if (outcome.offloaded) this.#offloaded++;
    this.#durations.push(outcome.durationMs);
    this.#payloadBytes += outcome.payloadBytes ?? 0;
  }

  /** The values of everything added since the last call; the tally starts again empty. */
  take(): MetricValue[] {
    const values: MetricValue[] = [];
    if (this.#durations.length > 0) {
      values.push(
        [FANOUT_METRICS.processed, this.#processed],
        [FANOUT_METRICS.failed, this.#failed],
        [FANOUT_METRICS.deadLettered, this.#deadLettered],
      );
      if (this.#retried > 0) values.push([FANOUT_METRICS.retried, this.#retried]);
      if (this.#offloaded > 0) values.push([FANOUT_METRICS.offloaded, this.#offloaded]);
      if (this.#payloadBytes > 0) values.push([FANOUT_METRICS.payloadBytes, this.#payloadBytes]);
    }
    for (const ms of this.#durations) values.push([FANOUT_METRICS.duration, ms]);
    this.#processed = this.#failed = this.#deadLettered = this.#retried = this.#offloaded = 0;
    this.#payloadBytes = 0;
    this.#durations.length = 0;
    return values;
  }
}
