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
  readonly endpoint?: string;
  readonly region?: string;
  /** Overrides the standard credential chain (the local cloud accepts any). */
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
}

function hasEndpointOverride(options: ClientOptions, service: "S3" | "SQS"): boolean {
  return Boolean(
    options.endpoint ?? process.env[`AWS_ENDPOINT_URL_${service}`] ?? process.env.AWS_ENDPOINT_URL,
  );
}

/**
 * Clients configured the standard AWS way (region, credentials and endpoint from the environment and
 * shared config files). With a custom endpoint, S3 uses path-style addressing and SQS ignores the host in
 * queue URLs, because the subdomains an emulator writes into them need not resolve.
 */
export function createAwsClients(options: ClientOptions = {}): AwsClients {
  const common = {
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    ...(options.region ? { region: options.region } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
  };
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
