import {
  describeTopology,
  functionEnvironment,
  scheduleDlqName,
  subscriptions,
  VISIBILITY_TIMEOUT_FACTOR,
} from "fanout";
import type { PolicyStatement } from "fanout/cdktf";
import { beforeAll, describe, expect, it } from "vitest";
import { registry } from "../../shared/jobs/index.ts";
import { POLICY_FIELDS } from "./stack-security.ts";
import {
  fixtureBundles,
  ref,
  type Synthesized,
  type SynthResource,
  synthesize,
  testRegistry,
} from "./synth.ts";

// Every name but the bucket's is free of the account id, which the stack looks up when it is applied.
const topology = describeTopology(registry, { accountId: "(account)", region: "eu-west-1" });
let stack: Synthesized;

beforeAll(async () => {
  stack = synthesize({ registry, bundles: await fixtureBundles(registry) });
});

interface PolicyDocument {
  Version: string;
  Statement: PolicyStatement[];
}
const parse = (text: unknown): PolicyDocument => JSON.parse(String(text)) as PolicyDocument;
const list = (value: string | readonly string[] | undefined): readonly string[] =>
  value === undefined ? [] : typeof value === "string" ? [value] : value;

const topic = () => stack.one("aws_sns_topic", (c) => c.name === topology.topicName);
const bucket = () => stack.one("aws_s3_bucket", () => true);
const queueNamed = (name: string) => stack.one("aws_sqs_queue", (c) => c.name === name);
const byQueue = (type: string, queue: SynthResource, field = "queue_url") =>
  stack.one(type, (c) => c[field] === ref(queue, field === "queue_url" ? "url" : "arn"));

/** Every policy document in the stack, labelled by where it is. */
function allPolicies(): { where: string; document: PolicyDocument }[] {
  return POLICY_FIELDS.flatMap(([type, field]) =>
    stack.of(type).map((r) => ({ where: `${r.address}.${field}`, document: parse(r.config[field]) })),
  );
}

describe("job topic", () => {
  it("is encrypted with a rotating customer-managed key that SNS and the account may use", () => {
    const key = stack.target(topic().config.kms_master_key_id);
    expect(key.type).toBe("aws_kms_key");
    expect(key.config.enable_key_rotation).toBe(true);
    expect(topic().config.name).toBe(topology.topicName);
    const statements = parse(key.config.policy).Statement;
    const sns = statements.find(
      (s) => typeof s.Principal === "object" && s.Principal.Service === "sns.amazonaws.com",
    );
    expect(sns?.Action).toEqual(["kms:GenerateDataKey", "kms:Decrypt"]);
    const account = statements.find(
      (s) => typeof s.Principal === "object" && String(s.Principal.AWS).endsWith(":root"),
    );
    expect(account?.Action).toEqual(
      expect.arrayContaining(["kms:PutKeyPolicy", "kms:Decrypt", "kms:GenerateDataKey"]),
    );
    expect(stack.one("aws_kms_alias", () => true).config.name).toBe(`alias/${topology.topicName}`);
  });
});

describe("payload bucket", () => {
  const forBucket = (type: string) => stack.one(type, (c) => c.bucket === ref(bucket(), "id"));

  it("is named from the topology, SSE-S3 encrypted, private and owner-enforced", () => {
    const account = ref(
      stack.one("aws_caller_identity", () => true),
      "account_id",
    );
    expect(bucket().config.bucket).toBe(`${registry.app}-payloads-${account}-eu-west-1`);
    expect(forBucket("aws_s3_bucket_server_side_encryption_configuration").config.rule).toEqual([
      { apply_server_side_encryption_by_default: { sse_algorithm: "AES256" } },
    ]);
    expect(forBucket("aws_s3_bucket_public_access_block").config).toMatchObject({
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
    expect(forBucket("aws_s3_bucket_ownership_controls").config.rule).toEqual({
      object_ownership: "BucketOwnerEnforced",
    });
  });

  it("denies every request that does not use TLS", () => {
    const [statement] = parse(forBucket("aws_s3_bucket_policy").config.policy).Statement;
    // The first statement; a bucket shared with producer accounts adds theirs after it.
    expect(statement).toEqual({
      Sid: "DenyInsecureTransport",
      Effect: "Deny",
      Principal: "*",
      Action: ["s3:*"],
      Resource: [ref(bucket(), "arn"), `${ref(bucket(), "arn")}/*`],
      Condition: { Bool: { "aws:SecureTransport": "false" } },
    });
  });

  it("expires payloads after the topology's expiry and aborts stale multipart uploads", () => {
    const rules = forBucket("aws_s3_bucket_lifecycle_configuration").config.rule as Record<string, unknown>[];
    expect(rules).toContainEqual(
      expect.objectContaining({
        status: "Enabled",
        filter: [{ prefix: "payloads/" }],
        expiration: [{ days: topology.payloadExpirationDays }],
      }),
    );
    expect(rules).toContainEqual(
      expect.objectContaining({
        status: "Enabled",
        abort_incomplete_multipart_upload: [{ days_after_initiation: 1 }],
      }),
    );
  });
});

describe.each(topology.workers.map((w) => [w.consumer, w] as const))("job type %s", (type, worker) => {
  const settings = worker.job.worker;
  const queue = () => queueNamed(worker.queueName);
  const dlq = () => queueNamed(worker.dlqName);
  const lambda = () => stack.one("aws_lambda_function", (c) => c.function_name === worker.names.function);
  const permissions = () => {
    const role = stack.target(lambda().config.role);
    return parse(stack.one("aws_iam_role_policy", (c) => c.role === ref(role, "id")).config.policy).Statement;
  };

  it("has an encrypted queue whose visibility timeout covers six function timeouts", () => {
    expect(queue().config).toMatchObject({
      visibility_timeout_seconds: worker.visibilityTimeoutSeconds,
      message_retention_seconds: settings.retentionSeconds,
      sqs_managed_sse_enabled: true,
    });
    expect(queue().config.visibility_timeout_seconds).toBeGreaterThanOrEqual(
      VISIBILITY_TIMEOUT_FACTOR * settings.timeoutSeconds,
    );
  });

  it("dead-letters after the registry's maxReceiveCount into a 14-day DLQ that names its source", () => {
    expect(JSON.parse(String(queue().config.redrive_policy))).toEqual({
      deadLetterTargetArn: ref(dlq(), "arn"),
      maxReceiveCount: settings.maxReceiveCount,
    });
    expect(dlq().config).toMatchObject({
      message_retention_seconds: 14 * 24 * 3600,
      sqs_managed_sse_enabled: true,
    });
    const allow = byQueue("aws_sqs_queue_redrive_allow_policy", dlq());
    expect(JSON.parse(String(allow.config.redrive_allow_policy))).toEqual({
      redrivePermission: "byQueue",
      sourceQueueArns: [ref(queue(), "arn")],
    });
  });

  it("accepts messages from the job topic only, through a raw subscription filtered to its type", () => {
    // An ordered type's jobs come through the FIFO topic.
    const jobTopic = worker.fifo
      ? stack.one("aws_sns_topic", (c) => c.name === topology.fifoTopicName)
      : topic();
    const [statement] = parse(byQueue("aws_sqs_queue_policy", queue()).config.policy).Statement;
    expect(statement).toMatchObject({
      Effect: "Allow",
      Principal: { Service: "sns.amazonaws.com" },
      Action: ["sqs:SendMessage"],
      Resource: ref(queue(), "arn"),
      Condition: { ArnEquals: { "aws:SourceArn": ref(jobTopic, "arn") } },
    });
    const subscription = stack.one("aws_sns_topic_subscription", (c) => c.endpoint === ref(queue(), "arn"));
    expect(subscription.config).toMatchObject({
      topic_arn: ref(jobTopic, "arn"),
      protocol: "sqs",
      raw_message_delivery: true,
      filter_policy_scope: "MessageAttributes",
    });
    expect(JSON.parse(String(subscription.config.filter_policy))).toEqual({ jobType: [type] });
  });

  it("runs a bundled arm64 Node.js 22 function with the worker's settings and environment", () => {
    expect(lambda().config).toMatchObject({
      runtime: "nodejs22.x",
      architectures: ["arm64"],
      handler: "index.handler",
      memory_size: settings.memoryMb,
      timeout: settings.timeoutSeconds,
    });
    expect(String(lambda().config.filename)).toMatch(/^assets\/.+\/archive\.zip$/);
    expect(lambda().config.source_code_hash).toBe(`\${filebase64sha256("${lambda().config.filename}")}`);
    expect((lambda().config.environment as { variables: unknown }).variables).toEqual(
      functionEnvironment(type, {
        topicArn: ref(topic(), "arn"),
        bucket: ref(bucket(), "bucket"),
        queueUrl: ref(queue(), "url"),
        dlqUrl: ref(dlq(), "url"),
        idempotencyTable: worker.job.idempotency
          ? ref(
              stack.one("aws_dynamodb_table", () => true),
              "name",
            )
          : undefined,
      }),
    );
    const logs = stack.one(
      "aws_cloudwatch_log_group",
      (c) => c.name === `/aws/lambda/${worker.names.function}`,
    );
    expect(logs.config.retention_in_days).toBe(30);
  });

  it("is triggered by its queue with partial batch failures and bounded concurrency", () => {
    const trigger = stack.one(
      "aws_lambda_event_source_mapping",
      (c) => c.event_source_arn === ref(queue(), "arn"),
    );
    expect(trigger.config).toMatchObject({
      function_name: ref(lambda(), "arn"),
      batch_size: settings.batchSize,
      function_response_types: ["ReportBatchItemFailures"],
      scaling_config: { maximum_concurrency: settings.maxConcurrency },
    });
    // Lambda takes no batching window for a FIFO queue.
    expect(trigger.config.maximum_batching_window_in_seconds).toBe(
      worker.fifo ? undefined : settings.batchingWindowSeconds,
    );
  });

  it("has a role limited to its own queue, DLQ, log group and the payload prefix", () => {
    const statements = permissions();
    const grants = (action: string) =>
      statements.filter((s) => s.Action.includes(action)).flatMap((s) => list(s.Resource));
    for (const action of [
      "sqs:ReceiveMessage",
      "sqs:DeleteMessage",
      "sqs:GetQueueAttributes",
      "sqs:ChangeMessageVisibility",
    ]) {
      expect(grants(action)).toEqual([ref(queue(), "arn")]);
    }
    expect(grants("sqs:SendMessage")).toEqual([ref(dlq(), "arn")]);
    expect(grants("s3:GetObject")).toEqual([`${ref(bucket(), "arn")}/payloads/${type}/*`]);
    const logs = stack.one("aws_cloudwatch_log_group", (c) => c.name === worker.names.logGroup);
    expect(grants("logs:PutLogEvents")).toEqual([`${ref(logs, "arn")}:log-stream:*`]);
    expect(grants("logs:CreateLogStream")).toEqual([`${ref(logs, "arn")}:log-stream:*`]);
    expect(statements.every((s) => s.Effect === "Allow")).toBe(true);
  });

  it(`may publish follow-ups only if it declares them (${settings.publishes.join(", ") || "none"})`, () => {
    // The idempotency table's key use is DynamoDB's alone (test/stack/idempotency.test.ts).
    const statements = permissions().filter(
      (s) => s.Condition?.StringEquals?.["kms:ViaService"] === undefined,
    );
    const actions = statements.flatMap((s) => s.Action);
    if (settings.publishes.length > 0) {
      const grants = (action: string) =>
        statements.filter((s) => s.Action.includes(action)).flatMap((s) => list(s.Resource));
      const key = stack.target(topic().config.kms_master_key_id);
      expect(grants("sns:Publish")).toEqual([ref(topic(), "arn")]);
      const prefixes = (types: readonly string[]) =>
        types.map((t) => `${ref(bucket(), "arn")}/payloads/${t}/*`);
      expect(grants("s3:PutObject").sort()).toEqual(prefixes([type, ...settings.publishes]).sort());
      expect(grants("s3:AbortMultipartUpload")).toEqual(prefixes(settings.publishes));
      expect(grants("kms:GenerateDataKey")).toEqual([ref(key, "arn")]);
      expect(grants("kms:Decrypt")).toEqual([ref(key, "arn")]);
    } else {
      expect(actions.filter((a) => /^(sns|kms):|^s3:Abort/.test(a))).toEqual([]);
    }
  });

  it("alarms on dead letters and on messages waiting too long", () => {
    const alarms = stack.of("aws_cloudwatch_metric_alarm");
    const dead = alarms.find(
      (a) =>
        (a.config.dimensions as { QueueName?: string }).QueueName === worker.dlqName &&
        a.config.metric_name === "ApproximateNumberOfMessagesVisible",
    );
    expect(dead?.config).toMatchObject({
      metric_name: "ApproximateNumberOfMessagesVisible",
      namespace: "AWS/SQS",
      comparison_operator: "GreaterThanThreshold",
      threshold: 0,
    });
    const old = alarms.find(
      (a) => (a.config.dimensions as { QueueName?: string }).QueueName === worker.queueName,
    );
    expect(old?.config.metric_name).toBe("ApproximateAgeOfOldestMessage");
    expect(old?.config.threshold).toBeGreaterThan(0);
    expect(old?.config.threshold).toBeLessThanOrEqual(settings.retentionSeconds / 2);
    const alarmTopic = stack.one("aws_sns_topic", (c) => c.name === `${registry.app}-alarms`);
    expect(dead?.config.alarm_actions).toEqual([ref(alarmTopic, "arn")]);
  });
});

describe.each(topology.subscribers.map((s) => [s.consumer, s] as const))(
  "subscriber %s",
  (_name, subscriber) => {
    it("has an encrypted queue with a DLQ, a topic-only policy and a raw subscription to its job types", () => {
      const queue = queueNamed(subscriber.queueName);
      const dlq = queueNamed(subscriber.dlqName);
      expect(queue.config.sqs_managed_sse_enabled).toBe(true);
      expect(JSON.parse(String(queue.config.redrive_policy))).toEqual({
        deadLetterTargetArn: ref(dlq, "arn"),
        maxReceiveCount: subscriber.maxReceiveCount,
      });
      expect(parse(byQueue("aws_sqs_queue_policy", queue).config.policy).Statement[0]?.Condition).toEqual({
        ArnEquals: { "aws:SourceArn": ref(topic(), "arn") },
      });
      const subscription = stack.one("aws_sns_topic_subscription", (c) => c.endpoint === ref(queue, "arn"));
      expect(subscription.config.raw_message_delivery).toBe(true);
      expect(subscription.config.filter_policy).toBe(subscriber.filterPolicy);
      expect(
        stack.of("aws_lambda_event_source_mapping", (c) => c.event_source_arn === ref(queue, "arn")),
      ).toEqual([]);
    });
  },
);

describe("the whole stack", () => {
  it("grants no wildcard action and no wildcard resource outside the TLS deny and the key policy", () => {
    const offences: string[] = [];
    for (const { where, document } of allPolicies()) {
      for (const statement of document.Statement) {
        const wildcardAction = statement.Action.some((a) => a === "*" || a.endsWith(":*"));
        const isTlsDeny =
          statement.Effect === "Deny" && statement.Condition?.Bool?.["aws:SecureTransport"] === "false";
        if (wildcardAction && !isTlsDeny) offences.push(`${where}: action ${statement.Action.join(",")}`);
        const isKeyPolicy = where.startsWith("aws_kms_key.");
        if (list(statement.Resource).includes("*") && !isKeyPolicy) offences.push(`${where}: resource *`);
      }
    }
    expect(offences).toEqual([]);
    expect(allPolicies().length).toBeGreaterThan(10);
  });

  it("outputs the topic ARN, the bucket name and every queue and DLQ URL", () => {
    const outputs = stack.json.output as unknown as Record<string, { value: string }>;
    expect(outputs["topic-arn"]?.value).toBe(ref(topic(), "arn"));
    expect(outputs["bucket-name"]?.value).toBe(ref(bucket(), "bucket"));
    for (const q of subscriptions(topology)) {
      expect(outputs[`${q.consumer}-queue-url`]?.value).toBe(ref(queueNamed(q.queueName), "url"));
      expect(outputs[`${q.consumer}-undelivered-url`]?.value).toBe(ref(queueNamed(q.deliveryDlqName), "url"));
      if (q.kind !== "unrouted") {
        expect(outputs[`${q.consumer}-dlq-url`]?.value).toBe(ref(queueNamed(q.dlqName), "url"));
      }
    }
  });

  it("agrees with the topology the local cloud provisions", () => {
    const queues = subscriptions(topology);
    expect(
      stack
        .of("aws_sqs_queue")
        .map((q) => q.config.name)
        .sort(),
    ).toEqual(
      [
        ...queues.flatMap((q) => [
          q.queueName,
          q.deliveryDlqName,
          ...(q.kind === "unrouted" ? [] : [q.dlqName]),
        ]),
        // Only EventBridge Scheduler writes to these; the local cloud reports a failed run where it happens.
        ...registry.schedules.map((s) => scheduleDlqName(registry.app, s.name)),
        topology.delayed.queueName,
        topology.delayed.dlqName,
      ].sort(),
    );
    expect(
      stack
        .of("aws_sns_topic")
        .map((t) => t.config.name)
        .sort(),
    ).toEqual([`${registry.app}-alarms`, topology.topicName, topology.fifoTopicName].sort());
    for (const q of queues) {
      const subscription = stack.one(
        "aws_sns_topic_subscription",
        (c) => c.endpoint === ref(queueNamed(q.queueName), "arn"),
      );
      expect(subscription.config.filter_policy).toBe(q.filterPolicy ?? undefined);
      expect(queueNamed(q.queueName).config.visibility_timeout_seconds).toBe(q.visibilityTimeoutSeconds);
      if (q.kind !== "unrouted") {
        expect(queueNamed(q.dlqName).config.message_retention_seconds).toBe(q.dlqRetentionSeconds);
      }
    }
  });

  it("uses the standard credential chain and looks the account up, unless asked for fake credentials", async () => {
    const provider = (stack.json.provider as unknown as { aws: Record<string, unknown>[] }).aws[0];
    expect(provider?.region).toBe("eu-west-1");
    expect(provider?.access_key).toBeUndefined();
    expect(stack.of("aws_caller_identity")).toHaveLength(1);

    const fake = synthesize({ registry, bundles: await fixtureBundles(registry), fakeCredentials: true });
    const fakeProvider = (fake.json.provider as unknown as { aws: Record<string, unknown>[] }).aws[0];
    expect(fakeProvider).toMatchObject({
      skip_credentials_validation: true,
      skip_requesting_account_id: true,
      skip_metadata_api_check: "true",
    });
    expect(fake.of("aws_caller_identity")).toEqual([]);
  });

  it("sends alarms to the alarm topic when one is given, and creates none of its own", async () => {
    const topicArn = "arn:aws:sns:eu-west-1:123456789012:ops-alarms";
    const withTopic = synthesize({ registry, bundles: await fixtureBundles(registry), alarms: { topicArn } });
    const alarms = withTopic.of("aws_cloudwatch_metric_alarm");
    expect(alarms.length).toBeGreaterThan(2 * (topology.workers.length + topology.subscribers.length));
    for (const alarm of alarms) expect(alarm.config.alarm_actions).toEqual([topicArn]);
    expect(
      withTopic
        .of("aws_sns_topic")
        .map((t) => t.config.name)
        .sort(),
    ).toEqual([topology.topicName, topology.fifoTopicName].sort());
  });

  it("is built from whichever registry it is given", async () => {
    const other = testRegistry();
    const synthesized = synthesize({ registry: other, bundles: await fixtureBundles(other) });
    expect(
      synthesized
        .of("aws_lambda_function")
        .map((f) => f.config.function_name)
        .sort(),
    ).toEqual(["stacktest-catch-all", "stacktest-delayed", "stacktest-index", "stacktest-ingest"]);
  });
});
