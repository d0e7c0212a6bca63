import type { Logger } from "@aws-lambda-powertools/logger";
import type { Context } from "aws-lambda";
import type { PublishedJob, PublishOptions } from "../core/publisher.ts";
import type { JobTypeOf, PayloadInput, Registry } from "../core/registry.ts";

/** What a job's function knows about the job it runs, and how it publishes follow-ups. */
export interface JobContext<R extends Registry> {
  readonly jobId: string;
  readonly jobType: string;
  /** The id shared by a job and every follow-up it causes (the first job's id when none was given). */
  readonly correlationId: string;
  /** When the job was published (ISO 8601 UTC); for a scheduled job, the time it was scheduled for. */
  readonly createdAt: string;
  /** 1 on the first delivery; grows with each retry (SQS `ApproximateReceiveCount`). */
  readonly attempt: number;
  /** True when the payload was read from S3 through a claim-check pointer. */
  readonly offloaded: boolean;
  readonly logger: Logger;
  /** Milliseconds left before the function times out. */
  remainingTimeMs(): number;
  /** Publishes a follow-up job that carries this job's correlation id. */
  publish<T extends JobTypeOf<R>>(
    type: T,
    payload: PayloadInput<R, T>,
    options?: Omit<PublishOptions, "correlationId">,
  ): Promise<PublishedJob>;
}

/** What a job's context is made from: the job's own fields, and the handler's logger and invocation. */
export type JobContextParts<R extends Registry> = Pick<
  JobContext<R>,
  "jobId" | "jobType" | "correlationId" | "createdAt" | "attempt" | "offloaded" | "publish"
> & {
  readonly handlerLogger: Logger;
  readonly lambdaContext: Context;
};

/**
 * The context of one record. A class, so that its `logger` getter lives on the prototype: an object literal
 * with a getter takes V8's slow path for every record, and the garbage it leaves outlived young-generation
 * collections (a third of a small job's time went to them). Its functions are own properties, so a job may
 * destructure them.
 */
export class RecordJobContext<R extends Registry> implements JobContext<R> {
  readonly jobId: string;
  readonly jobType: string;
  readonly correlationId: string;
  readonly createdAt: string;
  readonly attempt: number;
  readonly offloaded: boolean;
  readonly publish: JobContext<R>["publish"];
  readonly remainingTimeMs: () => number;
  readonly #handlerLogger: Logger;
  #logger: Logger | undefined;

  constructor(parts: JobContextParts<R>) {
    this.jobId = parts.jobId;
    this.jobType = parts.jobType;
    this.correlationId = parts.correlationId;
    this.createdAt = parts.createdAt;
    this.attempt = parts.attempt;
    this.offloaded = parts.offloaded;
    this.publish = parts.publish;
    this.#handlerLogger = parts.handlerLogger;
    const { lambdaContext } = parts;
    this.remainingTimeMs = () => lambdaContext.getRemainingTimeInMillis();
  }

  /** A Powertools child logger costs more than most jobs' own work: made only for a job that logs. */
  get logger(): Logger {
    this.#logger ??= this.#handlerLogger.createChild({
      persistentKeys: {
        jobType: this.jobType,
        jobId: this.jobId,
        correlationId: this.correlationId,
        attempt: this.attempt,
      },
    });
    return this.#logger;
  }
}
