import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket/index.js";
import { S3BucketLifecycleConfiguration } from "@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration/index.js";
import { S3BucketOwnershipControls } from "@cdktf/provider-aws/lib/s3-bucket-ownership-controls/index.js";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy/index.js";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block/index.js";
import { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration/index.js";
import { Construct } from "constructs";
import { PAYLOAD_KEY_PREFIX } from "../core/naming.ts";
import { policyDocument } from "./policy.ts";

export interface PayloadBucketProps {
  readonly bucketName: string;
  readonly payloadExpirationDays: number;
  readonly partition: string;
  /** Accounts whose producers may store claim-check payloads (the bucket's own account always may). */
  readonly producerAccountIds?: readonly string[];
}

/** What a producer does with a payload object: store it, possibly as a multipart upload it may abandon. */
export const PRODUCER_OBJECT_ACTIONS = ["s3:PutObject", "s3:AbortMultipartUpload"];

/** Unfinished multipart uploads of large payloads are invisible but billed; a day is ample to finish one. */
const ABORT_INCOMPLETE_UPLOADS_AFTER_DAYS = 1;

/** The claim-check bucket: private, encrypted, TLS only, and it forgets payloads no message can still point at. */
export class PayloadBucket extends Construct {
  readonly bucket: S3Bucket;
  /** ARN pattern of every payload object, the only objects consumers and publishers touch. */
  readonly payloadObjectsArn: string;

  constructor(scope: Construct, id: string, props: PayloadBucketProps) {
    super(scope, id);
    const producers = props.producerAccountIds ?? [];
    this.bucket = new S3Bucket(this, "bucket", { bucket: props.bucketName });
    this.payloadObjectsArn = `${this.bucket.arn}/${PAYLOAD_KEY_PREFIX}*`;

    // SSE-S3 rather than a KMS key: consumers then need no KMS permission to read a payload, and the
    // publisher asks for AES256 explicitly, which this default matches.
    new S3BucketServerSideEncryptionConfigurationA(this, "encryption", {
      bucket: this.bucket.id,
      rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }],
    });
    const publicAccessBlock = new S3BucketPublicAccessBlock(this, "public-access-block", {
      bucket: this.bucket.id,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    new S3BucketOwnershipControls(this, "ownership", {
      bucket: this.bucket.id,
      rule: { objectOwnership: "BucketOwnerEnforced" },
    });
    new S3BucketPolicy(this, "policy", {
      bucket: this.bucket.id,
      policy: policyDocument([
        {
          Sid: "DenyInsecureTransport",
          Effect: "Deny",
          Principal: "*",
          Action: ["s3:*"],
          Resource: [this.bucket.arn, `${this.bucket.arn}/*`],
          Condition: { Bool: { "aws:SecureTransport": "false" } },
        },
        ...(producers.length > 0
          ? [
              {
                Sid: "ProducerAccountsStorePayloads",
                Effect: "Allow" as const,
                Principal: { AWS: producers.map((account) => `arn:${props.partition}:iam::${account}:root`) },
                Action: PRODUCER_OBJECT_ACTIONS,
                Resource: this.payloadObjectsArn,
              },
            ]
          : []),
      ]),
      // S3 rejects concurrent changes to one bucket's access settings.
      dependsOn: [publicAccessBlock],
    });
    new S3BucketLifecycleConfiguration(this, "lifecycle", {
      bucket: this.bucket.id,
      rule: [
        {
          id: "expire-payloads",
          status: "Enabled",
          filter: [{ prefix: PAYLOAD_KEY_PREFIX }],
          expiration: [{ days: props.payloadExpirationDays }],
        },
        {
          id: "abort-incomplete-uploads",
          status: "Enabled",
          filter: [{ prefix: "" }],
          abortIncompleteMultipartUpload: [{ daysAfterInitiation: ABORT_INCOMPLETE_UPLOADS_AFTER_DAYS }],
        },
      ],
    });
  }
}
