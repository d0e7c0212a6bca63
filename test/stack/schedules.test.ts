import { decodeEnvelope, defineRegistry, type Registry } from "fanout";
import type { PolicyStatement } from "fanout/cdktf";
import { beforeAll, describe, expect, it } from "vitest";
import { fixtureBundles, ref, type Synthesized, type SynthResource, synthesize, testJob } from "./synth.ts";

const registry: Registry = defineRegistry({
  app: "stacktest",
  jobs: [testJob("report"), testJob("cleanup")],
  schedules: [
    {
      name: "nightly.report",
      expression: "cron(0 3 * * ? *)",
      timeZone: "Europe/Berlin",
      jobType: "report",
      payload: { id: "nightly" },
      description: "The nightly report.",
      flexibleWindowMinutes: 15,
      retry: { maxRetries: 3, maxEventAgeSeconds: 3600 },
    },
    { name: "hourly-cleanup", expression: "rate(1 hour)", jobType: "cleanup", payload: { id: "all" } },
  ],
});

let stack: Synthesized;
beforeAll(async () => {
  stack = synthesize({ registry, bundles: await fixtureBundles(registry) });
});

const statements = (text: unknown) =>
  (JSON.parse(String(text)) as { Statement: PolicyStatement[] }).Statement;
const schedule = (name: string) => stack.one("aws_scheduler_schedule", (c) => c.name === name);
const target = (name: string) => schedule(name).config.target as Record<string, unknown>;
const topic = () => stack.one("aws_sns_topic", (c) => c.name === "stacktest-jobs");

describe("schedules on AWS", () => {
  it("puts every schedule of the registry in the app's schedule group, with its expression and time zone", () => {
    const group = stack.one("aws_scheduler_schedule_group", () => true);
    expect(group.config.name).toBe("stacktest-schedules");
    expect(
      stack
        .of("aws_scheduler_schedule")
        .map((s) => s.config.name)
        .sort(),
    ).toEqual(["hourly-cleanup", "nightly.report"]);
    expect(schedule("nightly.report").config).toMatchObject({
      group_name: ref(group, "name"),
      schedule_expression: "cron(0 3 * * ? *)",
      schedule_expression_timezone: "Europe/Berlin",
      description: "The nightly report.",
      flexible_time_window: { mode: "FLEXIBLE", maximum_window_in_minutes: 15 },
    });
    expect(schedule("hourly-cleanup").config).toMatchObject({
      schedule_expression: "rate(1 hour)",
      schedule_expression_timezone: "UTC",
      flexible_time_window: { mode: "OFF" },
    });
  });

  it("publishes to the job topic through SNS Publish with the jobType attribute, so the filter policies route the job", () => {
    const t = target("nightly.report");
    expect(t.arn).toBe(
      `arn:${ref(
        stack.one("aws_partition", () => true),
        "partition",
      )}:scheduler:::aws-sdk:sns:publish`,
    );
    const input = JSON.parse(String(t.input)) as {
      TopicArn: string;
      Message: string;
      MessageAttributes: Record<string, unknown>;
    };
    expect(input.TopicArn).toBe(ref(topic(), "arn"));
    expect(input.MessageAttributes).toEqual({ jobType: { DataType: "String", StringValue: "report" } });
    expect(JSON.parse(input.Message)).toEqual({
      v: 1,
      id: "nightly.report-<aws.scheduler.execution-id>",
      type: "report",
      createdAt: "<aws.scheduler.scheduled-time>",
      payload: { id: "nightly" },
    });
  });

  it("gives each run its own job id and the scheduled time, in an envelope every consumer reads", () => {
    const { Message } = JSON.parse(String(target("hourly-cleanup").input)) as { Message: string };
    // What EventBridge Scheduler makes of the stand-ins (its documented examples).
    const run = Message.replace("<aws.scheduler.execution-id>", "d32c5kddcf5bb8c3").replace(
      "<aws.scheduler.scheduled-time>",
      "2026-03-22T18:59:43Z",
    );
    expect(decodeEnvelope(run)).toMatchObject({
      id: "hourly-cleanup-d32c5kddcf5bb8c3",
      type: "cleanup",
      createdAt: "2026-03-22T18:59:43Z",
      payload: { id: "all" },
    });
  });

  it("retries as the registry says, then keeps the run in a dead-letter queue of the schedule's own, encrypted", () => {
    expect(target("nightly.report").retry_policy).toEqual({
      maximum_retry_attempts: 3,
      maximum_event_age_in_seconds: 3600,
    });
    expect(target("hourly-cleanup").retry_policy).toEqual({
      maximum_retry_attempts: 185,
      maximum_event_age_in_seconds: 86_400,
    });
    for (const [name, queueName] of [
      ["nightly.report", "stacktest-nightly_report-schedule-dlq"],
      ["hourly-cleanup", "stacktest-hourly-cleanup-schedule-dlq"],
    ] as const) {
      const dlq = stack.target((target(name).dead_letter_config as { arn: string }).arn);
      expect(dlq.type).toBe("aws_sqs_queue");
      expect(dlq.config).toMatchObject({
        name: queueName,
        sqs_managed_sse_enabled: true,
        message_retention_seconds: 1_209_600,
      });
      const policy = stack.one("aws_sqs_queue_policy", (c) => c.queue_url === ref(dlq, "url"));
      expect(statements(policy.config.policy)).toEqual([
        {
          Sid: "OnlyTheSchedulerSends",
          Effect: "Deny",
          Principal: "*",
          Action: ["sqs:SendMessage"],
          Resource: ref(dlq, "arn"),
          Condition: {
            ArnNotEquals: { "aws:PrincipalArn": ref(stack.target(target(name).role_arn), "arn") },
          },
        },
      ]);
    }
  });

  it("runs with a role only EventBridge Scheduler of this account assumes, that may only publish to the topic, use its key and keep failed runs", () => {
    const role = stack.target(target("nightly.report").role_arn) as SynthResource;
    expect(stack.target(target("hourly-cleanup").role_arn).address).toBe(role.address);
    expect(role.config.name).toBe("stacktest-scheduler-eu-west-1");
    expect(statements(role.config.assume_role_policy)).toEqual([
      {
        Effect: "Allow",
        Principal: { Service: "scheduler.amazonaws.com" },
        Action: ["sts:AssumeRole"],
        Condition: {
          StringEquals: {
            "aws:SourceAccount": ref(
              stack.one("aws_caller_identity", () => true),
              "account_id",
            ),
          },
        },
      },
    ]);
    const policies = stack.of("aws_iam_role_policy", (c) => c.role === ref(role, "id"));
    expect(policies).toHaveLength(1);
    const key = stack.target(topic().config.kms_master_key_id);
    const dlqArns = stack
      .of("aws_sqs_queue", (c) => String(c.name).endsWith("-schedule-dlq"))
      .map((q) => ref(q, "arn"));
    expect(statements(policies[0]?.config.policy)).toEqual([
      {
        Sid: "PublishScheduledJobs",
        Effect: "Allow",
        Action: ["sns:Publish"],
        Resource: ref(topic(), "arn"),
      },
      {
        Sid: "EncryptForTheTopic",
        Effect: "Allow",
        Action: ["kms:GenerateDataKey", "kms:Decrypt"],
        Resource: ref(key, "arn"),
      },
      {
        Sid: "KeepRunsThatFailed",
        Effect: "Allow",
        Action: ["sqs:SendMessage"],
        Resource: expect.arrayContaining(dlqArns),
      },
    ]);
    // Exactly the two schedules' DLQs, no other queue.
    expect(dlqArns).toHaveLength(2);
    expect(statements(policies[0]?.config.policy)[2]?.Resource).toHaveLength(2);
    expect(schedule("nightly.report").config.depends_on).toContain(policies[0]?.address);
  });

  it("creates no scheduler resources for a registry without schedules", async () => {
    const plain = defineRegistry({ app: "plain", jobs: [testJob("report")] });
    const synthesized = synthesize({ registry: plain, bundles: await fixtureBundles(plain) });
    expect(synthesized.resources.filter((r) => r.type.startsWith("aws_scheduler_"))).toEqual([]);
  });
});
