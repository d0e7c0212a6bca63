import { randomUUID } from "node:crypto";
import type { SNSClient } from "@aws-sdk/client-sns";
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from "./backoff.ts";
import { fifoEntryIds, sendBatch } from "./batch-sender.ts";
import { packBatches } from "./batches.ts";
import { type PointerFormat, SNS_MAX_MESSAGE_BYTES } from "./claim-check.ts";
import { createLimiter, mapWithConcurrency } from "./concurrency.ts";
import { checkDelay, type DelayQueue, delayedEncoding, sendDelayed } from "./delayed-send.ts";
import { errorMessage, JobValidationError, PublishError } from "./errors.ts";
import { type FailedGroups, sendInGroupOrder } from "./fifo-sender.ts";
import {
  type EncodingOptions,
  encodeJob,
  type JobToEncode,
  type OffloadRequest,
  offloadJob,
} from "./job-encoder.ts";
import { fifoTopicArnOf } from "./naming.ts";
import { once } from "./once.ts";
import type { PayloadWriter } from "./payload-store.ts";
import { createPublishMetrics } from "./publish-metrics.ts";
import {
  type FailedJob,
  notPublished,
  type PreparedMessage,
  type PublishedJob,
  type PublishOutcome,
  published,
} from "./publish-outcome.ts";
import {
  findJob,
  isOrdered,
  type JobTypeOf,
  type PayloadInput,
  type Registry,
  requireJob,
} from "./registry.ts";
import { loadSnsCommands } from "./sns-commands.ts";

export type { FailedJob, PublishedJob, PublishOutcome } from "./publish-outcome.ts";

/** Jobs prepared (validated, encoded, offloaded) at a time by `publishMany`, which bounds its memory. */
const PREPARE_WINDOW = 100;

export interface PublisherOptions<R extends Registry> {
  readonly registry: R;
  readonly sns: SNSClient;
  /** Where offloaded payloads go: a `PayloadStore` (S3), or any store of the same shape. */
  readonly payloads: PayloadWriter;
  readonly topicArn: string;
  /** The FIFO topic of the ordered job types. Default: the topic's ARN with `.fifo`, as the stack names it. */
  readonly fifoTopicArn?: string;
  /** A message larger than this (body and attributes, as SNS counts) is offloaded. Default 262,144. */
  readonly offloadThresholdBytes?: number;
  /** Offload every payload, whatever its size. Default false. */
  readonly alwaysOffload?: boolean;
  /** Retries of throttled or failed `PublishBatch` entries, on top of the SDK's own. */
  readonly retry?: RetryPolicy;
  /** `PublishBatch` requests and S3 uploads in flight at once in `publishMany`. Default 8. */
  readonly concurrency?: number;
  /**
   * How offloaded jobs point at their payload. `current` (default) is what AWS's current extended clients
   * read; `legacy` is for consumers that know only the older names (sns-sqs-big-payload, Java 1.x clients).
   * Fanout's consumers read both.
   */
  readonly pointerFormat?: PointerFormat;
  /**
   * Write `JobsPublished`, `JobsPublishedOffloaded` and `PublishFailures` per job type (EMF on standard output,
   * namespace `Fanout/<app>`) after each `publish` and `publishMany`. For producers that run in Lambda or beside
   * the CloudWatch agent. Default false.
   */
  readonly metrics?: boolean;
  /** Where delayed jobs wait (see `PublishOptions.delaySeconds`); needed only to publish them. */
  readonly delayQueue?: DelayQueue;
}

export interface PublishOptions {
  /** Ties follow-up jobs to the job that caused them; kept across the whole chain. */
  readonly correlationId?: string;
  /** Defaults to a new UUID. Supply one to make a re-publish recognisable as the same job. */
  readonly jobId?: string;
  /** The envelope's `createdAt`, default now: a scheduled job carries the time it was scheduled for. */
  readonly createdAt?: Date;
  /**
   * Seconds before the job reaches its queue, up to 43,200 (12 hours); needs the publisher's `delayQueue`. The
   * job waits in the delay queue and is published to the topic when due, so its receives start then.
   */
  readonly delaySeconds?: number;
}

export type JobRequest<R extends Registry> = {
  [T in JobTypeOf<R>]: { readonly type: T; readonly payload: PayloadInput<R, T> } & PublishOptions;
}[JobTypeOf<R>];

/** Publishes typed jobs to the topic, offloading large payloads to S3 first (the claim check). */
export class Publisher<R extends Registry> {
  readonly #options: PublisherOptions<R>;
  readonly #encoding: EncodingOptions;
  readonly #retry: RetryPolicy;
  readonly #concurrency: number;
  readonly #pointerFormat: PointerFormat;
  readonly #recordMetrics: (() => Promise<(outcomes: readonly PublishOutcome[]) => void>) | undefined;

  constructor(options: PublisherOptions<R>) {
    this.#options = options;
    const thresholdBytes = options.offloadThresholdBytes ?? SNS_MAX_MESSAGE_BYTES;
    if (thresholdBytes > SNS_MAX_MESSAGE_BYTES || thresholdBytes < 1) {
      throw new RangeError(`offloadThresholdBytes must lie between 1 and ${SNS_MAX_MESSAGE_BYTES}.`);
    }
    this.#encoding = { thresholdBytes, alwaysOffload: options.alwaysOffload ?? false };
    this.#retry = options.retry ?? DEFAULT_RETRY_POLICY;
    this.#concurrency = options.concurrency ?? 8;
    this.#pointerFormat = options.pointerFormat ?? "current";
    this.#recordMetrics = options.metrics
      ? once(() => createPublishMetrics(options.registry.app))
      : undefined;
  }

  /**
   * Validates, offloads if needed, and publishes one job. Throws `JobValidationError` or
   * `UnknownJobTypeError` before anything is sent, and `PublishError` when S3 (for an offloaded payload) or
   * SNS refuses it.
   */
  async publish<T extends JobTypeOf<R>>(
    type: T,
    payload: PayloadInput<R, T>,
    options: PublishOptions = {},
  ): Promise<PublishedJob> {
    const jobId = options.jobId ?? randomUUID();
    try {
      const published = await this.#publishOne({ type, payload, ...options, jobId });
      await this.#measure([published]);
      return published;
    } catch (error) {
      await this.#measure([notPublished(jobId, type, error)]);
      throw error;
    }
  }

  async #publishOne(
    job: JobToEncode & { readonly jobId: string; readonly delaySeconds?: number | undefined },
  ): Promise<PublishedJob> {
    const delaySeconds = job.delaySeconds ?? 0;
    const definition = findJob(this.#options.registry, job.type);
    if (delaySeconds !== 0 && definition && isOrdered(definition)) {
      throw new JobValidationError(job.type, [
        {
          path: "delaySeconds",
          message:
            "an ordered job type cannot be delayed (a delay would let its group's later jobs overtake it)",
        },
      ]);
    }
    checkDelay(requireJob(this.#options.registry, job.type), delaySeconds, this.#options.delayQueue);
    if (delaySeconds > 0) {
      const delayed = await this.#prepare(job, delayedEncoding(this.#encoding));
      return sendDelayed(this.#options.delayQueue as DelayQueue, delayed, delaySeconds);
    }
    const message = await this.#prepare(job);
    try {
      const response = await this.#options.sns.send(
        new (await loadSnsCommands()).PublishCommand({
          TopicArn: message.fifo ? this.#fifoTopicArn() : this.#options.topicArn,
          Message: message.body,
          MessageAttributes: message.attributes,
          ...fifoEntryIds(message),
        }),
      );
      return published(message, response.MessageId ?? "");
    } catch (error) {
      throw new PublishError(
        `SNS did not accept job ${message.jobId} (${job.type}): ${errorMessage(error)}`,
        {
          cause: error,
          jobType: job.type,
          jobId: message.jobId,
        },
      );
    }
  }

  async #measure(outcomes: readonly PublishOutcome[]): Promise<void> {
    if (this.#recordMetrics) (await this.#recordMetrics())(outcomes);
  }

  /**
   * Publishes many jobs through `PublishBatch`, packed greedily (10 entries and 256 KiB per request).
   * Never throws for a single job: each gets an outcome, in input order. Invalid jobs are not sent.
   */
  async publishMany(jobs: readonly JobRequest<R>[]): Promise<PublishOutcome[]> {
    const isDelayed = (job: JobRequest<R>) => (job.delaySeconds ?? 0) !== 0;
    if (!jobs.some(isDelayed)) return this.#publishNow(jobs);
    // Delayed jobs go to the delay queue one by one; the rest are batched to the topic as usual.
    const outcomes = new Array<PublishOutcome>(jobs.length);
    const now = jobs.flatMap((job, i) => (isDelayed(job) ? [] : [i]));
    const later = jobs.flatMap((job, i) => (isDelayed(job) ? [i] : []));
    const [immediate] = await Promise.all([
      this.#publishNow(now.map((i) => jobs[i] as JobRequest<R>)),
      mapWithConcurrency(later, this.#concurrency, async (i) => {
        const job = jobs[i] as JobRequest<R>;
        const jobId = job.jobId ?? randomUUID();
        try {
          outcomes[i] = await this.#publishOne({ ...job, jobId });
        } catch (error) {
          outcomes[i] = notPublished(jobId, job.type, error);
        }
      }),
    ]);
    now.forEach((position, k) => {
      outcomes[position] = immediate[k] as PublishOutcome;
    });
    await this.#measure(later.map((i) => outcomes[i] as PublishOutcome));
    return outcomes;
  }

  async #publishNow(jobs: readonly JobRequest<R>[]): Promise<PublishOutcome[]> {
    const outcomes = new Array<PublishOutcome>(jobs.length);
    // One pool of request slots for every window: window N+1 is prepared while window N is sent, and its
    // batches queue behind N's, so SNS never waits on validation, offloading or a window's last batches.
    const slot = createLimiter(this.#concurrency);
    const sending: Promise<void>[] = [];
    // Ordered jobs go window after window, so that none overtakes an earlier job of its group.
    const ordered = { previous: Promise.resolve(), failedGroups: new Map() as FailedGroups };
    for (let start = 0; start < jobs.length; start += PREPARE_WINDOW) {
      const window = jobs.slice(start, start + PREPARE_WINDOW);
      const encoded = window.map((job) => {
        // The id is fixed first, so a job that fails while being prepared is reported under its own id.
        const jobId = job.jobId ?? randomUUID();
        try {
          return encodeJob(this.#options.registry, { ...job, jobId }, this.#encoding);
        } catch (error) {
          return notPublished(jobId, job.type, error);
        }
      });
      const prepared: (PreparedMessage | FailedJob)[] = [];
      const offloads: number[] = [];
      encoded.forEach((item, i) => {
        if ("offload" in item) offloads.push(i);
        else prepared[i] = item;
      });
      await mapWithConcurrency(offloads, this.#concurrency, async (i) => {
        const request = encoded[i] as OffloadRequest;
        try {
          prepared[i] = await offloadJob(request, this.#options.payloads, this.#pointerFormat);
        } catch (error) {
          prepared[i] = notPublished(request.jobId, request.type, error);
        }
      });
      // At most three windows are held at once: two queued for sending and the one just prepared.
      if (sending.length === 2) await sending.shift();
      sending.push(this.#sendWindow(prepared, start, outcomes, slot, ordered));
    }
    await Promise.all(sending);
    await this.#measure(outcomes);
    return outcomes;
  }

  /** Sends one prepared window and writes each job's outcome at its input position. Never rejects. */
  async #sendWindow(
    prepared: readonly (PreparedMessage | FailedJob)[],
    offset: number,
    outcomes: PublishOutcome[],
    slot: ReturnType<typeof createLimiter>,
    ordered: { previous: Promise<void>; readonly failedGroups: FailedGroups },
  ): Promise<void> {
    const position = new Map<PreparedMessage, number>();
    const fifo: PreparedMessage[] = [];
    prepared.forEach((p, i) => {
      if ("ok" in p) outcomes[offset + i] = p;
      else {
        if (p.fifo) fifo.push(p);
        position.set(p, offset + i);
      }
    });
    const { sns, topicArn } = this.#options;
    const standard = fifo.length === 0 ? [...position.keys()] : [...position.keys()].filter((m) => !m.fifo);
    const sendOrdered = async () => {
      if (fifo.length === 0) return;
      const results = await sendInGroupOrder(
        sns,
        this.#fifoTopicArn(),
        fifo,
        this.#retry,
        slot,
        ordered.failedGroups,
      );
      for (const [message, outcome] of results) outcomes[position.get(message) as number] = outcome;
    };
    const afterPrevious = ordered.previous.then(sendOrdered);
    ordered.previous = afterPrevious;
    await Promise.all([
      afterPrevious,
      ...packBatches(standard, SNS_MAX_MESSAGE_BYTES).map(async (batch) => {
        for (const [message, outcome] of await slot(() => sendBatch(sns, topicArn, batch, this.#retry))) {
          outcomes[position.get(message) as number] = outcome;
        }
      }),
    ]);
  }

  #fifoTopicArn(): string {
    return this.#options.fifoTopicArn ?? fifoTopicArnOf(this.#options.topicArn);
  }

  async #prepare(job: JobToEncode, encoding = this.#encoding): Promise<PreparedMessage> {
    const encoded = encodeJob(this.#options.registry, job, encoding);
    return "offload" in encoded ? offloadJob(encoded, this.#options.payloads, this.#pointerFormat) : encoded;
  }
}
