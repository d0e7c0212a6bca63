import { randomUUID } from "node:crypto";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { PublishBatchCommand, PublishCommand } from "@aws-sdk/client-sns";
import { destroyAwsClients } from "fanout";
import pLimit from "p-limit";
import { benchClients } from "../clients.ts";
import type { BenchPayload } from "../registry.ts";
import { type Contender, PEER_CONCURRENCY, type PublishTarget } from "./types.ts";

/** Above this a hand-written claim check puts the body in S3 and publishes a pointer. */
const INLINE_LIMIT = 256 * 1024 - 1024;

/**
 * The floor: what the AWS SDK v3 does with no library around it. No validation, no envelope; a large body
 * goes to S3 with one `PutObject` and a bare pointer is published in its place.
 */
function bareMessage(target: PublishTarget, clients: ReturnType<typeof benchClients>) {
  return async (job: BenchPayload): Promise<string> => {
    const body = JSON.stringify(job);
    if (body.length <= INLINE_LIMIT) return body;
    const key = `bare/${randomUUID()}.json`;
    // A Buffer, as Fanout passes: the SDK spends several times the CPU on a string body of this size.
    await clients.s3.send(
      new PutObjectCommand({ Bucket: target.bucket, Key: key, Body: Buffer.from(body, "utf8") }),
    );
    return JSON.stringify({ s3Bucket: target.bucket, s3Key: key });
  };
}

const attributes = { jobType: { DataType: "String", StringValue: "bench-job" } };

export const barePublish: Contender = {
  name: "SDK v3 Publish loop",
  kind: "floor",
  async create(target) {
    const clients = benchClients(target.endpoint, target.counter);
    const toMessage = bareMessage(target, clients);
    return {
      async publishAll(jobs) {
        await pLimit(PEER_CONCURRENCY).map(jobs, async (job) => {
          await clients.sns.send(
            new PublishCommand({
              TopicArn: target.topicArn,
              Message: await toMessage(job),
              MessageAttributes: attributes,
            }),
          );
        });
      },
      close: async () => destroyAwsClients(clients),
    };
  },
};

export const bareBatch: Contender = {
  name: "SDK v3 PublishBatch loop",
  kind: "floor",
  async create(target) {
    const clients = benchClients(target.endpoint, target.counter);
    const toMessage = bareMessage(target, clients);
    return {
      async publishAll(jobs) {
        const batches: BenchPayload[][] = [];
        for (let i = 0; i < jobs.length; i += 10) batches.push(jobs.slice(i, i + 10));
        await pLimit(PEER_CONCURRENCY).map(batches, async (batch) => {
          const messages = await Promise.all(batch.map(toMessage));
          const response = await clients.sns.send(
            new PublishBatchCommand({
              TopicArn: target.topicArn,
              PublishBatchRequestEntries: messages.map((Message, i) => ({
                Id: String(i),
                Message,
                MessageAttributes: attributes,
              })),
            }),
          );
          if (response.Failed?.length)
            throw new Error(`PublishBatch refused ${response.Failed.length} entries`);
        });
      },
      close: async () => destroyAwsClients(clients),
    };
  },
};
