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
  reload(): Promise<void> {
    return this.#options.sandbox.reload();
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
    this.#log("ERROR", message, {
      error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
    });
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
