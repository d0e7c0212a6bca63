import { BatchProcessor, EventType, processPartialResponse } from "@aws-lambda-powertools/batch";
import { Logger } from "@aws-lambda-powertools/logger";
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";
import type { AwsClients } from "../core/aws-clients.ts";
import {
  ConfigurationError,
  errorCode,
  errorMessage,
  isPermanent,
  JobValidationError,
  UnknownJobTypeError,
} from "../core/errors.ts";
import { type FunctionResources, readFunctionResources } from "../core/function-environment.ts";
import {
  type LazyAwsClients,
  lazyAwsClients,
  NO_FOLLOW_UPS,
  readyAwsClients,
} from "../core/lazy-aws-clients.ts";
import { payloadKey, payloadKeyPrefix } from "../core/naming.ts";
import type { PayloadReader, PayloadStore } from "../core/payload-store.ts";
import type { Publisher } from "../core/publisher.ts";
import {
  findJob,
  type JobDefinition,
  type JobTypeOf,
  type PayloadOutput,
  type Registry,
} from "../core/registry.ts";
import { PAYLOAD_REFRESH_AFTER_SECONDS } from "../core/topology.ts";
import { type DeadLetterStore, sendToDeadLetterQueue } from "./dead-letter.ts";
import type { JobContext } from "./job-context.ts";
import { decodeRecord } from "./record-decoder.ts";

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
}

export type JobOutcome = "processed" | "failed" | "dead-lettered";

/** The job id logged for a message that could not be read far enough to find its id. */
export const UNKNOWN_JOB_ID = "unknown";

/** SQS refuses visibility timeouts above 12 hours. */
const MAX_VISIBILITY_SECONDS = 43_200;

/** What records need beyond the payload in hand; each part is built (and its SDK module loaded) on first use. */
interface Runtime<R extends Registry> {
  readonly clients: LazyAwsClients;
  readonly resources: FunctionResources;
  readonly payloads: PayloadReader;
  publisher(): Promise<Publisher<R>>;
  deadLetterStore(): Promise<DeadLetterStore>;
}

function once<T>(make: () => Promise<T>): () => Promise<T> {
  let made: Promise<T> | undefined;
  return () => {
    made ??= make();
    return made;
  };
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
  const found = findJob(registry, type);
  if (!found)
    throw new UnknownJobTypeError(
      type,
      registry.jobList.map((j) => j.type),
    );
  const job: JobDefinition = found;
  const logger = new Logger({ serviceName: type });
  const processor = new BatchProcessor(EventType.SQS);
  let runtime: Runtime<R> | undefined;

  function init(): Runtime<R> {
    const clients = options.clients ? readyAwsClients(options.clients) : lazyAwsClients();
    const resources = options.resources ?? readFunctionResources();
    const store = once(async (): Promise<PayloadStore> => {
      const { PayloadStore } = await import("../core/payload-store.ts");
      const own = payloadKeyPrefix(type);
      const foreign = job.worker.foreignPayloadPrefix;
      return new PayloadStore({
        s3: await clients.s3(),
        bucket: resources.bucket,
        ...(options.maxPayloadBytes ? { maxPayloadBytes: options.maxPayloadBytes } : {}),
        // The same prefixes the worker's IAM role may read, so the local cloud refuses what AWS would.
        readablePrefixes: foreign === null ? [own] : [own, foreign],
        refresh: {
          afterSeconds: PAYLOAD_REFRESH_AFTER_SECONDS,
          prefix: own,
          onFailure: (key, error) =>
            logger.warn("could not refresh an old payload object; it may expire before a redrive", {
              key,
              error: errorMessage(error),
            }),
        },
      });
    });
    const publisher = once(async () => {
      // The bundle of a job type that publishes nothing is built without the publisher (stacks/bundle.ts).
      if (process.env.FANOUT_FOLLOW_UPS === "none") throw new ConfigurationError(NO_FOLLOW_UPS);
      const { Publisher } = await import("../core/publisher.ts");
      return new Publisher({
        registry,
        sns: await clients.sns(),
        payloads: await store(),
        topicArn: resources.topicArn,
      });
    });
    return {
      clients,
      resources,
      payloads: { get: async (pointer, declaredSize) => (await store()).get(pointer, declaredSize) },
      publisher,
      deadLetterStore: async () => {
        const payloads = await store();
        return {
          put: (key, body) => payloads.put(key, body),
          keyFor: (messageId) => payloadKey(type, `dead-letter-${messageId}`, new Date()),
        };
      },
    };
  }

  function retryDelaySeconds(attempt: number): number {
    const { baseSeconds, maxSeconds } = job.worker.retryBackoff;
    return Math.min(maxSeconds, MAX_VISIBILITY_SECONDS, Math.round(baseSeconds * 2 ** (attempt - 1)));
  }

  async function runRecord(rt: Runtime<R>, record: SQSRecord, lambdaContext: Context): Promise<void> {
    const attempt = Number(record.attributes.ApproximateReceiveCount) || 1;
    const started = performance.now();
    let jobId: string | undefined;
    let foreignJobId: string | undefined;
    try {
      const decoded = await decodeRecord(record, { payloads: rt.payloads, topicArn: rt.resources.topicArn });
      const { envelope } = decoded;
      jobId = envelope.id;
      if (decoded.foreign) foreignJobId = envelope.id;
      if (envelope.type !== type) {
        throw new UnknownJobTypeError(envelope.type, [type]);
      }
      const parsed = job.schema.safeParse(envelope.payload);
      if (!parsed.success) {
        throw new JobValidationError(
          type,
          parsed.error.issues.map((i) => ({ path: i.path.join("."), message: i.message })),
        );
      }
      const correlationId = envelope.correlationId ?? envelope.id;
      const jobLogger = logger.createChild({
        persistentKeys: { jobType: type, jobId: envelope.id, correlationId },
      });
      const context: JobContext<R> = {
        jobId: envelope.id,
        jobType: type,
        correlationId,
        attempt,
        offloaded: decoded.offloaded,
        logger: jobLogger,
        remainingTimeMs: () => lambdaContext.getRemainingTimeInMillis(),
        publish: (followUpType, payload, publishOptions) =>
          rt.publisher().then((p) => p.publish(followUpType, payload, { ...publishOptions, correlationId })),
      };
      await fn(parsed.data as PayloadOutput<R["jobs"][T]>, context);
      logOutcome("processed", record, jobId, attempt, started, { offloaded: decoded.offloaded });
    } catch (error) {
      const reason = { errorCode: errorCode(error), reason: errorMessage(error) };
      if (isPermanent(error) || attempt >= job.worker.maxReceiveCount) {
        try {
          await sendToDeadLetterQueue(
            await rt.clients.sqs(),
            rt.resources.dlqUrl,
            { record, error, receiveCount: attempt, foreignJobId, failedAt: new Date() },
            rt.deadLetterStore,
          );
          logOutcome("dead-lettered", record, jobId, attempt, started, reason);
          return;
        } catch (dlqError) {
          // Reported failed so it is not deleted: the next receive tries the DLQ send again, after the job's
          // backoff rather than the whole visibility timeout, and SQS redrive catches it if that never works.
          const retryInSeconds = retryDelaySeconds(attempt);
          logOutcome("failed", record, jobId, attempt, started, {
            ...reason,
            deadLetterError: errorMessage(dlqError),
            retryInSeconds,
          });
          await postponeRetry(rt, record, retryInSeconds);
          throw error;
        }
      }
      const retryInSeconds = retryDelaySeconds(attempt);
      logOutcome("failed", record, jobId, attempt, started, { ...reason, retryInSeconds });
      await postponeRetry(rt, record, retryInSeconds);
      throw error;
    }
  }

  function logOutcome(
    outcome: JobOutcome,
    record: SQSRecord,
    jobId: string | undefined,
    attempt: number,
    started: number,
    extra: Record<string, unknown>,
  ): void {
    const fields = {
      jobType: type,
      jobId: jobId ?? UNKNOWN_JOB_ID,
      messageId: record.messageId,
      outcome,
      attempt,
      durationMs: Math.round(performance.now() - started),
      ...extra,
    };
    if (outcome === "processed") logger.info(`job ${outcome}`, fields);
    else logger.warn(`job ${outcome}`, fields);
  }

  /** The backoff is the message's visibility: the event source will not see it again before then. */
  async function postponeRetry(rt: Runtime<R>, record: SQSRecord, seconds: number): Promise<void> {
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

  return async (event, lambdaContext) => {
    runtime ??= init();
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
