import { BatchProcessor, EventType, processPartialResponse } from "@aws-lambda-powertools/batch";
import { Logger } from "@aws-lambda-powertools/logger";
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";
import type { AwsClients } from "../core/aws-clients.ts";
import {
  errorCode,
  errorMessage,
  isPermanent,
  UndeclaredFollowUpError,
  WrongQueueError,
} from "../core/errors.ts";
import type { FunctionResources } from "../core/function-environment.ts";
import {
  type JobDefinition,
  type JobTypeOf,
  type PayloadOutput,
  parsePayload,
  type Registry,
  requireJob,
} from "../core/registry.ts";
import { sendToDeadLetterQueue } from "./dead-letter.ts";
import { decideFailure } from "./failure-decision.ts";
import { createFunctionRuntime, type FunctionRuntime } from "./function-runtime.ts";
import type { JobContext } from "./job-context.ts";
import { type JobOutcome, outcomeLogFields, outcomeMessage, publishOutcome } from "./outcome.ts";
import { type DecodedJob, decodeRecord } from "./record-decoder.ts";

export type JobFunction<R extends Registry, T extends JobTypeOf<R>> = (
  payload: PayloadOutput<R["jobs"][T]>,
  context: JobContext<R>,
) => Promise<void>;

export type SqsHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

export interface JobHandlerOptions {
  /** Defaults to clients configured from the environment, created on the first invocation. */
  readonly clients?: AwsClients;
  /** Defaults to the `FANOUT_*` environment variables the stack and the local runner set. */
  readonly resources?: FunctionResources;
  readonly maxPayloadBytes?: number;
  /** The Powertools logger the handler and each job's `context.logger` log through. Default: one named after the job type. */
  readonly logger?: Logger;
  /** Called with every record's outcome, after its log line (for metrics, say); an exception it throws is logged and ignored. */
  readonly onOutcome?: (outcome: JobOutcome) => void;
}

/** How far one record got: what its outcome can say about it. */
interface Progress {
  readonly attempt: number;
  readonly started: number;
  decoded?: DecodedJob;
}

/**
 * The Lambda handler of one job type: decodes each SQS record (raw or SNS-enveloped, inline or offloaded),
 * validates it, runs `fn`, and reports exactly the failed records in `batchItemFailures`. A record that fails
 * for good, or on its last allowed receive, is sent to the DLQ with its reason and then acknowledged.
 */
export function createJobHandler<R extends Registry, T extends JobTypeOf<R>>(
  registry: R,
  type: T,
  fn: JobFunction<R, T>,
  options: JobHandlerOptions = {},
): SqsHandler {
  const job: JobDefinition = requireJob(registry, type);
  const logger = options.logger ?? new Logger({ serviceName: type });
  const processor = new BatchProcessor(EventType.SQS);
  let runtime: FunctionRuntime<R> | undefined;

  function report(
    record: SQSRecord,
    progress: Progress,
    details: Omit<JobOutcome, keyof Progress | "jobType" | "jobId" | "messageId" | "durationMs">,
  ): void {
    const outcome: JobOutcome = {
      jobType: type,
      jobId: progress.decoded?.envelope.id ?? null,
      messageId: record.messageId,
      attempt: progress.attempt,
      durationMs: Math.round(performance.now() - progress.started),
      ...(progress.decoded ? { offloaded: progress.decoded.offloaded } : {}),
      ...details,
    };
    const fields = outcomeLogFields(outcome);
    if (outcome.kind === "processed") logger.info(outcomeMessage(outcome), fields);
    else logger.warn(outcomeMessage(outcome), fields);
    publishOutcome(outcome);
    try {
      options.onOutcome?.(outcome);
    } catch (error) {
      logger.warn("onOutcome threw; the outcome stands", { error: errorMessage(error) });
    }
  }

  async function runJob(
    rt: FunctionRuntime<R>,
    record: SQSRecord,
    progress: Progress,
    lambdaContext: Context,
  ) {
    const decoded = await decodeRecord(record, { payloads: rt.payloads, topicArn: rt.resources.topicArn });
    progress.decoded = decoded;
    const { envelope } = decoded;
    const ids = { jobType: envelope.type, jobId: envelope.id, queueUrl: rt.resources.queueUrl };
    if (envelope.type !== type) throw new WrongQueueError(envelope.type, type, ids);
    const payload = parsePayload(job, envelope.payload, ids) as PayloadOutput<R["jobs"][T]>;
    const correlationId = envelope.correlationId ?? envelope.id;
    const context: JobContext<R> = {
      jobId: envelope.id,
      jobType: type,
      correlationId,
      attempt: progress.attempt,
      offloaded: decoded.offloaded,
      logger: logger.createChild({ persistentKeys: { jobType: type, jobId: envelope.id, correlationId } }),
      remainingTimeMs: () => lambdaContext.getRemainingTimeInMillis(),
      publish: async (followUpType, payload, publishOptions) => {
        // IAM lets a deployed function publish (and offload) only the types it lists; refused the same way everywhere.
        if (!job.worker.publishes.includes(followUpType))
          throw new UndeclaredFollowUpError(type, followUpType, { jobId: envelope.id });
        const publisher = await rt.publisher();
        return publisher.publish(followUpType, payload, { ...publishOptions, correlationId });
      },
    };
    await fn(payload, context);
  }

  /** Dead-letters the record or schedules its retry, as `decideFailure` says; rethrows unless dead-lettered. */
  async function handleFailure(
    rt: FunctionRuntime<R>,
    record: SQSRecord,
    progress: Progress,
    error: unknown,
  ) {
    const decision = decideFailure(isPermanent(error), progress.attempt, job.worker);
    const reason = { errorCode: errorCode(error), reason: errorMessage(error) };
    let deadLetterError: string | undefined;
    if (decision.deadLetter) {
      try {
        const decoded = progress.decoded;
        await sendToDeadLetterQueue(
          await rt.clients.sqs(),
          rt.resources.dlqUrl,
          {
            record,
            error,
            receiveCount: progress.attempt,
            foreignJobId: decoded?.foreign ? decoded.envelope.id : undefined,
            failedAt: new Date(),
          },
          rt.deadLetterStore,
        );
        report(record, progress, { kind: "dead-lettered", ...reason });
        return;
      } catch (dlqError) {
        // Reported failed so it is not deleted: the next receive tries the DLQ send again, after the job's
        // backoff rather than the whole visibility timeout, and SQS redrive catches it if that never works.
        deadLetterError = errorMessage(dlqError);
      }
    }
    const retryInSeconds = decision.retryInSeconds;
    report(record, progress, {
      kind: "failed",
      ...reason,
      ...(deadLetterError === undefined ? {} : { deadLetterError }),
      retryInSeconds,
    });
    await postponeRetry(rt, record, retryInSeconds);
    throw error;
  }

  /** The backoff is the message's visibility: the event source will not see it again before then. */
  async function postponeRetry(rt: FunctionRuntime<R>, record: SQSRecord, seconds: number): Promise<void> {
    try {
      const [sqs, { ChangeMessageVisibilityCommand }] = await Promise.all([
        rt.clients.sqs(),
        import("@aws-sdk/client-sqs"),
      ]);
      await sqs.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: rt.resources.queueUrl,
          ReceiptHandle: record.receiptHandle,
          VisibilityTimeout: seconds,
        }),
      );
    } catch (error) {
      logger.warn("could not set the retry delay; the queue's visibility timeout applies", {
        messageId: record.messageId,
        error: errorMessage(error),
      });
    }
  }

  async function runRecord(rt: FunctionRuntime<R>, record: SQSRecord, lambdaContext: Context): Promise<void> {
    const progress: Progress = {
      attempt: Number(record.attributes.ApproximateReceiveCount) || 1,
      started: performance.now(),
    };
    try {
      await runJob(rt, record, progress, lambdaContext);
    } catch (error) {
      await handleFailure(rt, record, progress, error);
      return;
    }
    report(record, progress, { kind: "processed" });
  }

  return async (event, lambdaContext) => {
    runtime ??= createFunctionRuntime(registry, job, options, logger);
    const rt = runtime;
    logger.addContext(lambdaContext);
    return processPartialResponse(
      event,
      (record: SQSRecord) => runRecord(rt, record, lambdaContext),
      processor,
      {
        context: lambdaContext,
        throwOnFullBatchFailure: false,
      },
    );
  };
}
