import { SnsTopicSubscription } from "@cdktf/provider-aws/lib/sns-topic-subscription/index.js";
import { SqsQueue } from "@cdktf/provider-aws/lib/sqs-queue/index.js";
import { SqsQueuePolicy } from "@cdktf/provider-aws/lib/sqs-queue-policy/index.js";
import { SqsQueueRedriveAllowPolicy } from "@cdktf/provider-aws/lib/sqs-queue-redrive-allow-policy/index.js";
import { Construct } from "constructs";
import { SQS_MAX_MESSAGE_BYTES } from "../core/claim-check.ts";
import { ConfigurationError } from "../core/errors.ts";
import { DLQ_RETENTION_SECONDS, type QueueTopology, type UnroutedTopology } from "../core/topology.ts";
import { policyDocument } from "./policy.ts";

export interface SubscribedQueueProps {
  /** Names, timeouts, retention and filter, exactly as the local cloud provisions them. */
  readonly queue: QueueTopology | UnroutedTopology;
  readonly topicArn: string;
}

export interface QueueResource {
  readonly arn: string;
  readonly url: string;
}

/**
 * The queues of an ordered job type, all three FIFO (a FIFO queue's DLQ must be one, and so must a FIFO
 * subscription's): deduplication and throughput per message group, SQS's high throughput mode, so throughput
 * grows with the number of groups. Deduplication ids come from the publisher (the job id), never the body.
 */
const FIFO_QUEUE = {
  fifoQueue: true,
  contentBasedDeduplication: false,
  deduplicationScope: "messageGroup",
  fifoThroughputLimit: "perMessageGroupId",
} as const;

/**
 * A queue subscribed to the job topic through its filter policy, with a dead-letter queue of its own for the
 * jobs its consumer gives up on (workers and subscribers), and a second one for what SNS cannot deliver to it.
 * Workers, extra subscribers and the unrouted queue are built alike; only what reads the queue differs.
 */
export class SubscribedQueue extends Construct {
  readonly queue: SqsQueue;
  /** Absent for the unrouted queue, which nothing reads. */
  readonly dlq: SqsQueue | undefined;
  /** The subscription's dead-letter queue. */
  readonly deliveryDlq: SqsQueue;

  constructor(scope: Construct, id: string, props: SubscribedQueueProps) {
    super(scope, id);
    const { queue: topology, topicArn } = props;
    const fifo = topology.kind === "worker" && "fifo" in topology && topology.fifo ? FIFO_QUEUE : {};

    this.dlq =
      topology.kind === "unrouted"
        ? undefined
        : new SqsQueue(this, "dlq", {
            name: topology.dlqName,
            messageRetentionSeconds: topology.dlqRetentionSeconds,
            // The consumer's dead-letter budget is this size (shared/claim-check.ts); set it, not a default.
            maxMessageSize: SQS_MAX_MESSAGE_BYTES,
            sqsManagedSseEnabled: true,
            ...fifo,
          });
    this.queue = new SqsQueue(this, "queue", {
      name: topology.queueName,
      visibilityTimeoutSeconds: topology.visibilityTimeoutSeconds,
      messageRetentionSeconds: topology.retentionSeconds,
      maxMessageSize: SQS_MAX_MESSAGE_BYTES,
      sqsManagedSseEnabled: true,
      ...fifo,
      ...(this.dlq && topology.kind !== "unrouted"
        ? {
            redrivePolicy: JSON.stringify({
              deadLetterTargetArn: this.dlq.arn,
              maxReceiveCount: topology.maxReceiveCount,
            }),
          }
        : {}),
    });
    if (this.dlq) {
      // A separate resource, because the queue already refers to the DLQ and the reverse link would be a cycle.
      new SqsQueueRedriveAllowPolicy(this, "dlq-redrive-allow", {
        queueUrl: this.dlq.url,
        redriveAllowPolicy: JSON.stringify({
          redrivePermission: "byQueue",
          sourceQueueArns: [this.queue.arn],
        }),
      });
    }
    this.deliveryDlq = new SqsQueue(this, "delivery-dlq", {
      name: topology.deliveryDlqName,
      messageRetentionSeconds: DLQ_RETENTION_SECONDS,
      maxMessageSize: SQS_MAX_MESSAGE_BYTES,
      sqsManagedSseEnabled: true,
      // A FIFO subscription's dead-letter queue must be FIFO too.
      ...fifo,
    });
    const queuePolicy = topicMaySend(this, "policy", this.queue, topicArn);
    const deliveryDlqPolicy = topicMaySend(this, "delivery-dlq-policy", this.deliveryDlq, topicArn);
    new SnsTopicSubscription(this, "subscription", {
      topicArn,
      protocol: "sqs",
      endpoint: this.queue.arn,
      // Consumers read the published message itself, with its attributes, not an SNS envelope around it.
      rawMessageDelivery: true,
      ...(topology.filterPolicy === null
        ? {}
        : { filterPolicyScope: "MessageAttributes", filterPolicy: topology.filterPolicy }),
      // Without it SNS drops what it cannot deliver (a changed queue policy, a deleted queue), and does not
      // even retry client-side errors.
      redrivePolicy: JSON.stringify({ deadLetterTargetArn: this.deliveryDlq.arn }),
      // A delivery made before SNS may send to the queues would be lost while the stack is being created.
      dependsOn: [queuePolicy, deliveryDlqPolicy],
    });
  }

  /** The DLQ of a queue that is read; the unrouted queue has none. */
  deadLetterQueue(): SqsQueue {
    if (!this.dlq)
      throw new ConfigurationError(`${this.queue.name} has no dead-letter queue: nothing reads it.`);
    return this.dlq;
  }
}

function topicMaySend(scope: Construct, id: string, queue: QueueResource, topicArn: string): SqsQueuePolicy {
  return new SqsQueuePolicy(scope, id, {
    queueUrl: queue.url,
    policy: policyDocument([
      {
        Sid: "JobTopicDelivers",
        Effect: "Allow",
        Principal: { Service: "sns.amazonaws.com" },
        Action: ["sqs:SendMessage"],
        Resource: queue.arn,
        Condition: { ArnEquals: { "aws:SourceArn": topicArn } },
      },
    ]),
  });
}
