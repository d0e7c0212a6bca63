import { BatchProcessor, EventType, processPartialResponse } from "@aws-lambda-powertools/batch";
import { Logger } from "@aws-lambda-powertools/logger";
import type { SNSClient, MessageAttributeValue as SnsAttribute } from "@aws-sdk/client-sns";
import type { SQSClient, MessageAttributeValue as SqsAttribute } from "@aws-sdk/client-sqs";
import type { SQSRecord } from "aws-lambda";
import { DUE_AT_ATTRIBUTE, relayStep } from "../core/delay.ts";
import { ConfigurationError, MalformedMessageError } from "../core/errors.ts";
import { DELAY_QUEUE_VARIABLE, TOPIC_ARN_VARIABLE } from "../core/function-environment.ts";
import { lazyAwsClients } from "../core/lazy-aws-clients.ts";
import { DELAYED } from "../core/naming.ts";
import { loadSnsCommands } from "../core/sns-commands.ts";
import type { SqsHandler } from "./job-handler.ts";

export interface DelayRelayOptions {
  readonly sns?: SNSClient;
  readonly sqs?: SQSClient;
  readonly topicArn?: string;
  readonly delayQueueUrl?: string;
  readonly now?: () => number;
}

function required(value: string | undefined, variable: string): string {
  if (!value) throw new ConfigurationError(`${variable} is not set; the stack and the local runner set it.`);
  return value;
}

/** The record's attributes as SQS and SNS take them, without the due time (Fanout uses String and Number only). */
function attributesOf(record: SQSRecord): Record<string, { DataType: string; StringValue: string }> {
  const attributes: Record<string, { DataType: string; StringValue: string }> = {};
  for (const [name, value] of Object.entries(record.messageAttributes ?? {})) {
    if (name === DUE_AT_ATTRIBUTE || value.stringValue === undefined) continue;
    attributes[name] = { DataType: value.dataType, StringValue: value.stringValue };
  }
  return attributes;
}

/**
 * The function behind the delay queue. A job not yet due goes back to the queue with the time that remains
 * (at most 15 minutes a hop); a due one is published to the topic, body and attributes as its producer made
 * them, so the filter policies route it and its worker receives it for the first time. A failure here is the
 * relay's, retried by the delay queue and then kept in its DLQ; it never counts against the job's receives.
 */
export function createDelayRelay(options: DelayRelayOptions = {}): SqsHandler {
  const logger = new Logger({ serviceName: DELAYED });
  const processor = new BatchProcessor(EventType.SQS);
  const clients = lazyAwsClients();
  const sns = options.sns ? async () => options.sns as SNSClient : clients.sns;
  const sqs = options.sqs ? async () => options.sqs as SQSClient : clients.sqs;
  const now = options.now ?? Date.now;

  async function relay(record: SQSRecord): Promise<void> {
    const dueAt = Number(record.messageAttributes?.[DUE_AT_ATTRIBUTE]?.stringValue);
    if (!Number.isFinite(dueAt)) {
      throw new MalformedMessageError(
        `Message ${record.messageId} of the delay queue has no ${DUE_AT_ATTRIBUTE} attribute; only Fanout's publisher sends there.`,
      );
    }
    const step = relayStep(dueAt, now());
    const attributes = attributesOf(record);
    if (step.publish) {
      const { PublishCommand } = await loadSnsCommands();
      await (await sns()).send(
        new PublishCommand({
          TopicArn: required(options.topicArn ?? process.env[TOPIC_ARN_VARIABLE], TOPIC_ARN_VARIABLE),
          Message: record.body,
          MessageAttributes: attributes as Record<string, SnsAttribute>,
        }),
      );
      logger.debug("published a delayed job that came due", { messageId: record.messageId, dueAt });
      return;
    }
    const { SendMessageCommand } = await import("@aws-sdk/client-sqs");
    await (await sqs()).send(
      new SendMessageCommand({
        QueueUrl: required(options.delayQueueUrl ?? process.env[DELAY_QUEUE_VARIABLE], DELAY_QUEUE_VARIABLE),
        MessageBody: record.body,
        DelaySeconds: step.delaySeconds,
        MessageAttributes: {
          ...(attributes as Record<string, SqsAttribute>),
          [DUE_AT_ATTRIBUTE]: { DataType: "Number", StringValue: String(dueAt) },
        },
      }),
    );
  }

  return async (event, context) => {
    logger.addContext(context);
    return processPartialResponse(event, relay, processor, { context, throwOnFullBatchFailure: false });
  };
}
