import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectsCommand,
  ListObjectsV2Command,
} from "@aws-sdk/client-s3";
import { CreateTopicCommand, DeleteTopicCommand, SubscribeCommand } from "@aws-sdk/client-sns";
import { CreateQueueCommand, DeleteQueueCommand, GetQueueAttributesCommand } from "@aws-sdk/client-sqs";
import type { AwsClients } from "fanout";

export interface BenchTopic {
  readonly topicArn: string;
  readonly queueUrl: string;
  readonly bucket: string;
}

/**
 * A topic with one raw-delivery queue and no filter policy, and a bucket. The peers set no `jobType`
 * attribute, so a filtered subscription would deliver only Fanout's messages and spare the emulator the
 * peers' deliveries; an unfiltered one makes every publisher pay the same fan-out.
 */
export async function createBenchTopic(clients: AwsClients, name: string): Promise<BenchTopic> {
  const { TopicArn } = await clients.sns.send(new CreateTopicCommand({ Name: name }));
  const { QueueUrl } = await clients.sqs.send(new CreateQueueCommand({ QueueName: name }));
  const { Attributes } = await clients.sqs.send(
    new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }),
  );
  await clients.sns.send(
    new SubscribeCommand({
      TopicArn,
      Protocol: "sqs",
      Endpoint: Attributes?.QueueArn,
      Attributes: { RawMessageDelivery: "true" },
    }),
  );
  try {
    await clients.s3.send(new CreateBucketCommand({ Bucket: name }));
  } catch (error) {
    if ((error as { name?: string }).name !== "BucketAlreadyOwnedByYou") throw error;
  }
  return { topicArn: TopicArn as string, queueUrl: QueueUrl as string, bucket: name };
}

/**
 * Removes a run's topic, queue and bucket with everything in them, so that the emulator holds as much for
 * every run, whatever ran before it.
 */
export async function deleteBenchTopic(clients: AwsClients, topic: BenchTopic): Promise<void> {
  await clients.sns.send(new DeleteTopicCommand({ TopicArn: topic.topicArn }));
  await clients.sqs.send(new DeleteQueueCommand({ QueueUrl: topic.queueUrl }));
  for (;;) {
    const { Contents = [] } = await clients.s3.send(new ListObjectsV2Command({ Bucket: topic.bucket }));
    if (Contents.length === 0) break;
    await clients.s3.send(
      new DeleteObjectsCommand({
        Bucket: topic.bucket,
        Delete: { Objects: Contents.map(({ Key }) => ({ Key })) },
      }),
    );
  }
  await clients.s3.send(new DeleteBucketCommand({ Bucket: topic.bucket }));
}
