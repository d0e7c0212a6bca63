import { S3Client } from "@aws-sdk/client-s3";
import { SNSClient } from "@aws-sdk/client-sns";
import { SQSClient } from "@aws-sdk/client-sqs";

export interface AwsClients {
  readonly sns: SNSClient;
  readonly sqs: SQSClient;
  readonly s3: S3Client;
}

export interface ClientOptions {
  /** Overrides the endpoint of every client; otherwise the SDK reads `AWS_ENDPOINT_URL` and friends. */
  readonly endpoint?: string | undefined;
  readonly region?: string | undefined;
  /** Overrides the standard credential chain (the local cloud accepts any). */
  readonly credentials?: {
    readonly accessKeyId: string;
    readonly secretAccessKey: string;
    readonly sessionToken?: string;
  };
  /** Attempts per request, the first included. Default: the SDK's (3). */
  readonly maxAttempts?: number;
  /** Give up on a connection that is not established within this time. Default: no limit. */
  readonly connectionTimeoutMs?: number;
  /** Give up on a request that gets no response within this time. Default: no limit. */
  readonly requestTimeoutMs?: number;
}

function hasEndpointOverride(options: ClientOptions, service: "S3" | "SQS"): boolean {
  return Boolean(
    options.endpoint ?? process.env[`AWS_ENDPOINT_URL_${service}`] ?? process.env.AWS_ENDPOINT_URL,
  );
}

/** The configuration every client of one connection shares, for clients beyond SNS, SQS and S3. */
export function baseClientConfig(options: ClientOptions = {}) {
  const timeouts = {
    ...(options.connectionTimeoutMs ? { connectionTimeout: options.connectionTimeoutMs } : {}),
    ...(options.requestTimeoutMs ? { requestTimeout: options.requestTimeoutMs } : {}),
  };
  return {
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    ...(options.region ? { region: options.region } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
    ...(options.maxAttempts ? { maxAttempts: options.maxAttempts } : {}),
    ...(Object.keys(timeouts).length > 0 ? { requestHandler: timeouts } : {}),
  };
}

/**
 * Clients configured the standard AWS way (region, credentials and endpoint from the environment and
 * shared config files). With a custom endpoint, S3 uses path-style addressing and SQS ignores the host in
 * queue URLs, because the subdomains an emulator writes into them need not resolve.
 */
export function createAwsClients(options: ClientOptions = {}): AwsClients {
  const common = baseClientConfig(options);
  return {
    sns: new SNSClient(common),
    sqs: new SQSClient({ ...common, useQueueUrlAsEndpoint: !hasEndpointOverride(options, "SQS") }),
    s3: new S3Client({ ...common, forcePathStyle: hasEndpointOverride(options, "S3") }),
  };
}

export function destroyAwsClients(clients: AwsClients): void {
  clients.sns.destroy();
  clients.sqs.destroy();
  clients.s3.destroy();
}
