import { describeTopology } from "fanout";
import type { PolicyStatement } from "fanout/cdktf";
import { beforeAll, describe, expect, it } from "vitest";
import { registry } from "../../shared/jobs/index.ts";
import { fixtureBundles, ref, type Synthesized, synthesize } from "./synth.ts";

const topology = describeTopology(registry, { accountId: "(account)", region: "eu-west-1" });
let stack: Synthesized;
beforeAll(async () => {
  stack = synthesize({ registry, bundles: await fixtureBundles(registry) });
});

const statements = (text: unknown) =>
  (JSON.parse(String(text)) as { Statement: PolicyStatement[] }).Statement;
const queueNamed = (name: string) => stack.one("aws_sqs_queue", (c) => c.name === name);
const topic = () => stack.one("aws_sns_topic", (c) => c.name === topology.topicName);

describe("the delay queue on AWS", () => {
  it("is an encrypted queue with a DLQ of its own, not subscribed to the topic", () => {
    const queue = queueNamed(`${registry.app}-delayed`);
    const dlq = queueNamed(`${registry.app}-delayed-dlq`);
    expect(queue.config).toMatchObject({
      sqs_managed_sse_enabled: true,
      visibility_timeout_seconds: topology.delayed.visibilityTimeoutSeconds,
      redrive_policy: JSON.stringify({ deadLetterTargetArn: ref(dlq, "arn"), maxReceiveCount: 5 }),
    });
    expect(dlq.config).toMatchObject({ sqs_managed_sse_enabled: true, message_retention_seconds: 1_209_600 });
    expect(stack.of("aws_sns_topic_subscription", (c) => c.endpoint === ref(queue, "arn"))).toEqual([]);
    expect(stack.json.output?.["delay-queue-url"]).toEqual({
      value: ref(queue, "url"),
      description: "Producers send delayed jobs here (the publisher's delayQueue).",
    });
  });

  it("is read by the relay, which may only send to it again and publish to the topic with its key", () => {
    const queue = queueNamed(`${registry.app}-delayed`);
    const trigger = stack.one(
      "aws_lambda_event_source_mapping",
      (c) => c.event_source_arn === ref(queue, "arn"),
    );
    expect(trigger.config).toMatchObject({ batch_size: 10, maximum_batching_window_in_seconds: 0 });
    const fn = stack.target(trigger.config.function_name);
    expect(fn.config.function_name).toBe(`${registry.app}-delayed`);
    expect((fn.config.environment as { variables: Record<string, string> }).variables).toMatchObject({
      FANOUT_TOPIC_ARN: ref(topic(), "arn"),
      FANOUT_DELAY_QUEUE_URL: ref(queue, "url"),
    });
    const role = stack.target(fn.config.role);
    const policy = stack.one("aws_iam_role_policy", (c) => c.role === ref(role, "id"));
    const key = stack.target(topic().config.kms_master_key_id);
    expect(
      statements(policy.config.policy)
        .filter((s) => s.Sid !== "WriteOwnLogs")
        .map((s) => [s.Action, s.Resource]),
    ).toEqual([
      [
        ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ChangeMessageVisibility"],
        ref(queue, "arn"),
      ],
      [["sqs:SendMessage"], ref(queue, "arn")],
      [["sns:Publish"], ref(topic(), "arn")],
      [["kms:GenerateDataKey", "kms:Decrypt"], ref(key, "arn")],
    ]);
  });

  it("lets producers send delayed jobs to it through their managed policy", () => {
    const producer = stack.one("aws_iam_policy", () => true);
    expect(statements(producer.config.policy)).toContainEqual({
      Sid: "DelayJobs",
      Effect: "Allow",
      Action: ["sqs:SendMessage"],
      Resource: ref(queueNamed(`${registry.app}-delayed`), "arn"),
    });
  });
});
