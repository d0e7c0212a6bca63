import { S3Client } from "@aws-sdk/client-s3";
import { SNSClient } from "@aws-sdk/client-sns";
import { SQSClient } from "@aws-sdk/client-sqs";
import { baseClientConfig, type ClientOptions, s3ClientConfig, sqsClientConfig } from "./client-config.ts";

export { baseClientConfig, type ClientOptions } from "./client-config.ts";

export interface AwsClients {
  readonly sns: SNSClient;
  readonly sqs: SQSClient;
  readonly s3: S3Client;
}

/** Clients configured the standard AWS way: region, credentials and endpoint from the environment and shared config files. */
export function createAwsClients(options: ClientOptions = {}): AwsClients {
  return {
    sns: new SNSClient(baseClientConfig(options)),
    sqs: new SQSClient(sqsClientConfig(options)),
    s3: new S3Client(s3ClientConfig(options)),
  };
}

export function destroyAwsClients(clients: AwsClients): void {
  clients.sns.destroy();
  clients.sqs.destroy();
  clients.s3.destroy();
}
