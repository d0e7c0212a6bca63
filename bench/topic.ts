import { CreateBucketCommand } from "@aws-sdk/client-s3";
import { CreateTopicCommand, SubscribeCommand } from "@aws-sdk/client-sns";
import { CreateQueueCommand, GetQueueAttributesCommand } from "@aws-sdk/client-sqs";
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
