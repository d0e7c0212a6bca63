import { ConfigurationError } from "./errors.ts";
import { CATCH_ALL, DELAYED } from "./naming.ts";

/**
 * The environment of one consumer function. The cdktf stack fills it with resource references and the
 * local runner with the local cloud's URLs, from this one definition.
 */
export interface FunctionResources {
  readonly topicArn: string;
  readonly bucket: string;
  readonly queueUrl: string;
  readonly dlqUrl: string;
  /** The app's idempotency table, for a job type that declares `idempotency`; absent for the others. */
  readonly idempotencyTable?: string | undefined;
}

const VARIABLES = {
  topicArn: "FANOUT_TOPIC_ARN",
  bucket: "FANOUT_PAYLOAD_BUCKET",
  queueUrl: "FANOUT_QUEUE_URL",
  dlqUrl: "FANOUT_DLQ_URL",
} as const satisfies Record<Exclude<keyof FunctionResources, "idempotencyTable">, string>;
/** Set only for idempotent job types, whose role alone may use the table. */
export const IDEMPOTENCY_TABLE_VARIABLE = "FANOUT_IDEMPOTENCY_TABLE";

/** What every Fanout function runs with: its service name in the logs, and stack traces mapped to the sources. */
function runtimeEnvironment(service: string): Record<string, string> {
  return { POWERTOOLS_SERVICE_NAME: service, NODE_OPTIONS: "--enable-source-maps" };
}

export function functionEnvironment(jobType: string, resources: FunctionResources): Record<string, string> {
  return {
    [VARIABLES.topicArn]: resources.topicArn,
    [VARIABLES.bucket]: resources.bucket,
    [VARIABLES.queueUrl]: resources.queueUrl,
    [VARIABLES.dlqUrl]: resources.dlqUrl,
    ...(resources.idempotencyTable ? { [IDEMPOTENCY_TABLE_VARIABLE]: resources.idempotencyTable } : {}),
    ...runtimeEnvironment(jobType),
  };
}

/** Where the catch-all keeps what it finds; the stack and the local runner set it. */
export const UNROUTED_QUEUE_VARIABLE = "FANOUT_UNROUTED_QUEUE_URL";

/** The environment of the catch-all's function (see `CatchAllTopology`). */
export function catchAllEnvironment(unroutedQueueUrl: string): Record<string, string> {
  return { [UNROUTED_QUEUE_VARIABLE]: unroutedQueueUrl, ...runtimeEnvironment(CATCH_ALL) };
}

export function readFunctionResources(env: NodeJS.ProcessEnv = process.env): FunctionResources {
  const missing = Object.values(VARIABLES).filter((name) => !env[name]);
  if (missing.length > 0) {
    throw new ConfigurationError(
      `Missing environment variables ${missing.join(", ")}; the stack and the local runner set them for every consumer.`,
    );
  }
  return {
    topicArn: env[VARIABLES.topicArn] as string,
    bucket: env[VARIABLES.bucket] as string,
    queueUrl: env[VARIABLES.queueUrl] as string,
    dlqUrl: env[VARIABLES.dlqUrl] as string,
    ...(env[IDEMPOTENCY_TABLE_VARIABLE] ? { idempotencyTable: env[IDEMPOTENCY_TABLE_VARIABLE] } : {}),
  };
}

/** The delay queue the relay sends jobs back to; the stack and the local runner set it. */
export const DELAY_QUEUE_VARIABLE = "FANOUT_DELAY_QUEUE_URL";
export const TOPIC_ARN_VARIABLE = VARIABLES.topicArn;

/** The environment of the delay relay's function (see `DelayTopology`). */
export function delayRelayEnvironment(topicArn: string, delayQueueUrl: string): Record<string, string> {
  return {
    [VARIABLES.topicArn]: topicArn,
    [DELAY_QUEUE_VARIABLE]: delayQueueUrl,
    ...runtimeEnvironment(DELAYED),
  };
}
