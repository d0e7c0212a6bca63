import AWS from "aws-sdk";
import { LOCAL_CREDENTIALS, LOCAL_REGION } from "fanout/local";
import pLimit from "p-limit";
import { SnsProducer } from "sns-sqs-big-payload";
import { keepAliveAgent } from "../clients.ts";
import type { RequestCounter } from "../counter.ts";
import { type Contender, PEER_CONCURRENCY } from "./types.ts";

/** `sns-sqs-big-payload` is built on SDK v2; its README has it take pre-configured `sns` and `s3` services. */
export function bigPayloadServices(endpoint: string, counter?: RequestCounter) {
  const config = {
    endpoint,
    region: LOCAL_REGION,
    credentials: new AWS.Credentials(LOCAL_CREDENTIALS.accessKeyId, LOCAL_CREDENTIALS.secretAccessKey),
    httpOptions: { agent: keepAliveAgent() },
  };
  const sns = new AWS.SNS(config);
  const s3 = new AWS.S3({ ...config, s3ForcePathStyle: true });
  counter?.instrumentV2(AWS as never);
  return { sns, s3 };
}

/** `SnsProducer.publishJSON`, one message per call, large payloads through S3 as its README shows. */
export const bigPayload: Contender = {
  name: "sns-sqs-big-payload",
  kind: "peer",
  async create(target) {
    const { sns, s3 } = bigPayloadServices(target.endpoint, target.counter);
    const producer = SnsProducer.create({
      topicArn: target.topicArn,
      region: LOCAL_REGION,
      largePayloadThoughS3: true,
      s3Bucket: target.bucket,
      sns,
      s3,
    });
    return {
      async publishAll(jobs) {
        await pLimit(PEER_CONCURRENCY).map(jobs, (job) => producer.publishJSON(job));
      },
      close: async () => {},
    };
  },
};
