// These need patches/fauxqs+2.4.1.patch. Upstream tags v2.9.1 (emoji, kibertoad/fauxqs PR 278) and v2.7.0
// (subscription DLQ, PR 137) carry both fixes: drop the patch when upgrading to fauxqs >= 2.9.1.
import { randomUUID } from "node:crypto";
import {
  CreateTopicCommand,
  PublishBatchCommand,
  PublishCommand,
  SubscribeCommand,
} from "@aws-sdk/client-sns";
import {
  CreateQueueCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  type MessageAttributeValue,
  SendMessageBatchCommand,
  SendMessageCommand,
} from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AwsClients, createAwsClients, destroyAwsClients } from "../../src/core/aws-clients.ts";
import { type LocalCloud, startLocalCloud } from "../../src/local/cloud.ts";
import { LOCAL_CREDENTIALS, LOCAL_REGION } from "../../src/local/endpoint.ts";
import { drain } from "../support/harness.ts";

const EMOJI_BODY = "🚀 order 👍";
const EMOJI_ATTRIBUTE = "\u{1F600}";

function stringAttribute(value: string): MessageAttributeValue {
  return { DataType: "String", StringValue: value };
}

describe("the local cloud behaves like AWS where fauxqs 2.4.1 did not", () => {
  let cloud: LocalCloud;
  let clients: AwsClients;
  beforeAll(async () => {
    cloud = await startLocalCloud({ port: 0 });
    clients = createAwsClients({
      endpoint: cloud.endpoint,
      region: LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
    });
  });
  afterAll(async () => {
    destroyAwsClients(clients);
    await cloud.stop();
  });

  async function createQueue(): Promise<{ url: string; arn: string }> {
    const { QueueUrl = "" } = await clients.sqs.send(
      new CreateQueueCommand({ QueueName: `fixes-${randomUUID()}` }),
    );
    const { Attributes = {} } = await clients.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }),
    );
    return { url: QueueUrl, arn: Attributes.QueueArn ?? "" };
  }

  describe("emoji in SQS messages", () => {
    it("delivers a body and a string attribute with emoji unchanged through SendMessage", async () => {
      const queue = await createQueue();
      await clients.sqs.send(
        new SendMessageCommand({
          QueueUrl: queue.url,
          MessageBody: EMOJI_BODY,
          MessageAttributes: { mood: stringAttribute(EMOJI_ATTRIBUTE) },
        }),
      );
      const [received] = await drain(clients.sqs, queue.url, 1);
      expect(received?.Body).toBe(EMOJI_BODY);
      expect(received?.MessageAttributes?.mood?.StringValue).toBe(EMOJI_ATTRIBUTE);
    });

    it("delivers every entry of a SendMessageBatch with emoji unchanged", async () => {
      const queue = await createQueue();
      const { Successful = [], Failed = [] } = await clients.sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: queue.url,
          Entries: [1, 2].map((n) => ({
            Id: `e${n}`,
            MessageBody: `${EMOJI_BODY} ${n}`,
            MessageAttributes: { mood: stringAttribute(EMOJI_ATTRIBUTE) },
          })),
        }),
      );
      expect(Failed).toEqual([]);
      expect(Successful).toHaveLength(2);
      const received = await drain(clients.sqs, queue.url, 2);
      expect(received.map((m) => [m.Body, m.MessageAttributes?.mood?.StringValue]).sort()).toEqual([
        [`${EMOJI_BODY} 1`, EMOJI_ATTRIBUTE],
        [`${EMOJI_BODY} 2`, EMOJI_ATTRIBUTE],
      ]);
    });

    it("still refuses a body with a lone surrogate, and says emoji are allowed, as AWS does", async () => {
      const queue = await createQueue();
      const allowedSet = expect.stringMatching(/#x20 to #xD7FF \| #xE000 to #xFFFD \| #x10000 to #x10FFFF/);
      // fauxqs names the error by its legacy query code, AWS by its JSON one: both end the same.
      await expect(
        clients.sqs.send(new SendMessageCommand({ QueueUrl: queue.url, MessageBody: "half \uD83D pair" })),
      ).rejects.toMatchObject({
        name: expect.stringMatching(/InvalidMessageContents$/),
        message: allowedSet,
      });
      const { Failed = [] } = await clients.sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: queue.url,
          Entries: [{ Id: "lone", MessageBody: "half \uDE00 pair" }],
        }),
      );
      expect(Failed).toMatchObject([{ Id: "lone", Code: "InvalidMessageContents", Message: allowedSet }]);
      expect(await drain(clients.sqs, queue.url)).toEqual([]);
    });
  });

  describe("an SNS subscription whose queue is deleted", () => {
    const attributes = { jobType: { DataType: "String", StringValue: "echo" } };

    async function subscribeThenDeleteQueue() {
      const { TopicArn = "" } = await clients.sns.send(
        new CreateTopicCommand({ Name: `fixes-${randomUUID()}` }),
      );
      const queue = await createQueue();
      const dlq = await createQueue();
      await clients.sns.send(
        new SubscribeCommand({
          TopicArn,
          Protocol: "sqs",
          Endpoint: queue.arn,
          Attributes: {
            RawMessageDelivery: "true",
            RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn }),
          },
        }),
      );
      await clients.sqs.send(new DeleteQueueCommand({ QueueUrl: queue.url }));
      return { topicArn: TopicArn, dlqUrl: dlq.url };
    }

    it.each([
      {
        via: "Publish",
        publish: (topicArn: string, body: string) =>
          clients.sns.send(
            new PublishCommand({ TopicArn: topicArn, Message: body, MessageAttributes: attributes }),
          ),
      },
      {
        via: "PublishBatch",
        publish: (topicArn: string, body: string) =>
          clients.sns.send(
            new PublishBatchCommand({
              TopicArn: topicArn,
              PublishBatchRequestEntries: [{ Id: "only", Message: body, MessageAttributes: attributes }],
            }),
          ),
      },
    ])(
      "sends a message published with $via to the subscription's DLQ, body and attributes intact",
      async ({ publish }) => {
        const { topicArn, dlqUrl } = await subscribeThenDeleteQueue();
        const body = JSON.stringify({ id: randomUUID(), text: "undeliverable" });
        await publish(topicArn, body);
        const dead = await drain(clients.sqs, dlqUrl, 1);
        expect(dead).toHaveLength(1);
        expect(dead[0]?.Body).toBe(body);
        // AWS adds its own attributes (ErrorCode and others) saying why the message was redriven.
        expect(dead[0]?.MessageAttributes).toMatchObject(attributes);
      },
    );
  });
});
