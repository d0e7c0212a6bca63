import { CreateBucketCommand } from "@aws-sdk/client-s3";
import { CreateTopicCommand, SubscribeCommand } from "@aws-sdk/client-sns";
import { CreateQueueCommand, GetQueueAttributesCommand, type SQSClient } from "@aws-sdk/client-sqs";
import type { AwsClients } from "../shared/aws-clients.ts";
import { filterPolicy, type QueueTopology, type Topology } from "../shared/topology.ts";

export interface ProvisionedQueue {
  readonly consumer: string;
  readonly queueUrl: string;
  readonly queueArn: string;
  readonly dlqUrl: string;
  readonly dlqArn: string;
}

export interface ProvisionedTopology {
  readonly topicArn: string;
  readonly bucket: string;
  /** By job type or subscriber name. */
  readonly queues: ReadonlyMap<string, ProvisionedQueue>;
}

async function createQueue(sqs: SQSClient, name: string, attributes: Record<string, string>) {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }),
  );
  return { url: QueueUrl as string, arn: Attributes?.QueueArn as string };
}

async function provisionQueue(
  clients: AwsClients,
  topicArn: string,
  queue: QueueTopology,
): Promise<ProvisionedQueue> {
  const dlq = await createQueue(clients.sqs, queue.dlqName, {
    MessageRetentionPeriod: String(queue.dlqRetentionSeconds),
  });
  const source = await createQueue(clients.sqs, queue.queueName, {
    VisibilityTimeout: String(queue.visibilityTimeoutSeconds),
    MessageRetentionPeriod: String(queue.retentionSeconds),
    RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: queue.maxReceiveCount }),
  });
  await clients.sns.send(
    new SubscribeCommand({
      TopicArn: topicArn,
      Protocol: "sqs",
      Endpoint: source.arn,
      ReturnSubscriptionArn: true,
      Attributes: {
        RawMessageDelivery: "true",
        FilterPolicyScope: "MessageAttributes",
        FilterPolicy: filterPolicy(queue.jobTypes),
      },
    }),
  );
  return {
    consumer: queue.consumer,
    queueUrl: source.url,
    queueArn: source.arn,
    dlqUrl: dlq.url,
    dlqArn: dlq.arn,
  };
}

/**
 * Creates the topology in the local cloud through the ordinary SDK calls, the same names and settings the
 * cdktf stack deploys. Safe to run again: every call is idempotent.
 */
export async function provisionTopology(
  clients: AwsClients,
  topology: Topology,
): Promise<ProvisionedTopology> {
  const { TopicArn } = await clients.sns.send(new CreateTopicCommand({ Name: topology.topicName }));
  const topicArn = TopicArn as string;
  try {
    await clients.s3.send(new CreateBucketCommand({ Bucket: topology.bucketName }));
  } catch (error) {
    if ((error as { name?: string }).name !== "BucketAlreadyOwnedByYou") throw error;
  }
  const queues = new Map<string, ProvisionedQueue>();
  for (const queue of [...topology.workers, ...topology.subscribers]) {
    queues.set(queue.consumer, await provisionQueue(clients, topicArn, queue));
  }
  return { topicArn, bucket: topology.bucketName, queues };
}
