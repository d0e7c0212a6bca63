import { Agent } from "node:http";
import { S3, S3Client } from "@aws-sdk/client-s3";
import { SNSClient } from "@aws-sdk/client-sns";
import { SQSClient } from "@aws-sdk/client-sqs";
import { STSClient } from "@aws-sdk/client-sts";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import type { AwsClients } from "fanout";
import { LOCAL_CREDENTIALS, LOCAL_REGION } from "fanout/local";
import type { RequestCounter, V3Client } from "./counter.ts";

/** Every publisher gets the same connection pool: keep-alive, enough sockets for its concurrency. */
export function keepAliveAgent(): Agent {
  return new Agent({ keepAlive: true, maxSockets: 64 });
}

function common(endpoint: string) {
  return {
    endpoint,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
    requestHandler: new NodeHttpHandler({ httpAgent: keepAliveAgent() }),
  };
}

function counted<C>(client: C, counter: RequestCounter | undefined, service: string): C {
  return counter ? (counter.instrument(client as unknown as V3Client, service) as unknown as C) : client;
}

/** SDK v3 clients on the local cloud, as `createAwsClients` builds them for an emulator, counted. */
export function benchClients(endpoint: string, counter?: RequestCounter): AwsClients {
  return {
    sns: counted(new SNSClient(common(endpoint)), counter, "SNS"),
    sqs: counted(new SQSClient({ ...common(endpoint), useQueueUrlAsEndpoint: false }), counter, "SQS"),
    s3: counted(new S3Client({ ...common(endpoint), forcePathStyle: true }), counter, "S3"),
  };
}

/** The aggregated `S3` client that `@message-queue-toolkit/s3-payload-store` calls `putObject` on. */
export function benchAggregatedS3(endpoint: string, counter?: RequestCounter): S3 {
  return counted(new S3({ ...common(endpoint), forcePathStyle: true }), counter, "S3");
}

export function benchSts(endpoint: string): STSClient {
  return new STSClient(common(endpoint));
}
