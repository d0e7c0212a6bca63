import { SqsQueue } from "@cdktf/provider-aws/lib/sqs-queue/index.js";
import { SqsQueueRedriveAllowPolicy } from "@cdktf/provider-aws/lib/sqs-queue-redrive-allow-policy/index.js";
import { Construct } from "constructs";
import { SQS_MAX_MESSAGE_BYTES } from "../core/claim-check.ts";
import { delayRelayEnvironment } from "../core/function-environment.ts";
import type { DelayTopology } from "../core/topology.ts";
import type { Bundle } from "./bundle.ts";
import { KEY_USE } from "./job-topic.ts";
import type { AlarmTarget } from "./queue-alarms.ts";
import { QueueFunction } from "./queue-function.ts";

export interface DelayRelayProps {
  readonly delayed: DelayTopology;
  readonly bundle: Bundle;
  readonly topic: { readonly arn: string; readonly keyArn: string };
  readonly logRetentionDays: number;
  readonly alarms: AlarmTarget;
  readonly tracing: boolean;
}

/**
 * The delay queue, its DLQ, and the relay function that reads it (see `DelayTopology`): the relay may send to
 * the delay queue alone and publish to the topic alone. Producers send delayed jobs to the queue directly.
 */
export class DelayRelay extends Construct {
  readonly queue: SqsQueue;
  readonly dlq: SqsQueue;

  constructor(scope: Construct, id: string, props: DelayRelayProps) {
    super(scope, id);
    const { delayed } = props;
    this.dlq = new SqsQueue(this, "dlq", {
      name: delayed.dlqName,
      messageRetentionSeconds: delayed.dlqRetentionSeconds,
      maxMessageSize: SQS_MAX_MESSAGE_BYTES,
      sqsManagedSseEnabled: true,
    });
    this.queue = new SqsQueue(this, "queue", {
      name: delayed.queueName,
      visibilityTimeoutSeconds: delayed.visibilityTimeoutSeconds,
      messageRetentionSeconds: delayed.retentionSeconds,
      maxMessageSize: SQS_MAX_MESSAGE_BYTES,
      sqsManagedSseEnabled: true,
      redrivePolicy: JSON.stringify({
        deadLetterTargetArn: this.dlq.arn,
        maxReceiveCount: delayed.maxReceiveCount,
      }),
    });
    new SqsQueueRedriveAllowPolicy(this, "dlq-redrive-allow", {
      queueUrl: this.dlq.url,
      redriveAllowPolicy: JSON.stringify({ redrivePermission: "byQueue", sourceQueueArns: [this.queue.arn] }),
    });
    new QueueFunction(this, "function", {
      names: delayed.names,
      settings: delayed.settings,
      bundle: props.bundle,
      queue: this.queue,
      environment: delayRelayEnvironment(props.topic.arn, this.queue.url),
      permissions: [
        { Sid: "WaitAgain", Effect: "Allow", Action: ["sqs:SendMessage"], Resource: this.queue.arn },
        { Sid: "PublishDueJobs", Effect: "Allow", Action: ["sns:Publish"], Resource: props.topic.arn },
        { Sid: "EncryptForTheTopic", Effect: "Allow", Action: KEY_USE, Resource: props.topic.keyArn },
      ],
      logRetentionDays: props.logRetentionDays,
      alarms: props.alarms,
      tracing: props.tracing,
    });
  }
}
