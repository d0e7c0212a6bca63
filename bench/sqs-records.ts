import { ListSubscriptionsByTopicCommand, SetSubscriptionAttributesCommand } from "@aws-sdk/client-sns";
import { ReceiveMessageCommand } from "@aws-sdk/client-sqs";
import type { SQSRecord } from "aws-lambda";
import { type AwsClients, describeTopology, type FunctionResources, PayloadStore, Publisher } from "fanout";
import { LOCAL_PLACEMENT, LOCAL_REGION, type ProvisionedTopology, provisionTopology } from "fanout/local";
import { toSqsRecord } from "fanout/testing";
import { type BenchPayload, benchRegistry } from "./registry.ts";

/** Fanout's own topology for the bench registry: topic, filtered raw-delivery queue, DLQ, bucket. */
export async function provisionBench(clients: AwsClients): Promise<{
  provisioned: ProvisionedTopology;
  resources: FunctionResources;
}> {
  const provisioned = await provisionTopology(clients, describeTopology(benchRegistry, LOCAL_PLACEMENT));
  const queue = provisioned.queues.get("bench-job");
  if (!queue) throw new Error("bench-job queue was not provisioned");
  return {
    provisioned,
    resources: {
      topicArn: provisioned.topicArn,
      bucket: provisioned.bucket,
      queueUrl: queue.queueUrl,
      dlqUrl: queue.dlqUrl,
    },
  };
}

/** Raw delivery, or SNS's JSON notification around each message (the queue is shared by every workload). */
async function setRawDelivery(
  clients: AwsClients,
  topicArn: string,
  queueArn: string,
  raw: boolean,
): Promise<void> {
  const { Subscriptions = [] } = await clients.sns.send(
    new ListSubscriptionsByTopicCommand({ TopicArn: topicArn }),
  );
  const subscription = Subscriptions.find((s) => s.Endpoint === queueArn);
  if (!subscription?.SubscriptionArn) throw new Error(`no subscription of ${queueArn}`);
  await clients.sns.send(
    new SetSubscriptionAttributesCommand({
      SubscriptionArn: subscription.SubscriptionArn,
      AttributeName: "RawMessageDelivery",
      AttributeValue: String(raw),
    }),
  );
}

export interface ReceiveOptions {
  readonly alwaysOffload?: boolean;
  /** Deliver through SNS's notification envelope rather than raw. */
  readonly snsEnvelope?: boolean;
}

/** Publishes the jobs with Fanout and receives them back off the worker queue as Lambda records. */
export async function publishAndReceive(
  clients: AwsClients,
  jobs: readonly BenchPayload[],
  { snsEnvelope = false, ...options }: ReceiveOptions = {},
): Promise<{ records: SQSRecord[]; resources: FunctionResources }> {
  const { provisioned, resources } = await provisionBench(clients);
  const queue = provisioned.queues.get("bench-job");
  await setRawDelivery(clients, resources.topicArn, queue?.queueArn ?? "", !snsEnvelope);
  const publisher = new Publisher({
    registry: benchRegistry,
    sns: clients.sns,
    payloads: new PayloadStore({ s3: clients.s3, bucket: resources.bucket }),
    topicArn: resources.topicArn,
    ...options,
  });
  const outcomes = await publisher.publishMany(jobs.map((payload) => ({ type: "bench-job", payload })));
  if (outcomes.some((o) => !o.ok)) throw new Error("publishing the consume workload failed");
  const records: SQSRecord[] = [];
  while (records.length < jobs.length) {
    const { Messages = [] } = await clients.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: resources.queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 1,
        VisibilityTimeout: 3600,
        MessageAttributeNames: ["All"],
        MessageSystemAttributeNames: ["All"],
      }),
    );
    if (Messages.length === 0) throw new Error(`queue ran dry after ${records.length} of ${jobs.length}`);
    for (const m of Messages)
      records.push(toSqsRecord(m, { queueArn: queue?.queueArn ?? "", region: LOCAL_REGION }));
  }
  return { records, resources };
}
