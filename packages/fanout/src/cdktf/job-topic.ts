import { KmsAlias } from "@cdktf/provider-aws/lib/kms-alias/index.js";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key/index.js";
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic/index.js";
import { SnsTopicPolicy } from "@cdktf/provider-aws/lib/sns-topic-policy/index.js";
import { XrayResourcePolicy } from "@cdktf/provider-aws/lib/xray-resource-policy/index.js";
import { Construct } from "constructs";
import { policyDocument } from "./policy.ts";

export interface JobTopicProps {
  readonly topicName: string;
  /** The topic's ARN, built from its name: the key policy names it, and the topic needs the key first. */
  readonly topicArn: string;
  readonly accountId: string;
  readonly partition: string;
  /** Further topics encrypted with this key (the alarm topic), and the AWS service that publishes to each. */
  readonly serviceTopics?: readonly { readonly topicArn: string; readonly service: string }[];
  /** Accounts whose producers may publish (and so use the key); the topic's own account always may. */
  readonly producerAccountIds?: readonly string[];
  /** Active X-Ray tracing of deliveries: a producer's trace continues to the queues. */
  readonly tracing?: boolean;
  /** The FIFO topic of the ordered job types, encrypted with the same key; absent when there are none. */
  readonly fifoTopic?: { readonly name: string; readonly arn: string } | undefined;
}

/**
 * Key administration, listed action by action instead of `kms:*`: the account root keeps every right it
 * needs to manage (and re-policy) the key, and nothing in the stack grants a wildcard.
 */
const KEY_ADMINISTRATION = [
  "kms:DescribeKey",
  "kms:GetKeyPolicy",
  "kms:PutKeyPolicy",
  "kms:GetKeyRotationStatus",
  "kms:EnableKeyRotation",
  "kms:DisableKeyRotation",
  "kms:ListKeyRotations",
  "kms:RotateKeyOnDemand",
  "kms:ListResourceTags",
  "kms:TagResource",
  "kms:UntagResource",
  "kms:UpdateKeyDescription",
  "kms:EnableKey",
  "kms:DisableKey",
  "kms:ScheduleKeyDeletion",
  "kms:CancelKeyDeletion",
  "kms:CreateAlias",
  "kms:UpdateAlias",
  "kms:DeleteAlias",
  "kms:CreateGrant",
  "kms:ListGrants",
  "kms:RevokeGrant",
];
/** What a publisher of an encrypted topic needs (SNS encrypts with a data key it asks for on its behalf). */
export const KEY_USE = ["kms:GenerateDataKey", "kms:Decrypt"];
/** What the account keeps on a topic whose policy is replaced (the default policy grants the same). */
const TOPIC_ADMINISTRATION = [
  "sns:GetTopicAttributes",
  "sns:SetTopicAttributes",
  "sns:AddPermission",
  "sns:RemovePermission",
  "sns:DeleteTopic",
  "sns:Subscribe",
  "sns:ListSubscriptionsByTopic",
  "sns:Publish",
];

/** Limits a key grant to SNS's use of the key for one of these topics. */
export function forTopics(topicArns: readonly string[]) {
  return {
    "kms:EncryptionContext:aws:sns:topicArn":
      topicArns.length === 1 ? (topicArns[0] as string) : [...topicArns],
  };
}

/** The SNS topic every job is published to, encrypted with its own rotating key. */
export class JobTopic extends Construct {
  readonly topic: SnsTopic;
  /** The FIFO topic, when the registry has ordered job types. */
  readonly fifoTopic: SnsTopic | undefined;
  readonly key: KmsKey;

  constructor(scope: Construct, id: string, props: JobTopicProps) {
    super(scope, id);
    const producers = props.producerAccountIds ?? [];
    const services = props.serviceTopics ?? [];
    const jobTopicArns = [props.topicArn, ...(props.fifoTopic ? [props.fifoTopic.arn] : [])];
    this.key = new KmsKey(this, "key", {
      description: `Encrypts the messages of SNS topic ${props.topicName}`,
      enableKeyRotation: true,
      // A key policy applies to its own key only, and AWS requires "Resource": "*" in it.
      policy: policyDocument([
        {
          Sid: "AccountAdministersAndDelegatesUse",
          Effect: "Allow",
          Principal: { AWS: `arn:${props.partition}:iam::${props.accountId}:root` },
          Action: [...KEY_ADMINISTRATION, ...KEY_USE],
          Resource: "*",
        },
        {
          Sid: "SnsUsesKeyForTheseTopics",
          Effect: "Allow",
          Principal: { Service: "sns.amazonaws.com" },
          Action: KEY_USE,
          Resource: "*",
          Condition: {
            StringEquals: {
              "aws:SourceAccount": props.accountId,
              ...forTopics([...jobTopicArns, ...services.map((s) => s.topicArn)]),
            },
          },
        },
        ...services.map((s, i) => ({
          Sid: `ServicePublishes${i}`,
          Effect: "Allow" as const,
          Principal: { Service: s.service },
          Action: KEY_USE,
          Resource: "*",
          Condition: {
            StringEquals: { "aws:SourceAccount": props.accountId, ...forTopics([s.topicArn]) },
          },
        })),
        ...(producers.length > 0
          ? [
              {
                Sid: "ProducerAccountsEncryptJobs",
                Effect: "Allow" as const,
                Principal: { AWS: producers.map((account) => `arn:${props.partition}:iam::${account}:root`) },
                Action: KEY_USE,
                Resource: "*",
                Condition: { StringEquals: forTopics(jobTopicArns) },
              },
            ]
          : []),
      ]),
    });
    new KmsAlias(this, "alias", { name: `alias/${props.topicName}`, targetKeyId: this.key.keyId });
    this.topic = new SnsTopic(this, "topic", {
      name: props.topicName,
      kmsMasterKeyId: this.key.arn,
      ...(props.tracing ? { tracingConfig: "Active" } : {}),
    });
    this.fifoTopic = props.fifoTopic
      ? new SnsTopic(this, "fifo-topic", {
          name: props.fifoTopic.name,
          fifoTopic: true,
          // The publisher sets each job's id as its deduplication id: the same body may be two jobs.
          contentBasedDeduplication: false,
          // Throughput limits apply per message group rather than per topic, so it scales with the groups.
          fifoThroughputScope: "MessageGroup",
          kmsMasterKeyId: this.key.arn,
        })
      : undefined;
    if (props.tracing) {
      // SNS writes its part of a trace with the account's X-Ray resource policy, limited here to this topic.
      new XrayResourcePolicy(this, "tracing", {
        policyName: `${props.topicName}-tracing`,
        policyDocument: policyDocument([
          {
            Sid: "TopicWritesTraces",
            Effect: "Allow",
            Principal: { Service: "sns.amazonaws.com" },
            Action: ["xray:PutTraceSegments", "xray:GetSamplingRules", "xray:GetSamplingTargets"],
            Resource: "*",
            Condition: {
              StringEquals: { "aws:SourceAccount": props.accountId },
              ArnLike: { "aws:SourceArn": props.topicArn },
            },
          },
        ]),
      });
    }
    if (producers.length > 0) {
      const topics = [
        { id: "policy", topic: this.topic },
        ...(this.fifoTopic ? [{ id: "fifo-policy", topic: this.fifoTopic }] : []),
      ];
      for (const { id, topic } of topics) {
        new SnsTopicPolicy(this, id, {
          arn: topic.arn,
          policy: policyDocument([
            {
              Sid: "OwnerManagesTopic",
              Effect: "Allow",
              Principal: { AWS: `arn:${props.partition}:iam::${props.accountId}:root` },
              Action: TOPIC_ADMINISTRATION,
              Resource: topic.arn,
            },
            {
              Sid: "ProducerAccountsPublish",
              Effect: "Allow",
              Principal: { AWS: producers.map((account) => `arn:${props.partition}:iam::${account}:root`) },
              Action: ["sns:Publish"],
              Resource: topic.arn,
            },
          ]),
        });
      }
    }
  }
}
