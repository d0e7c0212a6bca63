import { type JobOutcome, type OutcomeKind, UNKNOWN_JOB_ID } from "../consumer/outcome.ts";

/** Anything that reports job outcomes the way the local runner does (`EventSourceRunner`). */
export interface OutcomeEmitter {
  on(event: "outcome", listener: (outcome: JobOutcome) => void): unknown;
  off(event: "outcome", listener: (outcome: JobOutcome) => void): unknown;
}

export interface RecentOutcome {
  readonly at: string;
  readonly jobType: string;
  readonly jobId: string;
  readonly outcome: OutcomeKind;
  readonly attempt: number;
  readonly errorCode: string | null;
  readonly reason: string | null;
}

export interface OutcomeLogOptions {
  /** Recent outcomes kept for the page. Default 200. */
  readonly capacity?: number;
  /** Width of one throughput bucket. Default 10 seconds. */
  readonly bucketMs?: number;
  /** Buckets kept: with the defaults, the last 10 minutes. */
  readonly buckets?: number;
  readonly now?: () => number;
}

/**
 * The runners' outcomes as the page shows them: the most recent ones, and per job type how many jobs were
 * processed in each bucket of time, for the throughput chart.
 */
export class OutcomeLog {
  readonly capacity: number;
  readonly bucketMs: number;
  readonly buckets: number;
  readonly #now: () => number;
  readonly #recent: RecentOutcome[] = [];
  /** Per job type: bucket index (time / bucketMs) to processed count. */
  readonly #processed = new Map<string, Map<number, number>>();
  readonly #detach: (() => void)[] = [];

  constructor(options: OutcomeLogOptions = {}) {
    this.capacity = options.capacity ?? 200;
    this.bucketMs = options.bucketMs ?? 10_000;
    this.buckets = options.buckets ?? 60;
    this.#now = options.now ?? Date.now;
  }

  /** Records what `emitter` reports until `detachAll()`. */
  attach(emitter: OutcomeEmitter): void {
    const listener = (outcome: JobOutcome) => this.record(outcome);
    emitter.on("outcome", listener);
    this.#detach.push(() => emitter.off("outcome", listener));
  }

  detachAll(): void {
    for (const detach of this.#detach.splice(0)) detach();
  }

  record(outcome: JobOutcome): void {
    const { jobType, kind } = outcome;
    const now = this.#now();
    this.#recent.push({
      at: new Date(now).toISOString(),
      jobType,
      jobId: outcome.jobId ?? UNKNOWN_JOB_ID,
      outcome: kind,
      attempt: outcome.attempt,
      errorCode: outcome.errorCode ?? null,
      reason: outcome.reason ?? null,
    });
    if (this.#recent.length > this.capacity) this.#recent.splice(0, this.#recent.length - this.capacity);
    if (kind !== "processed") return;
    const bucket = Math.floor(now / this.bucketMs);
    let counts = this.#processed.get(jobType);
    if (!counts) {
      counts = new Map();
      this.#processed.set(jobType, counts);
    }
    counts.set(bucket, (counts.get(bucket) ?? 0) + 1);
    for (const old of counts.keys()) if (old <= bucket - this.buckets) counts.delete(old);
  }

  /** Newest first. */
  recent(): RecentOutcome[] {
    return [...this.#recent].reverse();
  }

  /** Jobs processed per bucket, oldest bucket first, the current (still filling) bucket last. */
  throughput(jobType: string): number[] {
    const current = Math.floor(this.#now() / this.bucketMs);
    const counts = this.#processed.get(jobType);
    return Array.from({ length: this.buckets }, (_, i) => counts?.get(current - this.buckets + 1 + i) ?? 0);
  }
}
