import type { S3Client } from "@aws-sdk/client-s3";
import type { SNSClient } from "@aws-sdk/client-sns";
import type { SQSClient } from "@aws-sdk/client-sqs";
import type { AwsClients } from "./aws-clients.ts";
import { baseClientConfig, type ClientOptions, s3ClientConfig, sqsClientConfig } from "./client-config.ts";
import { ConfigurationError } from "./errors.ts";
import { once } from "./once.ts";

/** Why a bundle built for a job type without follow-ups cannot publish. */
export const NO_FOLLOW_UPS =
  "This function's bundle was built for a job type that publishes no follow-ups; list them in worker.publishes.";

/** Clients that a Lambda handler may never need in an invocation, each loaded when first asked for. */
export interface LazyAwsClients {
  sns(): Promise<SNSClient>;
  sqs(): Promise<SQSClient>;
  s3(): Promise<S3Client>;
}

/**
 * Loading an SDK client module costs 100 ms or more of a cold start, and a batch of inline jobs that succeed
 * needs none: SQS is needed on a failure, S3 on an offloaded payload, SNS on a follow-up.
 */
export function lazyAwsClients(options: ClientOptions = {}): LazyAwsClients {
  return {
    sns: once(async () => {
      // The bundle of a job type that publishes no follow-ups is built without the SNS client (stacks/bundle.ts).
      if (process.env.FANOUT_FOLLOW_UPS === "none") throw new ConfigurationError(NO_FOLLOW_UPS);
      return new (await import("@aws-sdk/client-sns")).SNSClient(baseClientConfig(options));
    }),
    sqs: once(async () => new (await import("@aws-sdk/client-sqs")).SQSClient(sqsClientConfig(options))),
    s3: once(async () => new (await import("@aws-sdk/client-s3")).S3Client(s3ClientConfig(options))),
  };
}

export function readyAwsClients(clients: AwsClients): LazyAwsClients {
  return {
    sns: async () => clients.sns,
    sqs: async () => clients.sqs,
    s3: async () => clients.s3,
  };
}
