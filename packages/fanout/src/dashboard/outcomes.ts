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
  readonly durationMs: number;
  readonly correlationId: string | null;
  readonly errorCode: string | null;
  readonly reason: string | null;
}

/** One minute of a job type's outcomes: attempts by what became of them, and how long they took. */
export interface MinuteFigures {
  /** Epoch milliseconds of the minute's start. */
  readonly minute: number;
  readonly processed: number;
  readonly failed: number;
  /** Deliveries after the first, whatever they led to (as Fanout's JobsRetried metric counts them). */
  readonly retried: number;
  readonly deadLettered: number;
}

export interface JobRates {
  /** Oldest minute first, the current (still filling) minute last. */
  readonly minutes: readonly MinuteFigures[];
  /** Over the whole window, of every attempt whatever its outcome; null before the first. */
  readonly durationP50Ms: number | null;
  readonly durationP95Ms: number | null;
}

interface MinuteBucket {
  processed: number;
  failed: number;
  retried: number;
  deadLettered: number;
  durations: number[];
}

/** Durations kept per job type and minute for the percentiles: enough for a steady local run. */
const MAX_DURATIONS_PER_MINUTE = 10_000;

/** The `q` quantile (0–1) of ascending numbers, nearest rank. */
export function quantile(sorted: readonly number[], q: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? null;
}

export interface OutcomeLogOptions {
  /** Recent outcomes kept for the page. Default 200. */
  readonly capacity?: number;
  /** Width of one throughput bucket. Default 10 seconds. */
  readonly bucketMs?: number;
  /** Buckets kept. Default: as many as make up the figures' window (`JOB_FIGURES_MINUTES`). */
  readonly buckets?: number;
  /** Jobs whose attempts are kept for their detail view, the most recent ones. Default 5,000. */
  readonly jobsKept?: number;
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
  readonly #minutes = new Map<string, Map<number, MinuteBucket>>();
  /** Per job id, its attempts in order; insertion order is age, so the oldest job is dropped first. */
  readonly #jobs = new Map<string, RecentOutcome[]>();
  readonly #correlated = new Map<string, Set<string>>();
  readonly #jobsKept: number;
  readonly #detach: (() => void)[] = [];

  constructor(options: OutcomeLogOptions = {}) {
    this.capacity = options.capacity ?? 200;
    this.bucketMs = options.bucketMs ?? 10_000;
    this.buckets = options.buckets ?? (JOB_FIGURES_MINUTES * 60_000) / this.bucketMs;
    this.#now = options.now ?? Date.now;
    this.#jobsKept = options.jobsKept ?? 5_000;
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
    const recent: RecentOutcome = {
      at: new Date(now).toISOString(),
      jobType,
      jobId: outcome.jobId ?? UNKNOWN_JOB_ID,
      outcome: kind,
      attempt: outcome.attempt,
      durationMs: outcome.durationMs,
      correlationId: outcome.correlationId ?? null,
      errorCode: outcome.errorCode ?? null,
      reason: outcome.reason ?? null,
    };
    this.#recent.push(recent);
    if (outcome.jobId) this.#remember(outcome.jobId, recent);
    this.#countMinute(outcome, now);
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

  #remember(jobId: string, recent: RecentOutcome): void {
    const attempts = this.#jobs.get(jobId);
    if (attempts) attempts.push(recent);
    else this.#jobs.set(jobId, [recent]);
    if (recent.correlationId) {
      const jobs = this.#correlated.get(recent.correlationId) ?? new Set();
      jobs.add(jobId);
      this.#correlated.set(recent.correlationId, jobs);
    }
    if (this.#jobs.size <= this.#jobsKept) return;
    const [oldest, oldAttempts] = this.#jobs.entries().next().value as [string, RecentOutcome[]];
    this.#jobs.delete(oldest);
    const correlationId = oldAttempts[0]?.correlationId;
    const jobs = correlationId ? this.#correlated.get(correlationId) : undefined;
    jobs?.delete(oldest);
    if (correlationId && jobs?.size === 0) this.#correlated.delete(correlationId);
  }

  #countMinute(outcome: JobOutcome, now: number): void {
    const minute = Math.floor(now / 60_000);
    let minutes = this.#minutes.get(outcome.jobType);
    if (!minutes) {
      minutes = new Map();
      this.#minutes.set(outcome.jobType, minutes);
    }
    let bucket = minutes.get(minute);
    if (!bucket) {
      bucket = { processed: 0, failed: 0, retried: 0, deadLettered: 0, durations: [] };
      minutes.set(minute, bucket);
      for (const old of minutes.keys()) if (old <= minute - JOB_FIGURES_MINUTES) minutes.delete(old);
    }
    bucket[FIELD[outcome.kind]] += 1;
    if (outcome.attempt > 1) bucket.retried += 1;
    if (bucket.durations.length < MAX_DURATIONS_PER_MINUTE) bucket.durations.push(outcome.durationMs);
  }

  /** Every attempt of a job the runners reported, oldest first; empty if it is not (or no longer) known. */
  attempts(jobId: string): readonly RecentOutcome[] {
    return this.#jobs.get(jobId) ?? [];
  }

  /** The jobs known to share a correlation id, in the order they were first seen. */
  correlated(correlationId: string): string[] {
    return [...(this.#correlated.get(correlationId) ?? [])];
  }

  /** A job type's outcomes per minute over the figures' window, and the durations' p50 and p95. */
  rates(jobType: string): JobRates {
    const current = Math.floor(this.#now() / 60_000);
    const kept = this.#minutes.get(jobType);
    const durations: number[] = [];
    const minutes = Array.from({ length: JOB_FIGURES_MINUTES }, (_, i) => {
      const minute = current - JOB_FIGURES_MINUTES + 1 + i;
      const bucket = kept?.get(minute);
      if (bucket) durations.push(...bucket.durations);
      return {
        minute: minute * 60_000,
        processed: bucket?.processed ?? 0,
        failed: bucket?.failed ?? 0,
        retried: bucket?.retried ?? 0,
        deadLettered: bucket?.deadLettered ?? 0,
      };
    });
    durations.sort((a, b) => a - b);
    return { minutes, durationP50Ms: quantile(durations, 0.5), durationP95Ms: quantile(durations, 0.95) };
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
