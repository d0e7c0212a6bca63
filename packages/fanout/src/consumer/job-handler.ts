import {
  BatchProcessor,
  EventType,
  processPartialResponse,
  SqsFifoPartialProcessorAsync,
} from "@aws-lambda-powertools/batch";
import { Logger, LogLevelThreshold } from "@aws-lambda-powertools/logger";
import type { Metrics } from "@aws-lambda-powertools/metrics";
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";
import type { AwsClients } from "../core/aws-clients.ts";
import {
  errorCode,
  errorMessage,
  isPermanent,
  JobInProgressError,
  UndeclaredFollowUpError,
  WrongQueueError,
} from "../core/errors.ts";
import type { FunctionResources } from "../core/function-environment.ts";
import { fifoTopicArnOf } from "../core/naming.ts";
import { once } from "../core/once.ts";
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
import { createHandlerMetrics, PROCESSED_JOB_IDS, publishMetricValues } from "./handler-metrics.ts";
import { inProgressDelaySeconds } from "./in-progress-decision.ts";
import { type JobContext, RecordJobContext } from "./job-context.ts";
import { createJobTracing, type EndJobSpan } from "./job-tracing.ts";
import { holdGroupsBack, type OrderedBatch } from "./ordered-batch.ts";
import {
  type JobOutcome,
  outcomeLogFields,
  outcomeMessage,
  publishOutcome,
  UNKNOWN_JOB_ID,
} from "./outcome.ts";
import { OutcomeTally } from "./outcome-metrics.ts";
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
  /**
   * The Powertools Metrics that Fanout's metrics (see `FANOUT_METRICS`) are added to and published through at
   * the end of each invocation, or false for none. Default: one in the app's namespace, `Fanout/<app>`.
   */
  readonly metrics?: Metrics | false;
}

/** What one invocation gathers over its records: their metrics, and the ids its summary line names. */
interface Invocation {
  readonly tally: OutcomeTally;
  readonly processedJobIds: string[];
  /** For an ordered type: which records ran, and when each failed group comes back. */
  readonly ordered?: OrderedBatch;
}

/**
 * Processed jobs are logged once per invocation, in its metrics document (`processedJobIds`), or in a line of
 * their own without metrics: a Powertools log line costs more than a small job's whole path through Fanout.
 * A failure or dead letter is one line per job, at WARN; each processed job's own line is logged at DEBUG.
 */
const PROCESSED_MESSAGE = "jobs processed";

function processedSummary(invocation: Invocation) {
  return {
    processed: invocation.processedJobIds.length,
    [PROCESSED_JOB_IDS]: invocation.processedJobIds.join(" "),
  };
}

/** How far one record got: what its outcome can say about it. */
interface Progress {
  readonly attempt: number;
  readonly started: number;
  decoded?: DecodedJob;
  /** An idempotent job whose id had already completed: acknowledged without running its function. */
  skipped?: boolean;
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
  const metrics =
    options.metrics === false ? undefined : (options.metrics ?? createHandlerMetrics(registry.app, type));
  // A bundle built without tracing leaves the tracer out (cdktf/bundle.ts): the first test folds to false there.
  const tracing =
    process.env.FANOUT_TRACING !== "off" && registry.tracing
      ? once(() => createJobTracing(registry.app))
      : undefined;
  // An ordered type's records run one after another; after a failure, the rest of its group is not run.
  const ordered = job.ordering !== undefined;
  const processor = new BatchProcessor(EventType.SQS);
  const fifoProcessor = ordered ? new SqsFifoPartialProcessorAsync() : undefined;
  // Only an idempotent type loads Powertools Idempotency and the DynamoDB client; the others pay one test per record.
  const idempotent = job.idempotency !== undefined;
  let runtime: FunctionRuntime<R> | undefined;
  let coldStart = true;

  function report(
    invocation: Invocation,
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
      ...(progress.decoded
        ? {
            correlationId: progress.decoded.envelope.correlationId ?? progress.decoded.envelope.id,
            offloaded: progress.decoded.offloaded,
            payloadBytes: progress.decoded.payloadBytes,
          }
        : {}),
      ...details,
    };
    if (outcome.kind !== "processed") {
      logger.warn(outcomeMessage(outcome), outcomeLogFields(outcome));
    } else {
      invocation.processedJobIds.push(outcome.jobId ?? UNKNOWN_JOB_ID);
      // The fields are built only where the line is written: most functions log at INFO.
      if (logger.level <= LogLevelThreshold.DEBUG)
        logger.debug(outcomeMessage(outcome), outcomeLogFields(outcome));
    }
    if (metrics) invocation.tally.add(outcome);
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
    const decoded = await decodeRecord(record, {
      payloads: rt.payloads,
      topicArn: ordered ? fifoTopicArnOf(rt.resources.topicArn) : rt.resources.topicArn,
    });
    progress.decoded = decoded;
    const { envelope } = decoded;
    const ids = { jobType: envelope.type, jobId: envelope.id, queueUrl: rt.resources.queueUrl };
    if (envelope.type !== type) throw new WrongQueueError(envelope.type, type, ids);
    const payload = parsePayload(job, envelope.payload, ids) as PayloadOutput<R["jobs"][T]>;
    const correlationId = envelope.correlationId ?? envelope.id;
    const endSpan: EndJobSpan | undefined = tracing
      ? (await tracing())({ jobType: type, jobId: envelope.id, correlationId, attempt: progress.attempt })
      : undefined;
    const context = new RecordJobContext<R>({
      jobId: envelope.id,
      jobType: type,
      correlationId,
      createdAt: envelope.createdAt,
      attempt: progress.attempt,
      offloaded: decoded.offloaded,
      handlerLogger: logger,
      lambdaContext,
      publish: async (followUpType, payload, publishOptions) => {
        // IAM lets a deployed function publish (and offload) only the types it lists; refused the same way everywhere.
        if (!job.worker.publishes.includes(followUpType))
          throw new UndeclaredFollowUpError(type, followUpType, { jobId: envelope.id });
        const publisher = await rt.publisher();
        return publisher.publish(followUpType, payload, { ...publishOptions, correlationId });
      },
    });
    try {
      if (idempotent) {
        const result = await (await rt.runOnce())(envelope.id, lambdaContext, () => fn(payload, context));
        if (result === "skipped") progress.skipped = true;
      } else {
        await fn(payload, context);
      }
      endSpan?.();
    } catch (error) {
      endSpan?.(error);
      throw error;
    }
  }

  /** Dead-letters the record or schedules its retry, as `decideFailure` says; rethrows unless dead-lettered. */
  async function handleFailure(
    invocation: Invocation,
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
        report(invocation, record, progress, { kind: "dead-lettered", ...reason });
        return;
      } catch (dlqError) {
        // Reported failed so it is not deleted: the next receive tries the DLQ send again, after the job's
        // backoff rather than the whole visibility timeout, and SQS redrive catches it if that never works.
        deadLetterError = errorMessage(dlqError);
      }
    }
    const retryInSeconds = decision.retryInSeconds;
    invocation.ordered?.failed(record, retryInSeconds);
    report(invocation, record, progress, {
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

  /**
   * A duplicate delivered while its job runs elsewhere is not a failure of the job: no outcome, no failure
   * metric, one INFO line. It goes back to the queue (a batch item failure) until that run has ended.
   */
  async function waitForRunningJob(
    invocation: Invocation,
    rt: FunctionRuntime<R>,
    record: SQSRecord,
    progress: Progress,
    seconds: number,
  ): Promise<void> {
    invocation.ordered?.failed(record, seconds);
    logger.info("job running in another invocation; this delivery comes back later", {
      jobType: type,
      jobId: progress.decoded?.envelope.id,
      messageId: record.messageId,
      attempt: progress.attempt,
      retryInSeconds: seconds,
    });
    await postponeRetry(rt, record, seconds);
  }

  async function runRecord(
    invocation: Invocation,
    rt: FunctionRuntime<R>,
    record: SQSRecord,
    lambdaContext: Context,
  ): Promise<void> {
    const progress: Progress = {
      attempt: Number(record.attributes.ApproximateReceiveCount) || 1,
      started: performance.now(),
    };
    invocation.ordered?.ran(record);
    try {
      await runJob(rt, record, progress, lambdaContext);
    } catch (error) {
      const waitSeconds =
        error instanceof JobInProgressError ? inProgressDelaySeconds(progress.attempt, job.worker) : null;
      if (waitSeconds !== null) {
        await waitForRunningJob(invocation, rt, record, progress, waitSeconds);
        throw error;
      }
      await handleFailure(invocation, rt, record, progress, error);
      return;
    }
    report(invocation, record, progress, {
      kind: "processed",
      ...(progress.skipped ? { skipped: true } : {}),
    });
  }

  return async (event, lambdaContext) => {
    runtime ??= createFunctionRuntime(registry, job, options, logger);
    const rt = runtime;
    logger.addContext(lambdaContext);
    if (coldStart && metrics) metrics.captureColdStartMetric(lambdaContext.functionName);
    coldStart = false;
    const invocation: Invocation = {
      tally: new OutcomeTally(),
      processedJobIds: [],
      ...(ordered ? { ordered: holdGroupsBack() } : {}),
    };
    try {
      const handle = (record: SQSRecord) => runRecord(invocation, rt, record, lambdaContext);
      const options = { context: lambdaContext, throwOnFullBatchFailure: false };
      const response = fifoProcessor
        ? await processPartialResponse(event, handle, fifoProcessor, { ...options, skipGroupOnError: true })
        : await processPartialResponse(event, handle, processor, options);
      if (invocation.ordered) await invocation.ordered.release(event.Records, response, rt, logger);
      return response;
    } finally {
      if (metrics) publishMetricValues(metrics, invocation.tally.take(), invocation.processedJobIds);
      else if (invocation.processedJobIds.length > 0)
        logger.info(PROCESSED_MESSAGE, processedSummary(invocation));
    }
  };
}
