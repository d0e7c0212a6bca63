import { randomUUID } from "node:crypto";
import type { MessageAttributeValue, PublishBatchRequestEntry, SNSClient } from "@aws-sdk/client-sns";
import { DEFAULT_RETRY_POLICY, type RetryPolicy, waitBeforeRetry } from "./backoff.ts";
import { packBatches } from "./batches.ts";
import {
  encodePointer,
  JOB_TYPE_ATTRIBUTE,
  type PointerFormat,
  SNS_MAX_MESSAGE_BYTES,
  type StringAttribute,
  sizeAttributeOf,
} from "./claim-check.ts";
import { createLimiter, mapWithConcurrency } from "./concurrency.ts";
import { ENVELOPE_VERSION, encodeEnvelope, type JobEnvelope, MAX_ID_LENGTH } from "./envelope.ts";
import { FanoutError, JobValidationError, PublishError, UnknownJobTypeError } from "./errors.ts";
import { payloadKey } from "./naming.ts";
import type { PayloadStore, StoredPayload } from "./payload-store.ts";
import { findJob, type JobTypeOf, type PayloadInput, type Registry } from "./registry.ts";
import { messageSize } from "./sqs-limits.ts";
import { isTransientAwsError } from "./transient.ts";

/**
 * The SNS module is loaded when the first job is sent, not when this module is: a Lambda handler imports the
 * publisher for follow-ups it may never publish, and the module costs its cold start 100 ms or more.
 */
let snsCommands: Promise<typeof import("@aws-sdk/client-sns")> | undefined;
function loadSnsCommands() {
  snsCommands ??= import("@aws-sdk/client-sns");
  return snsCommands;
}

/** Jobs prepared (validated, encoded, offloaded) at a time by `publishMany`, which bounds its memory. */
const PREPARE_WINDOW = 500;

export interface PublisherOptions<R extends Registry> {
  readonly registry: R;
  readonly sns: SNSClient;
  readonly payloads: PayloadStore;
  readonly topicArn: string;
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
}

export interface PublishOptions {
  /** Ties follow-up jobs to the job that caused them; kept across the whole chain. */
  readonly correlationId?: string;
  /** Defaults to a new UUID. Supply one to make a re-publish recognisable as the same job. */
  readonly jobId?: string;
}

export type JobRequest<R extends Registry> = {
  [T in JobTypeOf<R>]: { readonly type: T; readonly payload: PayloadInput<R, T> } & PublishOptions;
}[JobTypeOf<R>];

export interface PublishedJob {
  readonly ok: true;
  readonly jobId: string;
  readonly type: string;
  readonly offloaded: boolean;
  /** Where the payload was stored, when offloaded. */
  readonly payloadKey?: string;
  readonly messageId: string;
}

export interface FailedJob {
  readonly ok: false;
  readonly jobId: string;
  readonly type: string;
  readonly error: FanoutError;
}

export type PublishOutcome = PublishedJob | FailedJob;

/** A job whose body is too large for SNS: it goes to S3 first. */
interface OffloadRequest {
  readonly offload: true;
  readonly jobId: string;
  readonly type: string;
  readonly body: string;
  readonly attributes: Record<string, StringAttribute>;
  readonly key: string;
}

interface PreparedMessage {
  readonly jobId: string;
  readonly type: string;
  readonly body: string;
  readonly attributes: Record<string, StringAttribute>;
  readonly size: number;
  readonly offloaded: boolean;
  readonly payloadKey?: string;
}

/** Publishes typed jobs to the topic, offloading large payloads to S3 first (the claim check). */
export class Publisher<R extends Registry> {
  readonly #options: PublisherOptions<R>;
  readonly #threshold: number;
  readonly #retry: RetryPolicy;
  readonly #concurrency: number;

  constructor(options: PublisherOptions<R>) {
    this.#options = options;
    this.#threshold = options.offloadThresholdBytes ?? SNS_MAX_MESSAGE_BYTES;
    this.#retry = options.retry ?? DEFAULT_RETRY_POLICY;
    this.#concurrency = options.concurrency ?? 8;
    if (this.#threshold > SNS_MAX_MESSAGE_BYTES || this.#threshold < 1) {
      throw new RangeError(`offloadThresholdBytes must lie between 1 and ${SNS_MAX_MESSAGE_BYTES}.`);
    }
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
    const message = await this.#prepare({ type, payload, ...options });
    try {
      const response = await this.#options.sns.send(
        new (await loadSnsCommands()).PublishCommand({
          TopicArn: this.#options.topicArn,
          Message: message.body,
          MessageAttributes: message.attributes,
        }),
      );
      return success(message, response.MessageId ?? "");
    } catch (error) {
      throw new PublishError(
        `SNS did not accept job ${message.jobId} (${type}): ${(error as Error).message}`,
        {
          cause: error,
        },
      );
    }
  }

  /**
   * Publishes many jobs through `PublishBatch`, packed greedily (10 entries and 256 KiB per request).
   * Never throws for a single job: each gets an outcome, in input order. Invalid jobs are not sent.
   */
  async publishMany(jobs: readonly JobRequest<R>[]): Promise<PublishOutcome[]> {
    const outcomes = new Array<PublishOutcome>(jobs.length);
    // One pool of request slots for every window: window N+1 is prepared while window N is sent, and its
    // batches queue behind N's, so SNS never waits on validation, offloading or a window's last batches.
    const slot = createLimiter(this.#concurrency);
    const sending: Promise<void>[] = [];
    for (let start = 0; start < jobs.length; start += PREPARE_WINDOW) {
      const window = jobs.slice(start, start + PREPARE_WINDOW);
      const encoded = window.map((job) => {
        // The id is fixed first, so a job that fails while being prepared is reported under its own id.
        const jobId = job.jobId ?? randomUUID();
        try {
          return this.#encode({ ...job, jobId });
        } catch (error) {
          return failure(jobId, job.type, error);
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
          prepared[i] = await this.#offload(request);
        } catch (error) {
          prepared[i] = failure(request.jobId, request.type, error);
        }
      });
      // At most three windows are held at once: two queued for sending and the one just prepared.
      if (sending.length === 2) await sending.shift();
      sending.push(this.#sendWindow(prepared, start, outcomes, slot));
    }
    await Promise.all(sending);
    return outcomes;
  }

  /** Sends one prepared window and writes each job's outcome at its input position. Never rejects. */
  async #sendWindow(
    prepared: readonly (PreparedMessage | FailedJob)[],
    offset: number,
    outcomes: PublishOutcome[],
    slot: ReturnType<typeof createLimiter>,
  ): Promise<void> {
    const position = new Map<PreparedMessage, number>();
    prepared.forEach((p, i) => {
      if ("ok" in p) outcomes[offset + i] = p;
      else position.set(p, offset + i);
    });
    await Promise.all(
      packBatches([...position.keys()], SNS_MAX_MESSAGE_BYTES).map(async (batch) => {
        for (const [message, outcome] of await slot(() => this.#sendBatch(batch))) {
          outcomes[position.get(message) as number] = outcome;
        }
      }),
    );
  }

  /** Validates and encodes a job; synchronous, because most jobs need no S3 upload and a promise each is costly. */
  #encode(job: { type: string; payload: unknown } & PublishOptions): PreparedMessage | OffloadRequest {
    const { registry } = this.#options;
    const definition = findJob(registry, job.type);
    if (!definition)
      throw new UnknownJobTypeError(
        job.type,
        registry.jobList.map((j) => j.type),
      );
    const result = definition.schema.safeParse(job.payload);
    if (!result.success) {
      throw new JobValidationError(
        job.type,
        result.error.issues.map((i) => ({ path: i.path.join("."), message: i.message })),
      );
    }
    // The consumer refuses envelopes whose ids it cannot index (see envelope.ts): refuse them here, unsent.
    const badIds = (["jobId", "correlationId"] as const).filter((field) => {
      const value = job[field];
      return value !== undefined && (value.length < 1 || value.length > MAX_ID_LENGTH);
    });
    if (badIds.length > 0) {
      throw new JobValidationError(
        job.type,
        badIds.map((path) => ({ path, message: `must be 1 to ${MAX_ID_LENGTH} characters` })),
      );
    }
    const createdAt = new Date();
    const envelope: JobEnvelope = {
      v: ENVELOPE_VERSION,
      id: job.jobId ?? randomUUID(),
      type: job.type,
      createdAt: createdAt.toISOString(),
      ...(job.correlationId ? { correlationId: job.correlationId } : {}),
      payload: job.payload,
    };
    const body = encodeEnvelope(envelope);
    const attributes: Record<string, StringAttribute> = {
      [JOB_TYPE_ATTRIBUTE]: { DataType: "String", StringValue: job.type },
    };
    const inlineSize = messageSize(body, attributes);
    if (inlineSize <= this.#threshold && !this.#options.alwaysOffload) {
      return { jobId: envelope.id, type: job.type, body, attributes, size: inlineSize, offloaded: false };
    }
    return {
      offload: true,
      jobId: envelope.id,
      type: job.type,
      body,
      attributes,
      key: payloadKey(job.type, envelope.id, createdAt),
    };
  }

  /** Stores the body in S3, then returns the pointer message: the object exists before anything points at it. */
  async #offload(request: OffloadRequest): Promise<PreparedMessage> {
    const { jobId, type, body, attributes, key } = request;
    let pointer: StoredPayload;
    try {
      pointer = await this.#options.payloads.put(key, body);
    } catch (error) {
      if (error instanceof FanoutError) throw error;
      throw new PublishError(
        `Could not store the payload of job ${jobId} (${type}) in s3://${this.#options.payloads.bucket}/${key}: ${(error as Error).message}; nothing was published. Try again.`,
        { cause: error },
      );
    }
    const format = this.#options.pointerFormat ?? "current";
    const pointerAttributes = {
      ...attributes,
      [sizeAttributeOf(format)]: { DataType: "Number", StringValue: String(pointer.size) },
    };
    const pointerBody = encodePointer(pointer, format);
    return {
      jobId,
      type,
      body: pointerBody,
      attributes: pointerAttributes,
      size: messageSize(pointerBody, pointerAttributes),
      offloaded: true,
      payloadKey: pointer.key,
    };
  }

  async #prepare(job: { type: string; payload: unknown } & PublishOptions): Promise<PreparedMessage> {
    const encoded = this.#encode(job);
    return "offload" in encoded ? this.#offload(encoded) : encoded;
  }

  /** Sends one packed batch, retrying only the entries SNS could not take, with backoff. */
  async #sendBatch(batch: readonly PreparedMessage[]): Promise<Map<PreparedMessage, PublishOutcome>> {
    const outcomes = new Map<PreparedMessage, PublishOutcome>();
    let pending = batch;
    for (let attempt = 1; pending.length > 0; attempt++) {
      const lastAttempt = attempt >= this.#retry.attempts;
      const retry: PreparedMessage[] = [];
      try {
        const response = await this.#options.sns.send(
          new (await loadSnsCommands()).PublishBatchCommand({
            TopicArn: this.#options.topicArn,
            PublishBatchRequestEntries: pending.map(toEntry),
          }),
        );
        for (const entry of response.Successful ?? []) {
          const message = pending[Number(entry.Id)];
          if (message) outcomes.set(message, success(message, entry.MessageId ?? ""));
        }
        for (const entry of response.Failed ?? []) {
          const message = pending[Number(entry.Id)];
          if (!message) continue;
          if (entry.SenderFault || lastAttempt) {
            outcomes.set(
              message,
              failure(
                message.jobId,
                message.type,
                `SNS refused the entry: ${entry.Code}: ${entry.Message ?? ""}`,
              ),
            );
          } else {
            retry.push(message);
          }
        }
        // An entry the response does not mention may or may not have been sent: sending it again risks a
        // duplicate (which consumers tolerate), reporting nothing would leave its caller without an outcome.
        for (const message of pending) {
          if (outcomes.has(message) || retry.includes(message)) continue;
          if (lastAttempt) {
            outcomes.set(
              message,
              failure(message.jobId, message.type, "SNS answered without a result for this entry"),
            );
          } else {
            retry.push(message);
          }
        }
      } catch (error) {
        if (lastAttempt || !isTransientAwsError(error)) {
          for (const message of pending) outcomes.set(message, failure(message.jobId, message.type, error));
          return outcomes;
        }
        retry.push(...pending);
      }
      pending = retry;
      if (pending.length > 0) await waitBeforeRetry(this.#retry, attempt);
    }
    return outcomes;
  }
}

function toEntry(message: PreparedMessage, index: number): PublishBatchRequestEntry {
  return {
    Id: String(index),
    Message: message.body,
    MessageAttributes: message.attributes as Record<string, MessageAttributeValue>,
  };
}

function success(message: PreparedMessage, messageId: string): PublishedJob {
  return {
    ok: true,
    jobId: message.jobId,
    type: message.type,
    offloaded: message.offloaded,
    ...(message.payloadKey ? { payloadKey: message.payloadKey } : {}),
    messageId,
  };
}

function failure(jobId: string, type: string, cause: unknown): FailedJob {
  const error =
    cause instanceof FanoutError
      ? cause
      : new PublishError(
          `Job ${jobId || "(no id)"} (${type}) was not published: ${cause instanceof Error ? cause.message : String(cause)}`,
          { cause },
        );
  return { ok: false, jobId, type, error };
}
