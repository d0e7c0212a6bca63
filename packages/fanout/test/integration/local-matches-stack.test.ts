import { GetSubscriptionAttributesCommand, ListSubscriptionsByTopicCommand } from "@aws-sdk/client-sns";
import { GetQueueAttributesCommand, ListQueuesCommand } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ref, type Synthesized } from "../../src/cdktf/synthesized.ts";
import { payloadBucketName } from "../../src/core/naming.ts";
import { LOCAL_PLACEMENT } from "../../src/local/endpoint.ts";
import { testRegistry } from "../fixtures/registry.ts";
import { type Harness, startHarness } from "../support/harness.ts";
import { synthesizeRegistry } from "../support/stack.ts";

interface QueueShape {
  name: string;
  visibilityTimeout: number;
  retention: number;
  maxMessageSize: number;
  deadLetterTarget: string | undefined;
  maxReceiveCount: number | undefined;
}

interface SubscriptionShape {
  queue: string;
  filterPolicy: unknown;
  raw: boolean;
  /** Where SNS puts what it cannot deliver. */
  deliveryDlq: string;
}

const queueName = (arn: string) => arn.split(":").at(-1) ?? "";

function stackQueues(stack: Synthesized): QueueShape[] {
  return stack.of("aws_sqs_queue").map(({ config }) => {
    const redrive = config.redrive_policy ? JSON.parse(String(config.redrive_policy)) : undefined;
    return {
      name: String(config.name),
      // SQS's default where the stack sets none.
      visibilityTimeout: (config.visibility_timeout_seconds as number | undefined) ?? 30,
      retention: config.message_retention_seconds as number,
      maxMessageSize: config.max_message_size as number,
      deadLetterTarget: redrive ? String(stack.target(redrive.deadLetterTargetArn).config.name) : undefined,
      maxReceiveCount: redrive?.maxReceiveCount,
    };
  });
}

function stackSubscriptions(stack: Synthesized): SubscriptionShape[] {
  return stack.of("aws_sns_topic_subscription").map(({ config }) => ({
    queue: String(stack.target(config.endpoint).config.name),
    filterPolicy: config.filter_policy === undefined ? null : JSON.parse(String(config.filter_policy)),
    raw: config.raw_message_delivery === true,
    deliveryDlq: String(
      stack.target(JSON.parse(String(config.redrive_policy)).deadLetterTargetArn).config.name,
    ),
  }));
}

async function localQueues(h: Harness): Promise<QueueShape[]> {
  const { sqs } = h.fanout.clients;
  const { QueueUrls = [] } = await sqs.send(new ListQueuesCommand({}));
  return Promise.all(
    QueueUrls.map(async (url) => {
      const { Attributes = {} } = await sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["All"] }),
      );
      const redrive = Attributes.RedrivePolicy ? JSON.parse(Attributes.RedrivePolicy) : undefined;
      return {
        name: queueName(Attributes.QueueArn ?? ""),
        visibilityTimeout: Number(Attributes.VisibilityTimeout),
        retention: Number(Attributes.MessageRetentionPeriod),
        maxMessageSize: Number(Attributes.MaximumMessageSize),
        deadLetterTarget: redrive ? queueName(redrive.deadLetterTargetArn) : undefined,
        maxReceiveCount: redrive ? Number(redrive.maxReceiveCount) : undefined,
      };
    }),
  );
}

async function localSubscriptions(h: Harness): Promise<SubscriptionShape[]> {
  const { sns } = h.fanout.clients;
  const { Subscriptions = [] } = await sns.send(
    new ListSubscriptionsByTopicCommand({ TopicArn: h.fanout.provisioned.topicArn }),
  );
  return Promise.all(
    Subscriptions.map(async (s) => {
      const { Attributes = {} } = await sns.send(
        new GetSubscriptionAttributesCommand({ SubscriptionArn: s.SubscriptionArn }),
      );
      return {
        queue: queueName(s.Endpoint ?? ""),
        filterPolicy: JSON.parse(Attributes.FilterPolicy ?? "null"),
        raw: Attributes.RawMessageDelivery === "true",
        deliveryDlq: queueName(JSON.parse(Attributes.RedrivePolicy ?? "{}").deadLetterTargetArn ?? ""),
      };
    }),
  );
}

const byName = <T extends { name?: string; queue?: string }>(items: T[]) =>
  [...items].sort((a, b) => String(a.name ?? a.queue).localeCompare(String(b.name ?? b.queue)));

describe("the local cloud and the cdktf stack build the same topology from the registry", () => {
  let h: Harness;
  let stack: Synthesized;
  beforeAll(async () => {
    h = await startHarness({ workers: false });
    stack = await synthesizeRegistry(testRegistry);
  });
  afterAll(() => h.stop());

  it("has the same topic name, and a bucket named by the same function of account and region", () => {
    expect(stack.of("aws_sns_topic", (t) => t.name === h.fanout.topology.topicName)).toHaveLength(1);
    expect(queueName(h.fanout.provisioned.topicArn)).toBe(h.fanout.topology.topicName);
    const account = ref(
      stack.one("aws_caller_identity", () => true),
      "account_id",
    );
    expect(stack.of("aws_s3_bucket").map((b) => b.config.bucket)).toEqual([
      payloadBucketName(testRegistry.app, { accountId: account, region: "eu-west-1" }),
    ]);
    expect(h.fanout.provisioned.bucket).toBe(payloadBucketName(testRegistry.app, LOCAL_PLACEMENT));
  });

  it("has the same queues, DLQs, subscription DLQs, unrouted and catch-all queues, timeouts, sizes and redrive policies", async () => {
    const local = byName(await localQueues(h));
    // A queue, a DLQ and a subscription DLQ per job type, subscriber and the catch-all; the unrouted queue and
    // its subscription DLQ; the delay queue and its DLQ.
    expect(local.length).toBe(
      3 * (testRegistry.jobList.length + testRegistry.subscribers.length + 1) + 2 + 2,
    );
    expect(local).toEqual(byName(stackQueues(stack)));
  });

  it("has the same raw subscriptions with the same filter policies", async () => {
    const local = byName(await localSubscriptions(h));
    expect(local.every((s) => s.raw)).toBe(true);
    expect(local).toEqual(byName(stackSubscriptions(stack)));
  });
});
