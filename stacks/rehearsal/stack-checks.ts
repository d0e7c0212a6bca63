import { GetTopicAttributesCommand, ListTagsForResourceCommand } from "@aws-sdk/client-sns";
import {
  DLQ_RETENTION_SECONDS,
  type QueueTopology,
  readQueues as queuesWithDlq,
  SQS_MAX_MESSAGE_BYTES,
  subscriptions,
  type UnroutedTopology,
} from "fanout";
import { canonicalJson, listQueueUrls, queueNameOf, readQueue, readSubscriptions } from "./aws-reads.ts";
import { type CheckSuite, Problems, type RehearsalCheck } from "./check-runner.ts";
import { stringOutput } from "./terraform.ts";

/**
 * What the stack promises about its resources, read back from moto after `terraform apply`: the values come
 * from the registry and its topology, not from the synthesized JSON, so a stack that drifts from the registry
 * fails here.
 */
export const stackChecks: CheckSuite = ({ registry, topology }) => {
  return [
    ...queuesWithDlq(topology).map((queue) => queueCheck(queue)),
    unroutedCheck(topology.unrouted),
    ...subscriptions(topology).map((queue) => subscriptionCheck(queue)),
    {
      name: `every queue of ${registry.app} is encrypted with SQS-managed keys and takes ${SQS_MAX_MESSAGE_BYTES}-byte messages`,
      async run({ clients }) {
        const urls = await listQueueUrls(clients.sqs, `${registry.app}-`);
        if (urls.length === 0) throw new Error(`no queue named ${registry.app}-… exists`);
        const problems = new Problems();
        for (const url of urls) {
          const { attributes } = await readQueue(clients.sqs, queueNameOf(url));
          if (attributes.SqsManagedSseEnabled !== "true") {
            problems.add(
              `${queueNameOf(url)} has SqsManagedSseEnabled ${attributes.SqsManagedSseEnabled ?? "(absent)"}`,
            );
          }
          problems.expectEqual(
            `${queueNameOf(url)} MaximumMessageSize`,
            Number(attributes.MaximumMessageSize),
            SQS_MAX_MESSAGE_BYTES,
          );
        }
        problems.throwIfAny();
      },
    },
    {
      name: `topic ${topology.topicName} is encrypted with a KMS key`,
      async run({ clients, outputs }) {
        const { Attributes } = await clients.sns.send(
          new GetTopicAttributesCommand({ TopicArn: stringOutput(outputs, "topic-arn") }),
        );
        const key = Attributes?.KmsMasterKeyId;
        if (!key) throw new Error("the topic has no KmsMasterKeyId");
        // Compared with the stack's own key where the stack says which it is.
        const expected = outputs["key-arn"];
        if (typeof expected === "string" && key !== expected) {
          throw new Error(`KmsMasterKeyId is ${key}, but the stack's key-arn output is ${expected}`);
        }
      },
    },
    {
      // Proves the override merged into the stack's provider block instead of replacing it.
      name: `the provider's default tags reach the resources (app=${registry.app})`,
      async run({ clients, outputs }) {
        const { Tags } = await clients.sns.send(
          new ListTagsForResourceCommand({ ResourceArn: stringOutput(outputs, "topic-arn") }),
        );
        const app = Tags?.find((tag) => tag.Key === "app")?.Value;
        if (app !== registry.app) throw new Error(`the topic's app tag is ${app ?? "(absent)"}`);
      },
    },
  ];
};

function queueCheck(queue: QueueTopology): RehearsalCheck {
  return {
    name: `${queue.consumer} queue: visibility ${queue.visibilityTimeoutSeconds} s, retention ${queue.retentionSeconds} s, dead letters to ${queue.dlqName} after ${queue.maxReceiveCount} receives`,
    async run({ clients, outputs }) {
      const [source, dlq] = await Promise.all([
        readQueue(clients.sqs, queue.queueName),
        readQueue(clients.sqs, queue.dlqName),
      ]);
      const problems = new Problems();
      const a = source.attributes;
      problems.expectEqual(
        `${queue.queueName} VisibilityTimeout`,
        Number(a.VisibilityTimeout),
        queue.visibilityTimeoutSeconds,
      );
      problems.expectEqual(
        `${queue.queueName} MessageRetentionPeriod`,
        Number(a.MessageRetentionPeriod),
        queue.retentionSeconds,
      );
      problems.expectEqual(
        `${queue.dlqName} MessageRetentionPeriod`,
        Number(dlq.attributes.MessageRetentionPeriod),
        queue.dlqRetentionSeconds,
      );
      const redrive = JSON.parse(a.RedrivePolicy ?? "{}") as {
        deadLetterTargetArn?: string;
        maxReceiveCount?: unknown;
      };
      problems.expectEqual(
        `${queue.queueName} dead-letter target`,
        redrive.deadLetterTargetArn,
        dlq.attributes.QueueArn,
      );
      problems.expectEqual(
        `${queue.queueName} maxReceiveCount`,
        Number(redrive.maxReceiveCount),
        queue.maxReceiveCount,
      );
      const output = outputs[`${queue.consumer}-queue-url`];
      if (output !== undefined)
        problems.expectEqual(`output ${queue.consumer}-queue-url`, output, source.url);
      problems.throwIfAny();
    },
  };
}

function unroutedCheck(queue: UnroutedTopology): RehearsalCheck {
  return {
    name: `unrouted queue ${queue.queueName}: ${queue.retentionSeconds} s retention, no redrive policy`,
    async run({ clients }) {
      const { attributes } = await readQueue(clients.sqs, queue.queueName);
      const problems = new Problems();
      problems.expectEqual(
        "MessageRetentionPeriod",
        Number(attributes.MessageRetentionPeriod),
        queue.retentionSeconds,
      );
      problems.expectEqual("RedrivePolicy", attributes.RedrivePolicy, undefined);
      problems.throwIfAny();
    },
  };
}

function subscriptionCheck(queue: QueueTopology | UnroutedTopology): RehearsalCheck {
  return {
    name: `${queue.consumer} subscription: ${queue.filterPolicy === null ? "no filter" : "filter policy on message attributes"}, raw delivery, undelivered jobs to ${queue.deliveryDlqName}`,
    async run({ clients, outputs }) {
      const [{ attributes: queueAttributes }, deliveryDlq] = await Promise.all([
        readQueue(clients.sqs, queue.queueName),
        readQueue(clients.sqs, queue.deliveryDlqName),
      ]);
      const fifo = "fifo" in queue && queue.fifo;
      // An ordered type's queue is subscribed to the FIFO topic, and all its queues are FIFO queues.
      const subscriptions = await readSubscriptions(
        clients.sns,
        stringOutput(outputs, fifo ? "fifo-topic-arn" : "topic-arn"),
      );
      const mine = subscriptions.filter((s) => s.endpoint === queueAttributes.QueueArn);
      if (mine.length !== 1) {
        throw new Error(`the topic has ${mine.length} subscriptions for ${queue.queueName}, expected 1`);
      }
      const attributes = mine[0]?.attributes ?? {};
      const problems = new Problems();
      problems.expectEqual(
        "FilterPolicy",
        canonicalJson(attributes.FilterPolicy),
        canonicalJson(queue.filterPolicy ?? undefined),
      );
      if (queue.filterPolicy !== null) {
        problems.expectEqual("FilterPolicyScope", attributes.FilterPolicyScope, "MessageAttributes");
      }
      problems.expectEqual("RawMessageDelivery", attributes.RawMessageDelivery, "true");
      if (fifo) {
        for (const [name, q] of [
          [queue.queueName, queueAttributes],
          [queue.deliveryDlqName, deliveryDlq.attributes],
        ] as const) {
          problems.expectEqual(`${name} FifoQueue`, q.FifoQueue, "true");
          problems.expectEqual(`${name} DeduplicationScope`, q.DeduplicationScope, "messageGroup");
          problems.expectEqual(`${name} FifoThroughputLimit`, q.FifoThroughputLimit, "perMessageGroupId");
        }
      }
      problems.expectEqual(
        "RedrivePolicy deadLetterTargetArn",
        (JSON.parse(attributes.RedrivePolicy ?? "{}") as { deadLetterTargetArn?: string })
          .deadLetterTargetArn,
        deliveryDlq.attributes.QueueArn,
      );
      problems.expectEqual(
        `${queue.deliveryDlqName} MessageRetentionPeriod`,
        Number(deliveryDlq.attributes.MessageRetentionPeriod),
        DLQ_RETENTION_SECONDS,
      );
      problems.throwIfAny();
    },
  };
}
