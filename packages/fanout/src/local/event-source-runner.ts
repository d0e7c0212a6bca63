import { EventEmitter } from "node:events";
import {
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import type { SQSEvent, SQSRecord } from "aws-lambda";
import { type JobOutcome, outcomeLogFields, outcomeMessage } from "../consumer/outcome.ts";
import { toSqsRecord } from "../consumer/sqs-record.ts";
import { MAX_BATCH_ENTRIES } from "../core/batches.ts";
import { MAX_RECEIVE_MESSAGES } from "../core/sqs-limits.ts";
import { failedRecordIds } from "./batch-response.ts";
import type { LambdaSandbox } from "./lambda-sandbox.ts";

/** A long poll waits at most 20 seconds. */
const MAX_WAIT_SECONDS = 20;
/** How often a handler that does not load is tried again, when no reload comes first. */
const LOAD_RETRY_MS = 5_000;

function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

export interface EventSourceOptions {
  readonly jobType: string;
  readonly sqs: SQSClient;
  readonly queueUrl: string;
  readonly queueArn: string;
  readonly region: string;
  readonly batchSize: number;
  readonly batchingWindowSeconds: number;
  readonly sandbox: LambdaSandbox;
}

export interface InvocationReport {
  readonly jobType: string;
  readonly records: number;
  readonly failed: number;
  readonly deleted: number;
  /** Set when the whole invocation failed: a timeout, a crash, or an invalid response. */
  readonly error?: string;
}

export interface RunnerEvents {
  /** Every line the handler printed (Powertools' JSON logs) and every line the runner adds. */
  log: [line: string];
  /** Every record's outcome: reported by its consumer, or by the runner when the whole invocation failed. */
  outcome: [outcome: JobOutcome];
  invocation: [report: InvocationReport];
}

/**
 * Behaves like Lambda's SQS event source mapping for one job type: long-polls the queue, fills a batch within
 * the batching window, invokes the handler with a Lambda-shaped event, and deletes exactly the records the
 * handler did not report in `batchItemFailures`. Failed records become visible again and, after
 * `maxReceiveCount` receives, SQS moves them to the DLQ.
 */
export class EventSourceRunner extends EventEmitter<RunnerEvents> {
  readonly #options: EventSourceOptions;
  #abort = new AbortController();
  #loop: Promise<void> | undefined;
  /** Why the handler does not load, while it does not: said once, not at every try. */
  #loadError: string | undefined;
  /** Ends the wait of a runner whose handler did not load, when a reload brings one that does. */
  #wake: (() => void) | undefined;

  constructor(options: EventSourceOptions) {
    super();
    this.#options = options;
    options.sandbox.on("log", (line) => this.emit("log", line));
    options.sandbox.on("outcome", (outcome) => this.emit("outcome", outcome));
  }

  start(): void {
    this.#loop ??= this.#run();
  }

  /**
   * Loads the handler again from disk for the next batch; the batch in hand finishes on the code it started
   * with. Rejects with the reason if the handler no longer loads, and the runner goes on with the old code.
   */
  async reload(): Promise<void> {
    await this.#options.sandbox.reload();
    this.#wake?.();
  }

  /** Stops polling, lets the batch in hand finish, and shuts the sandbox down. */
  async stop(): Promise<void> {
    this.#abort.abort();
    await this.#loop;
    this.#loop = undefined;
    this.#abort = new AbortController();
    await this.#options.sandbox.close();
  }

  async #run(): Promise<void> {
    const signal = this.#abort.signal;
    while (!signal.aborted) {
      if (!(await this.#handlerLoads(signal))) continue;
      try {
        const messages = await this.#collectBatch(signal);
        if (messages.length > 0) await this.#invoke(messages);
      } catch (error) {
        if (signal.aborted) break;
        this.#logError("polling failed; retrying in 1 s", error);
        await new Promise((resolve) => setTimeout(resolve, 1_000));
      }
    }
  }

  /**
   * Whether the handler loads; if not, says why (once per reason) and waits for a reload or a few seconds. A
   * handler that does not load (a syntax error saved mid-edit, say) is handed no jobs: each receive would count
   * as an attempt, and the jobs would wait out their visibility timeout, then reach the DLQ.
   */
  async #handlerLoads(signal: AbortSignal): Promise<boolean> {
    try {
      await this.#options.sandbox.warm();
      this.#loadError = undefined;
      return true;
    } catch (error) {
      const reason = describeError(error);
      if (reason !== this.#loadError) {
        this.#log("ERROR", "handler does not load; no jobs are received until it does", { error: reason });
      }
      this.#loadError = reason;
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          signal.removeEventListener("abort", done);
          this.#wake = undefined;
          resolve();
        };
        const timer = setTimeout(done, LOAD_RETRY_MS);
        signal.addEventListener("abort", done, { once: true });
        this.#wake = done;
      });
      return false;
    }
  }

  async #collectBatch(signal: AbortSignal): Promise<Message[]> {
    const { batchSize, batchingWindowSeconds } = this.#options;
    const messages: Message[] = [];
    let windowEnds: number | undefined;
    while (messages.length < batchSize && !signal.aborted) {
      if (windowEnds !== undefined && Date.now() >= windowEnds) break;
      const remainingWindow =
        windowEnds === undefined ? MAX_WAIT_SECONDS : Math.ceil((windowEnds - Date.now()) / 1000);
      let received: Message[];
      try {
        const response = await this.#options.sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: this.#options.queueUrl,
            MaxNumberOfMessages: Math.min(MAX_RECEIVE_MESSAGES, batchSize - messages.length),
            WaitTimeSeconds: Math.min(MAX_WAIT_SECONDS, remainingWindow),
            MessageSystemAttributeNames: ["All"],
            MessageAttributeNames: ["All"],
          }),
          { abortSignal: signal },
        );
        received = response.Messages ?? [];
      } catch (error) {
        if (signal.aborted) return messages;
        throw error;
      }
      messages.push(...received);
      if (messages.length === 0) continue;
      if (batchingWindowSeconds === 0) break;
      windowEnds ??= Date.now() + batchingWindowSeconds * 1000;
    }
    return messages;
  }

  async #invoke(messages: readonly Message[]): Promise<void> {
    const { jobType, queueArn, region, sandbox } = this.#options;
    const records = messages.map((m) => toSqsRecord(m, { queueArn, region }));
    const event: SQSEvent = { Records: records };
    const started = performance.now();
    const invoked = await sandbox.invoke(event);
    const failed = invoked.status === "ok" ? failedRecordIds(invoked.result, records) : undefined;
    if (failed === undefined) {
      const error =
        invoked.status === "error"
          ? `${invoked.errorType}: ${invoked.message}`
          : "invalid batchItemFailures response";
      const durationMs = Math.round(performance.now() - started);
      for (const record of records) {
        this.#report({
          kind: "failed",
          jobType,
          jobId: null,
          messageId: record.messageId,
          attempt: Number(record.attributes.ApproximateReceiveCount) || 1,
          durationMs,
          errorCode: invoked.status === "error" ? invoked.errorType : "InvalidResponse",
          reason: error,
        });
      }
      this.emit("invocation", {
        jobType,
        records: records.length,
        failed: records.length,
        deleted: 0,
        error,
      });
      return;
    }
    const done = records.filter((r) => !failed.has(r.messageId));
    const deleted = await this.#delete(done);
    this.emit("invocation", { jobType, records: records.length, failed: failed.size, deleted });
  }

  /** A record whose delete fails comes back after its visibility timeout: delivered at least once, never lost. */
  async #delete(records: readonly SQSRecord[]): Promise<number> {
    let deleted = 0;
    for (let start = 0; start < records.length; start += MAX_BATCH_ENTRIES) {
      const chunk = records.slice(start, start + MAX_BATCH_ENTRIES);
      try {
        const response = await this.#options.sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl: this.#options.queueUrl,
            Entries: chunk.map((r, i) => ({ Id: String(i), ReceiptHandle: r.receiptHandle })),
          }),
        );
        deleted += response.Successful?.length ?? 0;
      } catch (error) {
        this.#logError("delete failed; the records will be delivered again", error);
      }
    }
    return deleted;
  }

  /** A failure the handler could not report itself: logged the way the consumer logs its outcomes. */
  #report(outcome: JobOutcome): void {
    this.#log("ERROR", outcomeMessage(outcome), outcomeLogFields(outcome));
    this.emit("outcome", outcome);
  }

  #logError(message: string, error: unknown): void {
    this.#log("ERROR", message, { error: describeError(error) });
  }

  #log(level: string, message: string, fields: Record<string, unknown>): void {
    this.emit(
      "log",
      JSON.stringify({
        level,
        message,
        timestamp: new Date().toISOString(),
        service: this.#options.jobType,
        ...fields,
      }),
    );
  }
}
