import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity/index.js";
import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition/index.js";
import { Annotations, TerraformOutput } from "cdktf";
import { Construct } from "constructs";
import { ConfigurationError } from "../core/errors.ts";
import { catchAllEnvironment } from "../core/function-environment.ts";
import { alarmTopicName, producerPolicyName } from "../core/naming.ts";
import type { Registry } from "../core/registry.ts";
import { describeTopology, type Topology } from "../core/topology.ts";
import { AlarmTopic } from "./alarm-topic.ts";
import type { Bundle } from "./bundle.ts";
import { DelayRelay } from "./delay-relay.ts";
import { FanoutDashboard } from "./fanout-dashboard.ts";
import { IdempotencyStore } from "./idempotency-store.ts";
import { JobSchedules } from "./job-schedules.ts";
import { JobTopic } from "./job-topic.ts";
import { PayloadBucket } from "./payload-bucket.ts";
import { ProducerPolicy } from "./producer-policy.ts";
import { maximumAlarm, QueueAlarms, UnroutedAlarms } from "./queue-alarms.ts";
import { QueueFunction } from "./queue-function.ts";
import { SubscribedQueue } from "./subscribed-queue.ts";
import { WorkerFunction } from "./worker-function.ts";

export interface AlarmSettings {
  /** Notify this existing topic instead of creating `<app>-alarms` (its key must let CloudWatch publish). */
  readonly topicArn?: string | undefined;
  /** Subscribe this address to the created alarm topic. */
  readonly email?: string | undefined;
}

export interface FanoutJobsProps {
  readonly registry: Registry;
  /** The region the caller's provider deploys to, as a plain name (IAM names include it). */
  readonly region: string;
  /** Every job type's handler bundle, from `bundleWorkers` (esbuild bundles asynchronously, constructs cannot). */
  readonly bundles: ReadonlyMap<string, Bundle>;
  readonly alarms?: AlarmSettings;
  /** Other AWS accounts whose services publish jobs (topic, key and bucket policies admit them). */
  readonly producerAccountIds?: readonly string[];
  /** Stands in for the caller's account, where no credentials can look it up (an offline `terraform plan`). */
  readonly accountId?: string;
}

const LOG_RETENTION_DAYS = 30;
/** AWS recommends at least five receives for a Lambda event source, because throttled receives count too. */
const RECOMMENDED_MIN_RECEIVES = 5;

/**
 * Everything one registry needs in AWS: the topic, the payload bucket, per job type its queues, function and
 * alarms, the subscribers' and the unrouted queue. It goes into any `TerraformStack` and uses that stack's
 * AWS provider.
 */
export class FanoutJobs extends Construct {
  readonly topology: Topology;
  readonly topicArn: string;
  readonly keyArn: string;
  readonly bucketName: string;
  readonly producerPolicyArn: string;
  /** Where producers send delayed jobs (the publisher's `delayQueue`). */
  readonly delayQueueUrl: string;

  constructor(scope: Construct, id: string, props: FanoutJobsProps) {
    super(scope, id);
    const accountId = props.accountId ?? new DataAwsCallerIdentity(this, "account").accountId;
    const partition = new DataAwsPartition(this, "partition").partition;
    const placement = { accountId, region: props.region };
    const topology = describeTopology(props.registry, placement);
    this.topology = topology;
    const arnOf = (topicName: string) => `arn:${partition}:sns:${props.region}:${accountId}:${topicName}`;

    const createsAlarmTopic = !props.alarms?.topicArn;
    const alarmTopicArn = props.alarms?.topicArn ?? arnOf(alarmTopicName(topology.app));
    const jobs = new JobTopic(this, "jobs", {
      topicName: topology.topicName,
      topicArn: arnOf(topology.topicName),
      accountId,
      partition,
      serviceTopics: createsAlarmTopic
        ? [{ topicArn: alarmTopicArn, service: "cloudwatch.amazonaws.com" }]
        : [],
      producerAccountIds: props.producerAccountIds ?? [],
      tracing: props.registry.tracing,
      ...(topology.fifoTopicName
        ? { fifoTopic: { name: topology.fifoTopicName, arn: arnOf(topology.fifoTopicName) } }
        : {}),
    });
    const fifoTopic = jobs.fifoTopic;
    const target = {
      topicArn: createsAlarmTopic
        ? new AlarmTopic(this, "alarms", {
            topicName: alarmTopicName(topology.app),
            topicArn: alarmTopicArn,
            keyArn: jobs.key.arn,
            accountId,
            region: props.region,
            partition,
            email: props.alarms?.email,
          }).topic.arn
        : alarmTopicArn,
    };
    const payloads = new PayloadBucket(this, "payloads", {
      bucketName: topology.bucketName,
      payloadExpirationDays: topology.payloadExpirationDays,
      partition,
      producerAccountIds: props.producerAccountIds ?? [],
    });
    const relayBundle = props.bundles.get(topology.delayed.consumer);
    if (!relayBundle)
      throw new ConfigurationError("No delay relay bundle; build the bundles with bundleWorkers(registry).");
    const delayed = new DelayRelay(this, "delayed", {
      delayed: topology.delayed,
      bundle: relayBundle,
      topic: { arn: jobs.topic.arn, keyArn: jobs.key.arn },
      logRetentionDays: LOG_RETENTION_DAYS,
      alarms: target,
      tracing: props.registry.tracing,
    });
    this.delayQueueUrl = delayed.queue.url;
    const producer = new ProducerPolicy(this, "producer", {
      delayQueueArn: delayed.queue.arn,
      policyName: producerPolicyName(topology.app, placement),
      topicArn: jobs.topic.arn,
      fifoTopicArn: fifoTopic?.arn,
      keyArn: jobs.key.arn,
      bucketArn: payloads.bucket.arn,
    });
    this.topicArn = jobs.topic.arn;
    this.keyArn = jobs.key.arn;
    this.bucketName = payloads.bucket.bucket;
    this.producerPolicyArn = producer.policy.arn;

    if (props.registry.schedules.length > 0) {
      const schedules = new JobSchedules(this, "schedules", {
        app: topology.app,
        schedules: props.registry.schedules,
        topic: { arn: jobs.topic.arn, keyArn: jobs.key.arn },
        accountId,
        partition,
        region: props.region,
      });
      this.output(
        "schedule-group-name",
        schedules.group.name,
        "The EventBridge Scheduler group of the app's schedules.",
      );
    }

    for (const [alarmId, topicName] of [
      ["notifications-lost", topology.topicName],
      ...(topology.fifoTopicName ? [["fifo-notifications-lost", topology.fifoTopicName] as const] : []),
    ] as const) {
      maximumAlarm(this, alarmId, target, {
        alarmName: `${topicName}-notifications-lost`,
        alarmDescription: `SNS could neither deliver jobs of ${topicName} nor move them to a subscription's DLQ; they are lost. Check the DLQs' queue policies.`,
        namespace: "AWS/SNS",
        metricName: "NumberOfNotificationsFailedToRedriveToDlq",
        dimensions: { TopicName: topicName },
        statistic: "Sum",
        threshold: 0,
      });
    }

    const idempotency = topology.idempotencyTable
      ? new IdempotencyStore(this, "idempotency", { table: topology.idempotencyTable, keyArn: jobs.key.arn })
          .table
      : undefined;
    if (idempotency) {
      this.output(
        "idempotency-table-name",
        idempotency.name,
        "Where idempotent job types record the job ids that ran.",
      );
    }

    for (const worker of topology.workers) {
      const bundle = props.bundles.get(worker.consumer);
      if (!bundle) {
        throw new ConfigurationError(
          `No handler bundle for job type "${worker.consumer}"; build them with bundleWorkers(registry).`,
        );
      }
      if (worker.maxReceiveCount < RECOMMENDED_MIN_RECEIVES) {
        Annotations.of(this).addWarning(
          `Job type "${worker.consumer}" has maxReceiveCount ${worker.maxReceiveCount}; AWS recommends at least ${RECOMMENDED_MIN_RECEIVES} for Lambda event sources, because throttled receives count too.`,
        );
      }
      const queues = new SubscribedQueue(this, `${worker.consumer}-queues`, {
        queue: worker,
        topicArn: worker.fifo && fifoTopic ? fifoTopic.arn : jobs.topic.arn,
      });
      new WorkerFunction(this, `${worker.consumer}-worker`, {
        worker,
        bundle,
        queue: queues.queue,
        dlq: queues.deadLetterQueue(),
        topic: { arn: jobs.topic.arn, keyArn: jobs.key.arn },
        followUpTopicArns: followUpTopics(worker.job.worker.publishes, props.registry, {
          standard: jobs.topic.arn,
          fifo: fifoTopic?.arn,
        }),
        bucket: { name: payloads.bucket.bucket, arn: payloads.bucket.arn },
        logRetentionDays: LOG_RETENTION_DAYS,
        alarms: target,
        tracing: props.registry.tracing,
        ...(worker.job.idempotency && idempotency
          ? { idempotencyTable: { name: idempotency.name, arn: idempotency.arn, region: props.region } }
          : {}),
      });
      new QueueAlarms(this, `${worker.consumer}-alarms`, {
        queue: worker,
        retryDelaySeconds: worker.job.worker.retryBackoff.maxSeconds,
        target,
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
        target,
      });
      this.outputQueueUrls(subscriber.consumer, queues);
    }
    const unrouted = new SubscribedQueue(this, "unrouted-queues", {
      queue: topology.unrouted,
      topicArn: jobs.topic.arn,
    });
    new UnroutedAlarms(this, "unrouted-alarms", { queue: topology.unrouted, target });
    this.outputQueueUrls(topology.unrouted.consumer, unrouted);
    if (topology.catchAll) {
      const catchAll = topology.catchAll;
      const bundle = props.bundles.get(catchAll.consumer);
      if (!bundle)
        throw new ConfigurationError("No catch-all bundle; build the bundles with bundleWorkers(registry).");
      const queues = new SubscribedQueue(this, `${catchAll.consumer}-queues`, {
        queue: catchAll,
        topicArn: jobs.topic.arn,
      });
      new QueueFunction(this, `${catchAll.consumer}-function`, {
        names: catchAll.names,
        settings: catchAll.settings,
        bundle,
        queue: queues.queue,
        environment: catchAllEnvironment(unrouted.queue.url),
        permissions: [
          {
            Sid: "KeepMessagesWithoutAttributes",
            Effect: "Allow",
            Action: ["sqs:SendMessage"],
            Resource: unrouted.queue.arn,
          },
        ],
        logRetentionDays: LOG_RETENTION_DAYS,
        alarms: target,
        tracing: props.registry.tracing,
      });
      new QueueAlarms(this, `${catchAll.consumer}-alarms`, { queue: catchAll, retryDelaySeconds: 0, target });
      this.outputQueueUrls(catchAll.consumer, queues);
    }

    const dashboard = new FanoutDashboard(this, "dashboard", topology);
    this.output(
      "dashboard-name",
      dashboard.dashboard.dashboardName,
      "The CloudWatch dashboard of every job type.",
    );
    this.output("topic-arn", jobs.topic.arn, "Producers publish jobs here.");
    if (fifoTopic) this.output("fifo-topic-arn", fifoTopic.arn, "Producers publish ordered jobs here.");
    this.output(
      "key-arn",
      jobs.key.arn,
      "The topic's KMS key; producers need kms:GenerateDataKey and kms:Decrypt on it.",
    );
    this.output("bucket-name", payloads.bucket.bucket, "Claim-check payloads.");
    this.output(
      "delay-queue-url",
      delayed.queue.url,
      "Producers send delayed jobs here (the publisher's delayQueue).",
    );
    this.output(
      "producer-policy-arn",
      producer.policy.arn,
      "Attach to a producer's role: publish, encrypt, store payloads.",
    );
    this.output("alarm-topic-arn", target.topicArn, "Every alarm of the app notifies this topic.");
  }

  /** Outputs keep their plain names (`topic-arn`), so scripts read them the same in any stack. */
  private output(name: string, value: string, description?: string): void {
    new TerraformOutput(this, name, { value, ...(description ? { description } : {}) }).overrideLogicalId(
      name,
    );
  }

  private outputQueueUrls(consumer: string, queues: SubscribedQueue): void {
    this.output(`${consumer}-queue-url`, queues.queue.url);
    if (queues.dlq) this.output(`${consumer}-dlq-url`, queues.dlq.url);
    this.output(`${consumer}-undelivered-url`, queues.deliveryDlq.url);
  }
}

/** The topics a worker's follow-ups go to: the FIFO topic for ordered types, the standard one for the others. */
function followUpTopics(
  publishes: readonly string[],
  registry: Registry,
  topics: { readonly standard: string; readonly fifo: string | undefined },
): string[] {
  const ordered = publishes.map((type) => registry.jobs[type]?.ordering !== undefined);
  return [
    ...(ordered.some((o) => !o) ? [topics.standard] : []),
    ...(ordered.some((o) => o) && topics.fifo ? [topics.fifo] : []),
  ];
}
