import { CreateBucketCommand } from "@aws-sdk/client-s3";
import {
  CreateTopicCommand,
  GetSubscriptionAttributesCommand,
  paginateListSubscriptionsByTopic,
  SetSubscriptionAttributesCommand,
  type SNSClient,
  SubscribeCommand,
} from "@aws-sdk/client-sns";
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  SetQueueAttributesCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import type { AwsClients } from "../core/aws-clients.ts";
import { SQS_MAX_MESSAGE_BYTES } from "../core/claim-check.ts";
import { errorName } from "../core/errors.ts";
import {
  type DelayTopology,
  DLQ_RETENTION_SECONDS,
  type QueueTopology,
  subscriptions,
  type Topology,
  type UnroutedTopology,
} from "../core/topology.ts";
import type { QueueAddress } from "../operations/queue-address.ts";

export interface ProvisionedQueue {
  readonly consumer: string;
  readonly queueUrl: string;
  readonly queueArn: string;
  readonly dlqUrl: string;
  readonly dlqArn: string;
  readonly deliveryDlqUrl: string;
}

export interface ProvisionedTopology {
  readonly topicArn: string;
  /** The FIFO topic of the ordered job types; null when the registry has none. */
  readonly fifoTopicArn: string | null;
  readonly bucket: string;
  /** The queues that are read, by job type or subscriber name. */
  readonly queues: ReadonlyMap<string, ProvisionedQueue>;
  readonly unrouted: { readonly queueUrl: string; readonly deliveryDlqUrl: string };
  /** Where delayed jobs wait until they are due. */
  readonly delayed: { readonly queueUrl: string; readonly queueArn: string; readonly dlqUrl: string };
  /** Every queue of the topology by name (DLQs and subscription DLQs included), for the queue operations. */
  readonly addresses: ReadonlyMap<string, QueueAddress>;
}

/**
 * Creates the queue, or brings an existing one to these attributes: a local cloud that outlives a registry
 * change (a longer timeout, say) ends up as a fresh one would be, as after `cdktf deploy`.
 */
async function createQueue(
  sqs: SQSClient,
  name: string,
  settings: Record<string, string>,
): Promise<QueueAddress> {
  const attributes: Record<string, string> = {
    MaximumMessageSize: String(SQS_MAX_MESSAGE_BYTES),
    ...settings,
  };
  let QueueUrl: string | undefined;
  try {
    ({ QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes })));
  } catch (error) {
    if (errorName(error) !== "QueueNameExists") throw error;
    ({ QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: name })));
    // A queue is FIFO from its creation on (its name says so); SQS refuses to set the attribute again.
    const { FifoQueue: _fixed, ...changeable } = attributes;
    await sqs.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: changeable }));
  }
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }),
  );
  if (!QueueUrl || !Attributes?.QueueArn) {
    throw new Error(`The local cloud created queue ${name} but did not return its URL and ARN.`);
  }
  return { name, url: QueueUrl, arn: Attributes.QueueArn };
}

interface ProvisionedSubscription {
  readonly source: QueueAddress;
  readonly dlq: QueueAddress | undefined;
  readonly deliveryDlq: QueueAddress;
}

/** The attributes of an ordered type's queues, as the stack sets them (see `FIFO_QUEUE` there). */
const FIFO_QUEUE_ATTRIBUTES = {
  FifoQueue: "true",
  ContentBasedDeduplication: "false",
  DeduplicationScope: "messageGroup",
  FifoThroughputLimit: "perMessageGroupId",
};

async function provisionSubscription(
  clients: AwsClients,
  topicArn: string,
  existing: ReadonlyMap<string, string>,
  queue: QueueTopology | UnroutedTopology,
): Promise<ProvisionedSubscription> {
  const fifo = "fifo" in queue && queue.fifo ? FIFO_QUEUE_ATTRIBUTES : {};
  const dlq =
    queue.kind === "unrouted"
      ? undefined
      : await createQueue(clients.sqs, queue.dlqName, {
          MessageRetentionPeriod: String(queue.dlqRetentionSeconds),
          ...fifo,
        });
  const source = await createQueue(clients.sqs, queue.queueName, {
    ...fifo,
    VisibilityTimeout: String(queue.visibilityTimeoutSeconds),
    MessageRetentionPeriod: String(queue.retentionSeconds),
    ...(dlq && queue.kind !== "unrouted"
      ? {
          RedrivePolicy: JSON.stringify({
            deadLetterTargetArn: dlq.arn,
            maxReceiveCount: queue.maxReceiveCount,
          }),
        }
      : {}),
  });
  const deliveryDlq = await createQueue(clients.sqs, queue.deliveryDlqName, {
    MessageRetentionPeriod: String(DLQ_RETENTION_SECONDS),
    ...fifo,
  });
  await subscribe(clients.sns, topicArn, existing.get(source.arn), source.arn, {
    RawMessageDelivery: "true",
    ...(queue.filterPolicy === null
      ? {}
      : { FilterPolicyScope: "MessageAttributes", FilterPolicy: queue.filterPolicy }),
    RedrivePolicy: JSON.stringify({ deadLetterTargetArn: deliveryDlq.arn }),
  });
  return { source, dlq, deliveryDlq };
}

/** The delay queue and its DLQ; not subscribed, since only the publisher and the relay send to it. */
async function provisionDelayQueue(
  sqs: SQSClient,
  delayed: DelayTopology,
): Promise<readonly [QueueAddress, QueueAddress]> {
  const dlq = await createQueue(sqs, delayed.dlqName, {
    MessageRetentionPeriod: String(delayed.dlqRetentionSeconds),
  });
  const queue = await createQueue(sqs, delayed.queueName, {
    VisibilityTimeout: String(delayed.visibilityTimeoutSeconds),
    MessageRetentionPeriod: String(delayed.retentionSeconds),
    RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: delayed.maxReceiveCount }),
  });
  return [queue, dlq];
}

/** The topic's subscriptions by the ARN of the queue they deliver to. */
async function existingSubscriptions(sns: SNSClient, topicArn: string): Promise<Map<string, string>> {
  const byEndpoint = new Map<string, string>();
  for await (const page of paginateListSubscriptionsByTopic({ client: sns }, { TopicArn: topicArn })) {
    for (const s of page.Subscriptions ?? []) {
      if (s.Endpoint && s.SubscriptionArn) byEndpoint.set(s.Endpoint, s.SubscriptionArn);
    }
  }
  return byEndpoint;
}

/** Subscribes the queue, or updates the attributes of its existing subscription. */
async function subscribe(
  sns: SNSClient,
  topicArn: string,
  existing: string | undefined,
  queueArn: string,
  attributes: Record<string, string>,
): Promise<void> {
  if (!existing) {
    await sns.send(
      new SubscribeCommand({
        TopicArn: topicArn,
        Protocol: "sqs",
        Endpoint: queueArn,
        ReturnSubscriptionArn: true,
        Attributes: attributes,
      }),
    );
    return;
  }
  const { Attributes: current = {} } = await sns.send(
    new GetSubscriptionAttributesCommand({ SubscriptionArn: existing }),
  );
  for (const [AttributeName, AttributeValue] of Object.entries(attributes)) {
    if (current[AttributeName] === AttributeValue) continue;
    await sns.send(
      new SetSubscriptionAttributesCommand({ SubscriptionArn: existing, AttributeName, AttributeValue }),
    );
  }
}

async function createFifoTopic(sns: SNSClient, name: string): Promise<string> {
  const { TopicArn } = await sns.send(
    new CreateTopicCommand({
      Name: name,
      Attributes: {
        FifoTopic: "true",
        ContentBasedDeduplication: "false",
        FifoThroughputScope: "MessageGroup",
      },
    }),
  );
  if (!TopicArn) throw new Error(`The local cloud created topic ${name} but returned no ARN.`);
  return TopicArn;
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
  if (!TopicArn) throw new Error(`The local cloud created topic ${topology.topicName} but returned no ARN.`);
  try {
    await clients.s3.send(new CreateBucketCommand({ Bucket: topology.bucketName }));
  } catch (error) {
    if (errorName(error) !== "BucketAlreadyOwnedByYou") throw error;
  }
  const queues = new Map<string, ProvisionedQueue>();
  const addresses = new Map<string, QueueAddress>();
  let unrouted: ProvisionedTopology["unrouted"] | undefined;
  const fifoTopicArn = topology.fifoTopicName
    ? await createFifoTopic(clients.sns, topology.fifoTopicName)
    : null;
  const existing = await existingSubscriptions(clients.sns, TopicArn);
  const existingFifo = fifoTopicArn ? await existingSubscriptions(clients.sns, fifoTopicArn) : new Map();
  for (const subscription of subscriptions(topology)) {
    const fifo = "fifo" in subscription && subscription.fifo && fifoTopicArn;
    const { source, dlq, deliveryDlq } = await provisionSubscription(
      clients,
      fifo ? fifoTopicArn : TopicArn,
      fifo ? existingFifo : existing,
      subscription,
    );
    for (const address of [source, dlq, deliveryDlq]) if (address) addresses.set(address.name, address);
    if (dlq) {
      queues.set(subscription.consumer, {
        consumer: subscription.consumer,
        queueUrl: source.url,
        queueArn: source.arn,
        dlqUrl: dlq.url,
        dlqArn: dlq.arn,
        deliveryDlqUrl: deliveryDlq.url,
      });
    } else {
      unrouted = { queueUrl: source.url, deliveryDlqUrl: deliveryDlq.url };
    }
  }
  if (!unrouted) throw new Error("The topology has no unrouted queue.");
  const delayed = await provisionDelayQueue(clients.sqs, topology.delayed);
  for (const address of delayed) addresses.set(address.name, address);
  const [delayQueue, delayDlq] = delayed;
  return {
    topicArn: TopicArn,
    fifoTopicArn,
    bucket: topology.bucketName,
    queues,
    unrouted,
    delayed: { queueUrl: delayQueue.url, queueArn: delayQueue.arn, dlqUrl: delayDlq.url },
    addresses,
  };
}
