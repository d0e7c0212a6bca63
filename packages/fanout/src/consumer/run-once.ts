import {
  IdempotencyAlreadyInProgressError,
  IdempotencyConfig,
  makeIdempotent,
} from "@aws-lambda-powertools/idempotency";
import type { BasePersistenceLayer } from "@aws-lambda-powertools/idempotency/persistence";
import type { Context } from "aws-lambda";
import { JobInProgressError } from "../core/errors.ts";
import type { IdempotencySettings } from "../core/registry.ts";

/** Whether the function ran for this delivery, or the job id had already completed and it was skipped. */
export type RunOnceResult = "ran" | "skipped";

/**
 * Runs `run` unless the job id completed within the TTL. Throws `JobInProgressError` while another invocation
 * holds the job; rethrows `run`'s own error after releasing the job, so the next delivery runs it.
 */
export type RunOnce = (
  jobId: string,
  lambdaContext: Context,
  run: () => Promise<void>,
) => Promise<RunOnceResult>;

/** What the wrapped function is given: the key (the job id alone, never the payload), the work, and a flag it sets. */
type Claimed = (
  key: { readonly jobId: string },
  run: () => Promise<void>,
  call: { ran: boolean },
) => Promise<void>;

/**
 * Powertools Idempotency around one job type's function. The key is `<job type>#<hash of the job id>`: the
 * same job id in two types is two jobs. A claim expires with the invocation (the Lambda context's remaining
 * time), so a run that times out or crashes does not hold its job until the TTL.
 */
export function createRunOnce(
  jobType: string,
  settings: IdempotencySettings,
  persistenceStore: BasePersistenceLayer,
): RunOnce {
  const config = new IdempotencyConfig({ expiresAfterSeconds: settings.ttlSeconds });
  const claimed: Claimed = async (_key, run, call) => {
    call.ran = true;
    await run();
  };
  const runClaimed = makeIdempotent(claimed, { persistenceStore, config, keyPrefix: jobType });
  return async (jobId, lambdaContext, run) => {
    config.registerLambdaContext(lambdaContext);
    const call = { ran: false };
    try {
      await runClaimed({ jobId }, run, call);
    } catch (error) {
      if (error instanceof IdempotencyAlreadyInProgressError) {
        throw new JobInProgressError(
          `Job ${jobId} is running in another invocation; this delivery waits for it and is acknowledged without running again if that run completes.`,
          { jobType, jobId, cause: error },
        );
      }
      throw error;
    }
    return call.ran ? "ran" : "skipped";
  };
}

/** The runner of a deployed function: Powertools' DynamoDB persistence on the app's table, client from the environment. */
export async function createDynamoDbRunOnce(
  jobType: string,
  settings: IdempotencySettings,
  table: { readonly name: string; readonly keyAttribute: string; readonly expiryAttribute: string },
): Promise<RunOnce> {
  const { DynamoDBPersistenceLayer } = await import("@aws-lambda-powertools/idempotency/dynamodb");
  const store = new DynamoDBPersistenceLayer({
    tableName: table.name,
    keyAttr: table.keyAttribute,
    expiryAttr: table.expiryAttribute,
  });
  return createRunOnce(jobType, settings, store);
}
