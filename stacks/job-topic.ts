import { KmsAlias } from "@cdktf/provider-aws/lib/kms-alias/index.js";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key/index.js";
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic/index.js";
import { Construct } from "constructs";
import { policyDocument } from "./policy.ts";

export interface JobTopicProps {
  readonly topicName: string;
  readonly accountId: string;
  readonly partition: string;
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
const KEY_USE = ["kms:GenerateDataKey", "kms:Decrypt"];

/** The SNS topic every job is published to, encrypted with its own rotating key. */
export class JobTopic extends Construct {
  readonly topic: SnsTopic;
  readonly key: KmsKey;

  constructor(scope: Construct, id: string, props: JobTopicProps) {
    super(scope, id);
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
          Sid: "SnsUsesKeyForThisAccount",
          Effect: "Allow",
          Principal: { Service: "sns.amazonaws.com" },
          Action: KEY_USE,
          Resource: "*",
          Condition: { StringEquals: { "aws:SourceAccount": props.accountId } },
        },
      ]),
    });
    new KmsAlias(this, "alias", { name: `alias/${props.topicName}`, targetKeyId: this.key.keyId });
    this.topic = new SnsTopic(this, "topic", { name: props.topicName, kmsMasterKeyId: this.key.arn });
  }
}
