import { SnsTopicSubscription } from "@cdktf/provider-aws/lib/sns-topic-subscription/index.js";
import { SqsQueue } from "@cdktf/provider-aws/lib/sqs-queue/index.js";
import { SqsQueuePolicy } from "@cdktf/provider-aws/lib/sqs-queue-policy/index.js";
import { SqsQueueRedriveAllowPolicy } from "@cdktf/provider-aws/lib/sqs-queue-redrive-allow-policy/index.js";
import { Construct } from "constructs";
import { filterPolicy, type QueueTopology } from "../shared/topology.ts";
import { policyDocument } from "./policy.ts";

export interface SubscribedQueueProps {
  /** Names, timeouts, retention and job types, exactly as the local cloud provisions them. */
  readonly queue: QueueTopology;
  readonly topicArn: string;
}

/**
 * A queue with its dead-letter queue, subscribed to the job topic for its job types only. Job workers and
 * extra subscribers (an audit log) are built alike; only what reads the queue differs.
 */
export class SubscribedQueue extends Construct {
  readonly queue: SqsQueue;
  readonly dlq: SqsQueue;

  constructor(scope: Construct, id: string, props: SubscribedQueueProps) {
    super(scope, id);
    const { queue: topology, topicArn } = props;

    this.dlq = new SqsQueue(this, "dlq", {
      name: topology.dlqName,
      messageRetentionSeconds: topology.dlqRetentionSeconds,
      sqsManagedSseEnabled: true,
    });
    this.queue = new SqsQueue(this, "queue", {
      name: topology.queueName,
      visibilityTimeoutSeconds: topology.visibilityTimeoutSeconds,
      messageRetentionSeconds: topology.retentionSeconds,
      sqsManagedSseEnabled: true,
      redrivePolicy: JSON.stringify({
        deadLetterTargetArn: this.dlq.arn,
        maxReceiveCount: topology.maxReceiveCount,
      }),
    });
    // A separate resource, because the queue already refers to the DLQ and the reverse link would be a cycle.
    new SqsQueueRedriveAllowPolicy(this, "dlq-redrive-allow", {
      queueUrl: this.dlq.url,
      redriveAllowPolicy: JSON.stringify({ redrivePermission: "byQueue", sourceQueueArns: [this.queue.arn] }),
    });
    new SqsQueuePolicy(this, "policy", {
      queueUrl: this.queue.url,
      policy: policyDocument([
        {
          Sid: "JobTopicDelivers",
          Effect: "Allow",
          Principal: { Service: "sns.amazonaws.com" },
          Action: ["sqs:SendMessage"],
          Resource: this.queue.arn,
          Condition: { ArnEquals: { "aws:SourceArn": topicArn } },
        },
      ]),
    });
    new SnsTopicSubscription(this, "subscription", {
      topicArn,
      protocol: "sqs",
      endpoint: this.queue.arn,
      // Consumers read the published message itself, with its attributes, not an SNS envelope around it.
      rawMessageDelivery: true,
      filterPolicyScope: "MessageAttributes",
      filterPolicy: filterPolicy(topology.jobTypes),
    });
  }
}
