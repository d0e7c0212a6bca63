import { errorMessage } from "../core/errors.ts";
import { subscriptions, type Topology } from "../core/topology.ts";
import {
  type CloudWatchRates,
  JOB_FIGURES_MINUTES,
  type JobFigures,
  jobFiguresFromCloudWatch,
  jobRatesFromCloudWatch,
  processedPerMinute,
} from "../operations/job-figures.ts";
import {
  agedQueueNames,
  oldestByCloudWatch,
  oldestByPeek,
  type QueueReader,
  type QueueStatus,
  queueStatuses,
} from "../operations/queue-status.ts";
import type { DeadLetterIndex } from "./dead-letter-index.ts";
import type { KeyedLock } from "./lock.ts";

/** Ages are null where they cannot be known (see `SamplerOptions.reader.cloudwatch`). */
export type QueueFigures = Pick<
  QueueStatus,
  | "visible"
  | "inFlight"
  | "delayed"
  | "dlqDepth"
  | "undelivered"
  | "oldestAgeSeconds"
  | "oldestDeadLetterAgeSeconds"
>;

export interface SamplerOptions {
  readonly topology: Topology;
  readonly reader: QueueReader;
  /** Held around every peek of a DLQ, shared with the dead-letter views and redrives. */
  readonly lock: KeyedLock;
  /** The dead letters the page has read: where they are known at the current depth, no peek is needed. */
  readonly deadLetters?: DeadLetterIndex;
  /** How often queue depths are read. Default 1.5 seconds. */
  readonly intervalMs?: number;
  /**
   * How often ages are read: CloudWatch on AWS (a per-minute metric), a peek of the DLQ elsewhere (each peek
   * counts as a receive of every dead letter, so it is kept rare). Default 30 seconds.
   */
  readonly ageIntervalMs?: number;
}

/** A DLQ whose depth changed gets its age re-read sooner than the age interval, but not more often than this. */
const AGE_ON_CHANGE_MS = 3_000;

/**
 * Reads every queue's figures in the background, so that any number of open pages cost the same few SQS
 * calls: GetQueueAttributes per queue and DLQ every interval; ages and AWS throughput more rarely.
 */
export class QueueSampler {
  readonly intervalMs: number;
  readonly #options: SamplerOptions;
  readonly #ageIntervalMs: number;
  readonly #figures = new Map<string, QueueFigures>();
  /** Per DLQ: when its age was last read by a peek, at what depth, and what it was. */
  readonly #ageRead = new Map<string, { at: number; depth: number; age: number | null }>();
  #cloudWatchThroughput = new Map<string, number[]>();
  #cloudWatchJobs = new Map<string, JobFigures>();
  #cloudWatchRates = new Map<string, CloudWatchRates>();
  #cloudWatchReadAt = 0;
  #cachedAges = new Map<string, number | null>();
  #cloudWatchAgesAt = 0;
  #sampledAt: number | null = null;
  #error: string | null = null;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #stopped = false;

  constructor(options: SamplerOptions) {
    this.#options = options;
    this.intervalMs = options.intervalMs ?? 1_500;
    this.#ageIntervalMs = options.ageIntervalMs ?? 30_000;
  }

  start(): void {
    void this.sampleNow();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#running;
  }

  /** Reads the figures now (after a redrive, say) and resolves when they are in, never with older ones. */
  sampleNow(): Promise<void> {
    // A sample already under way may have read the queues before the change the caller wants to see.
    if (this.#running) return this.#running.then(() => this.sampleNow());
    this.#running = this.#sample().finally(() => {
      this.#running = undefined;
      clearTimeout(this.#timer);
      if (!this.#stopped) this.#timer = setTimeout(() => void this.sampleNow(), this.intervalMs);
    });
    return this.#running;
  }

  figures(consumer: string): QueueFigures | undefined {
    return this.#figures.get(consumer);
  }

  /** A worker's jobs processed per minute on AWS (Fanout's JobsProcessed), oldest first; undefined off AWS. */
  cloudWatchThroughput(jobType: string): number[] | undefined {
    return this.#options.reader.cloudwatch ? this.#cloudWatchThroughput.get(jobType) : undefined;
  }

  /** A worker's outcomes over the last minutes on AWS (Fanout's metrics); undefined off AWS. */
  cloudWatchJobs(jobType: string): JobFigures | undefined {
    return this.#options.reader.cloudwatch ? this.#cloudWatchJobs.get(jobType) : undefined;
  }

  /** A worker's outcomes per minute and duration percentiles on AWS (Fanout's metrics); undefined off AWS. */
  cloudWatchRates(jobType: string): CloudWatchRates | undefined {
    return this.#options.reader.cloudwatch ? this.#cloudWatchRates.get(jobType) : undefined;
  }

  get sampledAt(): number | null {
    return this.#sampledAt;
  }

  /** Why the last sample failed (the cloud unreachable, a queue missing), or null. */
  get error(): string | null {
    return this.#error;
  }

  async #sample(): Promise<void> {
    const { topology, reader } = this.#options;
    const queues = subscriptions(topology);
    try {
      const statuses = await queueStatuses(queues, reader, {
        cloudWatchAges: () => this.#cloudWatchAges(),
        deadLetterAge: (dlqName, depth) => this.#deadLetterAge(dlqName, depth),
      });
      for (const status of statuses) this.#figures.set(status.consumer, status);
      if (reader.cloudwatch && Date.now() - this.#cloudWatchReadAt >= 60_000) {
        [this.#cloudWatchThroughput, this.#cloudWatchJobs, this.#cloudWatchRates] = await Promise.all([
          processedPerMinute(reader.cloudwatch, topology, JOB_FIGURES_MINUTES),
          jobFiguresFromCloudWatch(reader.cloudwatch, topology),
          jobRatesFromCloudWatch(reader.cloudwatch, topology, JOB_FIGURES_MINUTES),
        ]);
        this.#cloudWatchReadAt = Date.now();
      }
      this.#sampledAt = Date.now();
      this.#error = null;
    } catch (error) {
      this.#error = errorMessage(error);
    }
  }

  async #cloudWatchAges(): Promise<Map<string, number | null>> {
    const { reader, topology } = this.#options;
    if (reader.cloudwatch && Date.now() - this.#cloudWatchAgesAt >= this.#ageIntervalMs) {
      this.#cachedAges = await oldestByCloudWatch(reader.cloudwatch, agedQueueNames(subscriptions(topology)));
      this.#cloudWatchAgesAt = Date.now();
    }
    return this.#cachedAges;
  }

  /** The local way: a peek of the DLQ, only when it holds something and the last reading is stale. */
  async #deadLetterAge(dlqName: string, depth: number): Promise<number | null> {
    if (depth === 0) {
      this.#ageRead.delete(dlqName);
      return null;
    }
    const read = this.#ageRead.get(dlqName);
    const now = Date.now();
    const stale =
      read === undefined ||
      now - read.at >= this.#ageIntervalMs ||
      (read.depth !== depth && now - read.at >= AGE_ON_CHANGE_MS);
    // Between peeks the oldest dead letter simply grows older (unless it was redriven, which changes the depth).
    if (!stale) return read.age === null ? null : read.age + (now - read.at) / 1000;
    const indexed = this.#options.deadLetters?.cached(dlqName);
    const oldest = indexed?.depth === depth ? indexed.letters[0]?.sentAt : undefined;
    const age = oldest
      ? (now - oldest) / 1000
      : await this.#options.lock.run(dlqName, () => oldestByPeek(this.#options.reader, dlqName));
    this.#ageRead.set(dlqName, { at: now, depth, age });
    return age;
  }
}
