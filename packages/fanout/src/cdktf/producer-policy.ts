import { IamPolicy } from "@cdktf/provider-aws/lib/iam-policy/index.js";
import { Construct } from "constructs";
import { PAYLOAD_KEY_PREFIX } from "../core/naming.ts";
import { forTopics, KEY_USE } from "./job-topic.ts";
import { PRODUCER_OBJECT_ACTIONS } from "./payload-bucket.ts";
import { policyDocument } from "./policy.ts";

export interface ProducerPolicyProps {
  readonly policyName: string;
  readonly topicArn: string;
  /** The FIFO topic of the ordered job types, when the registry has any. */
  readonly fifoTopicArn?: string | undefined;
  readonly keyArn: string;
  readonly bucketArn: string;
  /** The delay queue, where delayed jobs wait until they are due. */
  readonly delayQueueArn: string;
}

/**
 * What a service needs to publish jobs, as one managed policy to attach to its role: publish to the topic,
 * have SNS encrypt with the topic's key, store claim-check payloads, and send delayed jobs to the delay queue.
 */
export class ProducerPolicy extends Construct {
  readonly policy: IamPolicy;

  constructor(scope: Construct, id: string, props: ProducerPolicyProps) {
    super(scope, id);
    const topics = [props.topicArn, ...(props.fifoTopicArn ? [props.fifoTopicArn] : [])];
    this.policy = new IamPolicy(this, "policy", {
      name: props.policyName,
      description: `Publish Fanout jobs to ${props.topicArn}`,
      policy: policyDocument([
        {
          Sid: "PublishJobs",
          Effect: "Allow",
          Action: ["sns:Publish"],
          Resource: topics.length === 1 ? props.topicArn : topics,
        },
        {
          Sid: "EncryptJobs",
          Effect: "Allow",
          Action: KEY_USE,
          Resource: props.keyArn,
          Condition: { StringEquals: forTopics(topics) },
        },
        {
          Sid: "StorePayloads",
          Effect: "Allow",
          Action: PRODUCER_OBJECT_ACTIONS,
          Resource: `${props.bucketArn}/${PAYLOAD_KEY_PREFIX}*`,
        },
        { Sid: "DelayJobs", Effect: "Allow", Action: ["sqs:SendMessage"], Resource: props.delayQueueArn },
      ]),
    });
  }
}
