import type { Logger } from "@aws-lambda-powertools/logger";
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
