import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity/index.js";
import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition/index.js";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider/index.js";
import { TerraformOutput, TerraformStack } from "cdktf";
import type { Construct } from "constructs";
import type { Registry } from "../shared/registry.ts";
import { describeTopology } from "../shared/topology.ts";
import type { Bundle } from "./bundle.ts";
import { JobTopic } from "./job-topic.ts";
import { PayloadBucket } from "./payload-bucket.ts";
import { QueueAlarms } from "./queue-alarms.ts";
import { SubscribedQueue } from "./subscribed-queue.ts";
import { WorkerFunction } from "./worker-function.ts";

export interface FanoutStackProps {
  readonly registry: Registry;
  readonly region: string;
  /** Every job type's handler bundle, from `bundleWorkers` (esbuild bundles asynchronously, constructs cannot). */
  readonly bundles: ReadonlyMap<string, Bundle>;
  /** An SNS topic that alarms notify (and notify again when they clear). */
  readonly alarmTopicArn?: string | undefined;
  /**
   * Dummy keys and no account look-up, so that `terraform plan` runs without AWS access. Only the
   * Terraform check sets it; a stack synthesized this way cannot be deployed.
   */
  readonly fakeCredentials?: boolean;
}

const LOG_RETENTION_DAYS = 30;
/** Stands in for the account ID that fake credentials cannot look up. */
const FAKE_ACCOUNT_ID = "123456789012";

/** Everything one registry needs in AWS, in one Terraform stack named after the app. */
export class FanoutStack extends TerraformStack {
  constructor(scope: Construct, props: FanoutStackProps) {
    const topology = describeTopology(props.registry);
    super(scope, topology.app);
    new AwsProvider(this, "aws", {
      region: props.region,
      defaultTags: [{ tags: { app: topology.app } }],
      ...(props.fakeCredentials
        ? {
            accessKey: "fake-access-key",
            secretKey: "fake-secret-key",
            skipCredentialsValidation: true,
            skipRequestingAccountId: true,
            skipMetadataApiCheck: "true",
          }
        : {}),
    });
    const accountId = props.fakeCredentials
      ? FAKE_ACCOUNT_ID
      : new DataAwsCallerIdentity(this, "account").accountId;
    const partition = new DataAwsPartition(this, "partition").partition;

    const jobs = new JobTopic(this, "jobs", { topicName: topology.topicName, accountId, partition });
    const payloads = new PayloadBucket(this, "payloads", {
      bucketName: topology.bucketName,
      payloadExpirationDays: topology.payloadExpirationDays,
    });
    new TerraformOutput(this, "topic-arn", {
      value: jobs.topic.arn,
      description: "Producers publish jobs here.",
    });
    new TerraformOutput(this, "bucket-name", {
      value: payloads.bucket.bucket,
      description: "Claim-check payloads.",
    });

    for (const worker of topology.workers) {
      const bundle = props.bundles.get(worker.consumer);
      if (!bundle)
        throw new Error(
          `No handler bundle for job type "${worker.consumer}"; build them with bundleWorkers().`,
        );
      const queues = new SubscribedQueue(this, `${worker.consumer}-queues`, {
        queue: worker,
        topicArn: jobs.topic.arn,
      });
      new WorkerFunction(this, `${worker.consumer}-worker`, {
        worker,
        bundle,
        queue: queues.queue,
        dlq: queues.dlq,
        topic: { arn: jobs.topic.arn, keyArn: jobs.key.arn },
        bucket: { name: payloads.bucket.bucket, payloadObjectsArn: payloads.payloadObjectsArn },
        logRetentionDays: LOG_RETENTION_DAYS,
      });
      new QueueAlarms(this, `${worker.consumer}-alarms`, {
        queue: worker,
        retryDelaySeconds: worker.job.worker.retryBackoff.maxSeconds,
        alarmTopicArn: props.alarmTopicArn,
      });
      this.outputQueueUrls(worker.consumer, queues);
    }
    for (const subscriber of topology.subscribers) {
      const queues = new SubscribedQueue(this, `${subscriber.consumer}-queues`, {
        queue: subscriber,
        topicArn: jobs.topic.arn,
      });
      new QueueAlarms(this, `${subscriber.consumer}-alarms`, {
        queue: subscriber,
        retryDelaySeconds: 0,
        alarmTopicArn: props.alarmTopicArn,
      });
      this.outputQueueUrls(subscriber.consumer, queues);
    }
  }

  private outputQueueUrls(consumer: string, queues: SubscribedQueue): void {
    new TerraformOutput(this, `${consumer}-queue-url`, { value: queues.queue.url });
    new TerraformOutput(this, `${consumer}-dlq-url`, { value: queues.dlq.url });
  }
}
