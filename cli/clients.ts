import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { S3Client } from "@aws-sdk/client-s3";
import { SNSClient } from "@aws-sdk/client-sns";
import { SQSClient } from "@aws-sdk/client-sqs";
import { STSClient } from "@aws-sdk/client-sts";
import type { AwsClients } from "../shared/aws-clients.ts";

export interface CliClients extends AwsClients {
  readonly sts: STSClient;
  readonly cloudwatch: CloudWatchClient;
}

export interface CliClientOptions {
  readonly endpoint?: string | undefined;
  readonly region?: string | undefined;
  readonly credentials?: {
    readonly accessKeyId: string;
    readonly secretAccessKey: string;
    readonly sessionToken?: string;
  };
}

/**
 * An operator waits at the terminal: an endpoint that does not answer must fail within seconds, not after
 * the SDK's default retries with backoff and no connection timeout.
 */
const MAX_ATTEMPTS = 2;
const CONNECTION_TIMEOUT_MS = 2_500;
/** Above the 20-second long poll that SQS allows. */
const REQUEST_TIMEOUT_MS = 30_000;

/**
 * The same settings as `createAwsClients` in `shared/aws-clients.ts` (path-style S3 and queue URLs that do not
 * pick the host on a custom endpoint), plus the short failure path above and the clients only the CLI needs.
 */
export function createCliClients(options: CliClientOptions): CliClients {
  const common = {
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    ...(options.region ? { region: options.region } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
    maxAttempts: MAX_ATTEMPTS,
    requestHandler: { connectionTimeout: CONNECTION_TIMEOUT_MS, requestTimeout: REQUEST_TIMEOUT_MS },
  };
  const customEndpoint = Boolean(options.endpoint);
  return {
    sns: new SNSClient(common),
    sqs: new SQSClient({ ...common, useQueueUrlAsEndpoint: !customEndpoint }),
    s3: new S3Client({ ...common, forcePathStyle: customEndpoint }),
    sts: new STSClient(common),
    cloudwatch: new CloudWatchClient(common),
  };
}

export function destroyCliClients(clients: CliClients): void {
  for (const client of [clients.sns, clients.sqs, clients.s3, clients.sts, clients.cloudwatch])
    client.destroy();
}
