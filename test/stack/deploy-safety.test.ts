import { readFileSync } from "node:fs";
import { isAbsolute, join, resolve } from "node:path";
import { App, Testing } from "cdktf";
import {
  DLQ_RETENTION_SECONDS,
  defineRegistry,
  describeTopology,
  MAX_JOB_TYPES,
  RegistryError,
  SQS_MAX_MESSAGE_BYTES,
  subscriptions,
} from "fanout";
import { FanoutStack, type PolicyStatement, stateBackendFromEnvironment } from "fanout/cdktf";
import { beforeAll, describe, expect, it } from "vitest";
import { registry } from "../../shared/jobs/index.ts";
import { fixtureBundles, ref, type Synthesized, synthesize, testJob, testRegistry } from "./synth.ts";

const topology = describeTopology(registry, { accountId: "(account)", region: "eu-west-1" });
let stack: Synthesized;

beforeAll(async () => {
  stack = synthesize({ registry, bundles: await fixtureBundles(registry) });
});

const statements = (policy: unknown): PolicyStatement[] =>
  (JSON.parse(String(policy)) as { Statement: PolicyStatement[] }).Statement;
const list = (value: string | readonly string[] | undefined): readonly string[] =>
  value === undefined ? [] : typeof value === "string" ? [value] : value;
const queueNamed = (name: string) => stack.one("aws_sqs_queue", (c) => c.name === name);
const jobTopic = () => stack.one("aws_sns_topic", (c) => c.name === topology.topicName);
const fifoTopic = () => stack.one("aws_sns_topic", (c) => c.name === topology.fifoTopicName);
/** The topic a subscription is on: the FIFO topic for an ordered type's queue. */
const topicOf = (q: { readonly kind: string }) => ("fifo" in q && q.fifo ? fifoTopic() : jobTopic());
const alarmTopic = () => stack.one("aws_sns_topic", (c) => c.name === `${registry.app}-alarms`);
const policyOf = (queue: string) =>
  statements(
    stack.one("aws_sqs_queue_policy", (c) => c.queue_url === ref(queueNamed(queue), "url")).config.policy,
  );
const subscriptionOf = (queue: string) =>
  stack.one("aws_sns_topic_subscription", (c) => c.endpoint === ref(queueNamed(queue), "arn"));
const alarmsOn = (dimension: string, value: string) =>
  stack.of(
    "aws_cloudwatch_metric_alarm",
    (c) => (c.dimensions as Record<string, string>)[dimension] === value,
  );
/** The values SNS counts against its limit of 150 per filter policy (each `$or` branch adds its own). */
function filterValues(policy: unknown): number {
  const parsed = JSON.parse(String(policy)) as Record<string, unknown[]>;
  const branches = (parsed.$or as Record<string, unknown[]>[] | undefined) ?? [parsed];
  return branches.reduce(
    (sum, branch) =>
      sum +
      Object.values(branch).reduce<number>(
        (n, values) =>
          n +
          values.reduce<number>(
            (m, v) =>
              m +
              (Array.isArray((v as { "anything-but"?: unknown })?.["anything-but"])
                ? (v as { "anything-but": unknown[] })["anything-but"].length
                : 1),
            0,
          ),
        0,
      ),
    0,
  );
}

describe("1. names that are unique where AWS needs them to be", () => {
  it("names the bucket after the account and region, and every IAM name after the region, within AWS's lengths", () => {
    const account = ref(
      stack.one("aws_caller_identity", () => true),
      "account_id",
    );
    expect(stack.one("aws_s3_bucket", () => true).config.bucket).toBe(
      `${registry.app}-payloads-${account}-eu-west-1`,
    );
    const iamNames = [
      ...stack.of("aws_iam_role").map((r) => String(r.config.name)),
      ...stack.of("aws_iam_policy").map((p) => String(p.config.name)),
    ];
    // A role per worker, the catch-all's, the delay relay's and the scheduler's, and the producer policy.
    expect(iamNames.length).toBe(topology.workers.length + 4);
    for (const name of iamNames) expect(name).toMatch(/-eu-west-1$/);
    for (const role of stack.of("aws_iam_role"))
      expect(String(role.config.name).length).toBeLessThanOrEqual(64);
  });

  it("gives the same app in two regions different IAM and bucket names, and keeps long names distinct", async () => {
    const names = (s: Synthesized) =>
      [...s.of("aws_iam_role"), ...s.of("aws_iam_policy"), ...s.of("aws_s3_bucket")].map((r) =>
        String(r.config.name ?? r.config.bucket),
      );
    const other = synthesize({ registry, bundles: await fixtureBundles(registry), region: "ap-southeast-2" });
    expect(names(other).filter((n) => names(stack).includes(n))).toEqual([]);

    const long = testRegistry([testJob(`${"a".repeat(38)}-x`), testJob(`${"a".repeat(38)}-y`)]);
    const longStack = synthesize({
      registry: long,
      bundles: await fixtureBundles(long),
      region: "ap-southeast-2",
    });
    const roles = longStack.of("aws_iam_role").map((r) => String(r.config.name));
    expect(new Set(roles).size).toBe(roles.length);
    for (const role of roles) expect(role.length).toBeLessThanOrEqual(64);
  });
});

describe("2. every subscription keeps what SNS cannot deliver", () => {
  it.each(subscriptions(topology).map((q) => [q.consumer, q] as const))(
    "%s: redrive policy to its own DLQ, which admits only this topic and alarms when not empty",
    (_consumer, q) => {
      const subscription = subscriptionOf(q.queueName);
      const target = JSON.parse(String(subscription.config.redrive_policy)).deadLetterTargetArn;
      expect(target).toBe(ref(queueNamed(q.deliveryDlqName), "arn"));
      expect(queueNamed(q.deliveryDlqName).config).toMatchObject({
        message_retention_seconds: DLQ_RETENTION_SECONDS,
        sqs_managed_sse_enabled: true,
      });
      expect(policyOf(q.deliveryDlqName)).toEqual([
        expect.objectContaining({
          Principal: { Service: "sns.amazonaws.com" },
          Action: ["sqs:SendMessage"],
          Condition: { ArnEquals: { "aws:SourceArn": ref(topicOf(q), "arn") } },
        }),
      ]);
      // Deliveries made while the queue policies do not exist yet would be refused and lost.
      expect(subscription.config.depends_on).toHaveLength(2);
      expect(alarmsOn("QueueName", q.deliveryDlqName).map((a) => a.config.metric_name)).toEqual([
        "ApproximateNumberOfMessagesVisible",
      ]);
    },
  );

  it("alarms when SNS could not even move a job to a subscription's DLQ", () => {
    const [lost] = alarmsOn("TopicName", topology.topicName);
    expect(lost?.config).toMatchObject({
      namespace: "AWS/SNS",
      metric_name: "NumberOfNotificationsFailedToRedriveToDlq",
      threshold: 0,
    });
  });
});

describe("3. an unrouted queue keeps jobs of a type no worker handles", () => {
  it("is subscribed for any type but the known standard ones, and for messages without a jobType", () => {
    const filter = JSON.parse(String(subscriptionOf(topology.unrouted.queueName).config.filter_policy));
    // An ordered type's job on the standard topic reaches no worker, so it is kept too.
    const standardTypes = registry.jobList.filter((j) => !j.ordering).map((j) => j.type);
    expect(standardTypes).not.toContain("update-order-status");
    expect(filter).toEqual({
      $or: [{ jobType: [{ "anything-but": standardTypes }] }, { jobType: [{ exists: false }] }],
    });
  });

  it("keeps them 14 days with no redrive policy (nothing reads it), and alarms on any and on old ones", () => {
    const queue = queueNamed(topology.unrouted.queueName);
    expect(queue.config.message_retention_seconds).toBe(DLQ_RETENTION_SECONDS);
    expect(queue.config.redrive_policy).toBeUndefined();
    const alarms = alarmsOn("QueueName", topology.unrouted.queueName).map((a) => [
      a.config.metric_name,
      a.config.threshold,
    ]);
    expect(alarms).toContainEqual(["ApproximateNumberOfMessagesVisible", 0]);
    expect(alarms).toContainEqual(["ApproximateAgeOfOldestMessage", expect.any(Number)]);
  });
});

describe("3b. messages with no attribute at all, which no filter policy can match", () => {
  it("reach a filter-less catch-all, whose function may only move them into the unrouted queue", () => {
    const catchAll = topology.catchAll;
    if (!catchAll) throw new Error("the example registry keeps messages without attributes");
    expect(subscriptionOf(catchAll.queueName).config.filter_policy).toBeUndefined();
    const fn = stack.one("aws_lambda_function", (c) => c.function_name === catchAll.names.function);
    const unrouted = queueNamed(topology.unrouted.queueName);
    expect((fn.config.environment as { variables: Record<string, string> }).variables).toMatchObject({
      FANOUT_UNROUTED_QUEUE_URL: ref(unrouted, "url"),
    });
    const role = stack.target(fn.config.role);
    const grants = statements(
      stack.one("aws_iam_role_policy", (c) => c.role === ref(role, "id")).config.policy,
    );
    expect(grants.find((g) => g.Action.includes("sqs:SendMessage"))?.Resource).toBe(ref(unrouted, "arn"));
    expect(
      grants.flatMap((g) => g.Action).filter((a) => !a.startsWith("sqs:") && !a.startsWith("logs:")),
    ).toEqual([]);
  });

  it("is left out for a registry whose producers all set jobType", async () => {
    const strict = defineRegistry({
      app: "strict",
      jobs: [testJob("only")],
      keepMessagesWithoutAttributes: false,
    });
    const synthesized = synthesize({ registry: strict, bundles: await fixtureBundles(strict) });
    // The worker and the delay relay, no catch-all.
    expect(
      synthesized
        .of("aws_lambda_function")
        .map((f) => f.config.function_name)
        .sort(),
    ).toEqual(["strict-delayed", "strict-only"]);
    expect(
      synthesized.of("aws_sns_topic_subscription").every((s) => s.config.filter_policy !== undefined),
    ).toBe(true);
  });
});

describe("4. a subscriber of every type is not frozen at deploy time", () => {
  it("matches any jobType by an exists filter", () => {
    const audit = topology.subscribers.find((s) => s.consumer === "audit");
    expect(JSON.parse(String(subscriptionOf(audit?.queueName ?? "").config.filter_policy))).toEqual({
      jobType: [{ exists: true }],
    });
  });

  it(`synthesizes a registry of ${MAX_JOB_TYPES} job types with every filter within SNS's 150 values, and refuses one more`, async () => {
    const jobs = Array.from({ length: MAX_JOB_TYPES - 2 }, (_, i) => testJob(`t${i}`));
    const large = testRegistry(jobs);
    const synthesized = synthesize({ registry: large, bundles: await fixtureBundles(large) });
    const subscriptionFilters = synthesized
      .of("aws_sns_topic_subscription")
      .map((s) => s.config.filter_policy)
      .filter((policy) => policy !== undefined);
    // A worker each, two subscribers, the unrouted queue (the catch-all has no filter).
    expect(subscriptionFilters.length).toBe(MAX_JOB_TYPES + 2 + 1);
    expect(Math.max(...subscriptionFilters.map(filterValues))).toBe(150);
    expect(() => testRegistry([...jobs, testJob("one-more")])).toThrow(RegistryError);
  });
});

describe("5. producers get a policy to attach and the key to use", () => {
  it("outputs a managed producer policy: publish to the topic, SNS's use of its key, payload uploads only", () => {
    const policy = stack.one("aws_iam_policy", () => true);
    const outputs = stack.json.output as unknown as Record<string, { value: string }>;
    expect(outputs["producer-policy-arn"]?.value).toBe(ref(policy, "arn"));
    const key = stack.target(jobTopic().config.kms_master_key_id);
    expect(outputs["key-arn"]?.value).toBe(ref(key, "arn"));
    const bucket = stack.one("aws_s3_bucket", () => true);
    expect(statements(policy.config.policy)).toEqual([
      {
        Sid: "PublishJobs",
        Effect: "Allow",
        Action: ["sns:Publish"],
        Resource: [ref(jobTopic(), "arn"), ref(fifoTopic(), "arn")],
      },
      {
        Sid: "EncryptJobs",
        Effect: "Allow",
        Action: ["kms:GenerateDataKey", "kms:Decrypt"],
        Resource: ref(key, "arn"),
        Condition: {
          StringEquals: {
            "kms:EncryptionContext:aws:sns:topicArn": [ref(jobTopic(), "arn"), ref(fifoTopic(), "arn")],
          },
        },
      },
      {
        Sid: "StorePayloads",
        Effect: "Allow",
        Action: ["s3:PutObject", "s3:AbortMultipartUpload"],
        Resource: `${ref(bucket, "arn")}/payloads/*`,
      },
      {
        Sid: "DelayJobs",
        Effect: "Allow",
        Action: ["sqs:SendMessage"],
        Resource: ref(
          stack.one("aws_sqs_queue", (c) => c.name === `${registry.app}-delayed`),
          "arn",
        ),
      },
    ]);
  });

  it("admits producers of other accounts to the topic, the key and the payload prefix only when listed", async () => {
    expect(stack.of("aws_sns_topic_policy", (c) => c.arn === ref(jobTopic(), "arn"))).toEqual([]);
    const shared = synthesize({
      registry,
      bundles: await fixtureBundles(registry),
      producerAccountIds: ["444455556666"],
    });
    const other = ":iam::444455556666:root";
    const topic = shared.one("aws_sns_topic", (c) => c.name === topology.topicName);
    const grantsTo = (policy: unknown) =>
      statements(policy).filter(
        (s) => typeof s.Principal === "object" && list(s.Principal.AWS).some((p) => p.endsWith(other)),
      );
    const topicPolicy = shared.one("aws_sns_topic_policy", (c) => c.arn === ref(topic, "arn"));
    expect(grantsTo(topicPolicy.config.policy).flatMap((s) => s.Action)).toEqual(["sns:Publish"]);
    const key = shared.target(topic.config.kms_master_key_id);
    expect(grantsTo(key.config.policy).flatMap((s) => s.Action)).toEqual([
      "kms:GenerateDataKey",
      "kms:Decrypt",
    ]);
    const bucketPolicy = shared.one("aws_s3_bucket_policy", () => true);
    expect(grantsTo(bucketPolicy.config.policy).map((s) => [s.Action, s.Resource])).toEqual([
      [["s3:PutObject", "s3:AbortMultipartUpload"], expect.stringMatching(/\/payloads\/\*$/)],
    ]);
  });
});

describe("7. payloads outlive every message that points at them", () => {
  it("lets each worker refresh (copy onto itself) only its own type's payloads", () => {
    for (const worker of topology.workers) {
      const fn = stack.one("aws_lambda_function", (c) => c.function_name === worker.names.function);
      const role = stack.target(fn.config.role);
      const policy = stack.one("aws_iam_role_policy", (c) => c.role === ref(role, "id"));
      const refresh = statements(policy.config.policy).find((s) => s.Sid === "RefreshOwnPayloads");
      expect(list(refresh?.Resource)).toEqual([
        expect.stringMatching(new RegExp(`/payloads/${worker.consumer}/\\*$`)),
      ]);
    }
  });

  it("gives every queue a message size the consumer's dead-letter budget is computed for", () => {
    for (const queue of stack.of("aws_sqs_queue"))
      expect(queue.config.max_message_size).toBe(SQS_MAX_MESSAGE_BYTES);
  });
});

describe("8. Terraform state", () => {
  it("is a local file beside the project, at a relative path, which .gitignore keeps out of the repository", async () => {
    const app = new App({ outdir: join(process.cwd(), "cdktf.out") });
    const local = new FanoutStack(app, {
      registry,
      bundles: await fixtureBundles(registry),
      region: "eu-west-1",
    });
    const { path } = (
      JSON.parse(Testing.synth(local)) as { terraform: { backend: { local: { path: string } } } }
    ).terraform.backend.local;
    expect(isAbsolute(path)).toBe(false);
    // Terraform runs in the synthesized stack's directory.
    expect(resolve(app.outdir, "stacks", registry.app, path)).toBe(
      join(process.cwd(), `terraform.${registry.app}.tfstate`),
    );
    expect(readFileSync(new URL("../../.gitignore", import.meta.url), "utf8")).toMatch(/^\*\.tfstate\*$/m);
  });

  it("goes to S3 with locking when FANOUT_STATE_BUCKET is set, and refuses a half configuration", async () => {
    const bundles = await fixtureBundles(registry);
    const s3 = (env: NodeJS.ProcessEnv) => {
      const app = Testing.app();
      const synthesized = JSON.parse(
        Testing.synth(
          new FanoutStack(app, {
            registry,
            bundles,
            region: "eu-west-1",
            state: stateBackendFromEnvironment(env),
          }),
        ),
      ) as { terraform: { backend: { s3: Record<string, unknown> } } };
      return synthesized.terraform.backend.s3;
    };
    expect(s3({ FANOUT_STATE_BUCKET: "team-state" })).toEqual({
      bucket: "team-state",
      key: `${registry.app}/terraform.tfstate`,
      region: "eu-west-1",
      encrypt: true,
      use_lockfile: true,
    });
    expect(
      s3({
        FANOUT_STATE_BUCKET: "team-state",
        FANOUT_STATE_KEY: "prod/fanout.tfstate",
        FANOUT_STATE_LOCK_TABLE: "locks",
      }),
    ).toMatchObject({
      key: "prod/fanout.tfstate",
      dynamodb_table: "locks",
    });
    expect(() => stateBackendFromEnvironment({ FANOUT_STATE_KEY: "x" })).toThrow(
      /FANOUT_STATE_BUCKET is not/,
    );
  });
});

describe("9. the smaller gaps", () => {
  it("lets SNS use the key only for this app's topics, by their encryption context", () => {
    const key = stack.target(jobTopic().config.kms_master_key_id);
    const sns = statements(key.config.policy).find(
      (s) => typeof s.Principal === "object" && s.Principal.Service === "sns.amazonaws.com",
    );
    expect(sns?.Condition?.StringEquals?.["kms:EncryptionContext:aws:sns:topicArn"]).toEqual([
      expect.stringMatching(/:sns:eu-west-1:.+:fanout-jobs$/),
      expect.stringMatching(/:sns:eu-west-1:.+:fanout-jobs\.fifo$/),
      expect.stringMatching(/:sns:eu-west-1:.+:fanout-alarms$/),
    ]);
  });

  it("notifies an encrypted alarm topic, which CloudWatch alarms of this account may publish to, and mails it when asked", async () => {
    expect(alarmTopic().config.kms_master_key_id).toBe(jobTopic().config.kms_master_key_id);
    const policy = stack.one("aws_sns_topic_policy", (c) => c.arn === ref(alarmTopic(), "arn"));
    expect(statements(policy.config.policy)[0]).toMatchObject({
      Principal: { Service: "cloudwatch.amazonaws.com" },
      Action: ["sns:Publish"],
    });
    for (const alarm of stack.of("aws_cloudwatch_metric_alarm")) {
      expect(alarm.config.alarm_actions).toEqual([ref(alarmTopic(), "arn")]);
    }
    expect(stack.of("aws_sns_topic_subscription", (c) => c.protocol === "email")).toEqual([]);
    const mailed = synthesize({
      registry,
      bundles: await fixtureBundles(registry),
      alarms: { email: "ops@example.com" },
    });
    expect(
      mailed.of("aws_sns_topic_subscription", (c) => c.protocol === "email").map((s) => s.config.endpoint),
    ).toEqual(["ops@example.com"]);
  });

  it("alarms on each function's errors and throttles, and on dead letters nearing the DLQ's retention", () => {
    for (const worker of topology.workers) {
      const fn = stack.one("aws_lambda_function", (c) => c.function_name === worker.names.function);
      const metrics = stack
        .of(
          "aws_cloudwatch_metric_alarm",
          (c) => (c.dimensions as Record<string, string>).FunctionName === ref(fn, "function_name"),
        )
        .map((a) => a.config.metric_name);
      expect(metrics.sort()).toEqual(["Errors", "Throttles"]);
      const expiring = alarmsOn("QueueName", worker.dlqName).find(
        (a) => a.config.metric_name === "ApproximateAgeOfOldestMessage",
      );
      expect(Number(expiring?.config.threshold)).toBeLessThan(DLQ_RETENTION_SECONDS);
      expect(Number(expiring?.config.threshold)).toBeGreaterThan(DLQ_RETENTION_SECONDS / 2);
    }
  });

  it("gives every example job type at least the 5 receives AWS recommends, and warns at synth time below that", async () => {
    for (const job of registry.jobList) expect(job.worker.maxReceiveCount).toBeGreaterThanOrEqual(5);
    const few = testRegistry([testJob("hasty", { maxReceiveCount: 2 })]);
    const stackWithFew = new FanoutStack(Testing.app(), {
      registry: few,
      bundles: await fixtureBundles(few),
      region: "eu-west-1",
    });
    Testing.synth(stackWithFew);
    const notes = stackWithFew.node.findAll().flatMap((c) => c.node.metadata.map((m) => String(m.data)));
    expect(notes).toContainEqual(
      expect.stringMatching(/"hasty" has maxReceiveCount 2; AWS recommends at least 5/),
    );
  });
});
