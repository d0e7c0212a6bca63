import type { Logger } from "@aws-lambda-powertools/logger";
import type { AwsClients } from "../core/aws-clients.ts";
import { ConfigurationError, errorMessage } from "../core/errors.ts";
import {
  type FunctionResources,
  IDEMPOTENCY_TABLE_VARIABLE,
  readFunctionResources,
} from "../core/function-environment.ts";
import { idempotencyTable } from "../core/idempotency-table.ts";
import {
  type LazyAwsClients,
  lazyAwsClients,
  NO_FOLLOW_UPS,
  readyAwsClients,
} from "../core/lazy-aws-clients.ts";
import { payloadKey, payloadKeyPrefix } from "../core/naming.ts";
import { once } from "../core/once.ts";
import type { PayloadReader, PayloadStore } from "../core/payload-store.ts";
import type { Publisher } from "../core/publisher.ts";
import type { JobDefinition, Registry } from "../core/registry.ts";
import { PAYLOAD_REFRESH_AFTER_SECONDS } from "../core/topology.ts";
import type { DeadLetterStore } from "./dead-letter.ts";
import type { RunOnce } from "./run-once.ts";

/** What a function's records need beyond the payload in hand; each part is built (and its SDK module loaded) on first use. */
export interface FunctionRuntime<R extends Registry> {
  readonly clients: LazyAwsClients;
  readonly resources: FunctionResources;
  readonly payloads: PayloadReader;
  publisher(): Promise<Publisher<R>>;
  deadLetterStore(): Promise<DeadLetterStore>;
  /** The at-most-once runner of an idempotent job type, on the app's idempotency table. */
  runOnce(): Promise<RunOnce>;
}

export interface RuntimeOptions {
  readonly clients?: AwsClients | undefined;
  readonly resources?: FunctionResources | undefined;
  readonly maxPayloadBytes?: number | undefined;
}

/** Why a bundle built for a job type without `idempotency` cannot run a job once. */
const NOT_IDEMPOTENT =
  "This function's bundle was built for a job type without idempotency; declare it in the registry and deploy again.";

export function createFunctionRuntime<R extends Registry>(
  registry: R,
  job: JobDefinition,
  options: RuntimeOptions,
  logger: Logger,
): FunctionRuntime<R> {
  const clients = options.clients ? readyAwsClients(options.clients) : lazyAwsClients();
  const resources = options.resources ?? readFunctionResources();
  const store = once(async (): Promise<PayloadStore> => {
    const { PayloadStore } = await import("../core/payload-store.ts");
    const own = payloadKeyPrefix(job.type);
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
    // The bundle of a job type that publishes nothing is built without the publisher (cdktf/bundle.ts).
    if (process.env.FANOUT_FOLLOW_UPS === "none") throw new ConfigurationError(NO_FOLLOW_UPS);
    const { Publisher } = await import("../core/publisher.ts");
    return new Publisher({
      registry,
      sns: await clients.sns(),
      payloads: await store(),
      topicArn: resources.topicArn,
    });
  });
  const runOnce = once(async () => {
    // The bundle of a job type that is not idempotent is built without Powertools Idempotency (cdktf/bundle.ts).
    if (process.env.FANOUT_IDEMPOTENCY === "off") throw new ConfigurationError(NOT_IDEMPOTENT);
    const settings = job.idempotency;
    const tableName = resources.idempotencyTable;
    if (!settings || !tableName) {
      throw new ConfigurationError(
        `Job type "${job.type}" is idempotent but ${IDEMPOTENCY_TABLE_VARIABLE} is not set: deploy the stack (or restart fanout start) with the registry that declares its idempotency.`,
        { jobType: job.type },
      );
    }
    const { createDynamoDbRunOnce } = await import("./run-once.ts");
    return createDynamoDbRunOnce(job.type, settings, { ...idempotencyTable(registry.app), name: tableName });
  });
  return {
    clients,
    resources,
    runOnce,
    payloads: { read: async (pointer, declaredSize) => (await store()).read(pointer, declaredSize) },
    publisher,
    deadLetterStore: async () => {
      const payloads = await store();
      return {
        put: (key, body) => payloads.put(key, body),
        keyFor: (messageId) => payloadKey(job.type, `dead-letter-${messageId}`, new Date()),
      };
    },
  };
}
