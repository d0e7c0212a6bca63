import { type JobOutcome, type OutcomeKind, UNKNOWN_JOB_ID } from "../consumer/outcome.ts";
import { JOB_FIGURES_MINUTES, type JobFigures } from "../operations/job-figures.ts";

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

const FIELD = { processed: "processed", failed: "failed", "dead-lettered": "deadLettered" } as const;

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
  /** Buckets kept. Default: as many as make up the figures' window (`JOB_FIGURES_MINUTES`). */
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
  /** Per job type: bucket index (time / bucketMs) to the outcomes counted in it. */
  readonly #counts = new Map<string, Map<number, Mutable<JobFigures>>>();
  readonly #detach: (() => void)[] = [];

  constructor(options: OutcomeLogOptions = {}) {
    this.capacity = options.capacity ?? 200;
    this.bucketMs = options.bucketMs ?? 10_000;
    this.buckets = options.buckets ?? (JOB_FIGURES_MINUTES * 60_000) / this.bucketMs;
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
    const bucket = Math.floor(now / this.bucketMs);
    let counts = this.#counts.get(jobType);
    if (!counts) {
      counts = new Map();
      this.#counts.set(jobType, counts);
    }
    const counted = counts.get(bucket) ?? { processed: 0, failed: 0, deadLettered: 0 };
    counted[FIELD[kind]] += 1;
    counts.set(bucket, counted);
    for (const old of counts.keys()) if (old <= bucket - this.buckets) counts.delete(old);
  }

  /** The job type's outcomes counted over the whole window (`buckets` × `bucketMs`). */
  figures(jobType: string): JobFigures {
    const current = Math.floor(this.#now() / this.bucketMs);
    const total = { processed: 0, failed: 0, deadLettered: 0 };
    for (const [bucket, counted] of this.#counts.get(jobType) ?? []) {
      if (bucket <= current - this.buckets) continue;
      total.processed += counted.processed;
      total.failed += counted.failed;
      total.deadLettered += counted.deadLettered;
    }
    return total;
  }

  /** Newest first. */
  recent(): RecentOutcome[] {
    return [...this.#recent].reverse();
  }

  /** Jobs processed per bucket, oldest bucket first, the current (still filling) bucket last. */
  throughput(jobType: string): number[] {
    const current = Math.floor(this.#now() / this.bucketMs);
    const counts = this.#counts.get(jobType);
    return Array.from(
      { length: this.buckets },
      (_, i) => counts?.get(current - this.buckets + 1 + i)?.processed ?? 0,
    );
  }
}
