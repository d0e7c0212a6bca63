import { defineJob, fifoTopicName } from "fanout";
import type { PolicyStatement } from "fanout/cdktf";
import { beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { fixtureBundles, ref, type Synthesized, synthesize, testJob, testRegistry } from "./synth.ts";

const parse = (text: unknown) => JSON.parse(String(text)) as { Statement: PolicyStatement[] };
const list = (value: string | readonly string[] | undefined): readonly string[] =>
  value === undefined ? [] : typeof value === "string" ? [value] : value;

const updateOrder = defineJob({
  type: "update-order",
  description: "Applies one status change of an order, in order.",
  schema: z.object({ orderId: z.string(), status: z.string() }),
  ordering: { groupBy: "orderId" },
});
const registry = testRegistry([updateOrder, testJob("notify", { publishes: ["update-order", "index"] })]);
const app = registry.app;
let stack: Synthesized;
let plain: Synthesized;

beforeAll(async () => {
  stack = synthesize({
    registry,
    bundles: await fixtureBundles(registry),
    producerAccountIds: ["210987654321"],
  });
  const plainRegistry = testRegistry();
  plain = synthesize({ registry: plainRegistry, bundles: await fixtureBundles(plainRegistry) });
});

const fifoTopic = () => stack.one("aws_sns_topic", (c) => c.name === fifoTopicName(app));
const standardTopic = () => stack.one("aws_sns_topic", (c) => c.name === `${app}-jobs`);
const queue = (name: string) => stack.one("aws_sqs_queue", (c) => c.name === name);
const functionOf = (type: string) =>
  stack.one("aws_lambda_function", (c) => c.function_name === `${app}-${type}`);
const statementsOf = (type: string) => {
  const role = stack.target(functionOf(type).config.role);
  return parse(stack.one("aws_iam_role_policy", (c) => c.role === ref(role, "id")).config.policy).Statement;
};

describe("the FIFO topic", () => {
  it("exists only in an app with an ordered job type", () => {
    expect(plain.of("aws_sns_topic", (c) => c.fifo_topic === true)).toEqual([]);
    expect(fifoTopic().config).toMatchObject({
      name: `${app}-jobs.fifo`,
      fifo_topic: true,
      content_based_deduplication: false,
      fifo_throughput_scope: "MessageGroup",
    });
  });

  it("is encrypted with the stack's key, which SNS may use for it", () => {
    const keyArn = standardTopic().config.kms_master_key_id;
    expect(fifoTopic().config.kms_master_key_id).toBe(keyArn);
    const key = stack.target(String(keyArn));
    const sns = parse(key.config.policy).Statement.find((s) => s.Sid === "SnsUsesKeyForTheseTopics");
    const condition = (sns?.Condition?.StringEquals ?? {}) as Record<string, string | string[]>;
    const topics = list(condition["kms:EncryptionContext:aws:sns:topicArn"]);
    expect(topics.some((arn) => arn.endsWith(`:${app}-jobs.fifo`))).toBe(true);
  });

  it("alarms when SNS could not even move one of its jobs to a subscription's DLQ", () => {
    const alarm = stack.one(
      "aws_cloudwatch_metric_alarm",
      (c) => c.alarm_name === `${app}-jobs.fifo-notifications-lost`,
    );
    expect(alarm.config).toMatchObject({
      namespace: "AWS/SNS",
      metric_name: "NumberOfNotificationsFailedToRedriveToDlq",
      dimensions: { TopicName: `${app}-jobs.fifo` },
      threshold: 0,
    });
  });

  it("lets the producer accounts publish to it as to the standard topic", () => {
    const policy = stack.one("aws_sns_topic_policy", (c) => c.arn === ref(fifoTopic(), "arn"));
    const publish = parse(policy.config.policy).Statement.find((s) => s.Sid === "ProducerAccountsPublish");
    expect(publish?.Resource).toBe(ref(fifoTopic(), "arn"));
  });
});

describe("an ordered job type's queues", () => {
  it("are FIFO queues with deduplication and throughput per message group", () => {
    for (const name of [
      `${app}-update-order.fifo`,
      `${app}-update-order-dlq.fifo`,
      `${app}-update-order-undelivered.fifo`,
    ]) {
      expect(queue(name).config).toMatchObject({
        fifo_queue: true,
        content_based_deduplication: false,
        deduplication_scope: "messageGroup",
        fifo_throughput_limit: "perMessageGroupId",
        sqs_managed_sse_enabled: true,
      });
    }
    expect(queue(`${app}-index`).config.fifo_queue).toBeUndefined();
  });

  it("dead-letter to the FIFO DLQ", () => {
    const redrive = JSON.parse(String(queue(`${app}-update-order.fifo`).config.redrive_policy));
    expect(redrive.deadLetterTargetArn).toBe(ref(queue(`${app}-update-order-dlq.fifo`), "arn"));
  });

  it("are subscribed to the FIFO topic alone, raw, with the jobType filter, and admit only that topic", () => {
    const fifoQueue = queue(`${app}-update-order.fifo`);
    const subscription = stack.one("aws_sns_topic_subscription", (c) => c.endpoint === ref(fifoQueue, "arn"));
    expect(subscription.config).toMatchObject({
      topic_arn: ref(fifoTopic(), "arn"),
      raw_message_delivery: true,
      filter_policy: JSON.stringify({ jobType: ["update-order"] }),
    });
    const deliveryDlq = queue(`${app}-update-order-undelivered.fifo`);
    expect(JSON.parse(String(subscription.config.redrive_policy)).deadLetterTargetArn).toBe(
      ref(deliveryDlq, "arn"),
    );
    for (const q of [fifoQueue, deliveryDlq]) {
      const policy = stack.one("aws_sqs_queue_policy", (c) => c.queue_url === ref(q, "url"));
      const [statement] = parse(policy.config.policy).Statement;
      expect(statement?.Condition).toEqual({ ArnEquals: { "aws:SourceArn": ref(fifoTopic(), "arn") } });
    }
    // No standard subscription of the ordered type: the standard topic's unrouted queue keeps strays.
    const onStandard = stack.of(
      "aws_sns_topic_subscription",
      (c) => c.topic_arn === ref(standardTopic(), "arn"),
    );
    expect(onStandard.map((s) => s.config.filter_policy)).not.toContain(
      JSON.stringify({ jobType: ["update-order"] }),
    );
  });

  it("are read by the consumer with at most 10 records and no batching window (Lambda's FIFO limits)", () => {
    const mapping = stack.one(
      "aws_lambda_event_source_mapping",
      (c) => c.event_source_arn === ref(queue(`${app}-update-order.fifo`), "arn"),
    );
    expect(mapping.config.batch_size).toBeLessThanOrEqual(10);
    expect(mapping.config).not.toHaveProperty("maximum_batching_window_in_seconds");
    expect(mapping.config.function_response_types).toEqual(["ReportBatchItemFailures"]);
  });
});

describe("publishing ordered jobs", () => {
  it("the producer policy publishes to both topics and encrypts for both", () => {
    const policy = parse(
      stack.one("aws_iam_policy", (c) => String(c.name).includes("-producer-")).config.policy,
    );
    const publish = policy.Statement.find((s) => s.Sid === "PublishJobs");
    expect(list(publish?.Resource)).toEqual([ref(standardTopic(), "arn"), ref(fifoTopic(), "arn")]);
    const encrypt = policy.Statement.find((s) => s.Sid === "EncryptJobs");
    expect(encrypt?.Condition).toEqual({
      StringEquals: {
        "kms:EncryptionContext:aws:sns:topicArn": [ref(standardTopic(), "arn"), ref(fifoTopic(), "arn")],
      },
    });
  });

  it("a worker may publish to the FIFO topic only when it publishes an ordered type", () => {
    const notify = statementsOf("notify").find((s) => s.Sid === "PublishFollowUps");
    expect(list(notify?.Resource)).toEqual([ref(standardTopic(), "arn"), ref(fifoTopic(), "arn")]);
    const ingest = statementsOf("ingest").find((s) => s.Sid === "PublishFollowUps");
    expect(list(ingest?.Resource)).toEqual([ref(standardTopic(), "arn")]);
    expect(statementsOf("update-order").find((s) => s.Sid === "PublishFollowUps")).toBeUndefined();
  });
});
