import {
  ChangeMessageVisibilityBatchCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import { MAX_BATCH_ENTRIES } from "../core/batches.ts";
import { MAX_RECEIVE_MESSAGES } from "../core/sqs-limits.ts";

/** Long enough to read a sample and hand it back; a crash mid-peek hides the messages only this long. */
const PEEK_VISIBILITY_SECONDS = 30;

export interface Peeked {
  readonly messages: readonly Message[];
  /** Messages that could not be made visible again; they reappear after the peek's visibility timeout. */
  readonly unreleased: number;
}

/**
 * Reads up to `limit` messages without consuming them: each stays invisible only while the sample is being
 * taken (so no message is read twice), then all are made visible again at once. A receive counts, so each
 * peeked message's ApproximateReceiveCount goes up by one: never peek a queue whose redrive policy would
 * dead-letter on that count.
 */
export async function peekMessages(sqs: SQSClient, queueUrl: string, limit: number): Promise<Peeked> {
  const messages: Message[] = [];
  let unreleased = 0;
  try {
    while (messages.length < limit) {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: Math.min(MAX_RECEIVE_MESSAGES, limit - messages.length),
          VisibilityTimeout: PEEK_VISIBILITY_SECONDS,
          WaitTimeSeconds: 0,
          MessageAttributeNames: ["All"],
          MessageSystemAttributeNames: ["All"],
        }),
      );
      if (Messages.length === 0) break;
      messages.push(...Messages);
    }
  } finally {
    unreleased = await release(sqs, queueUrl, messages);
  }
  return { messages, unreleased };
}

/** Makes received messages visible again, ten per request. Returns how many could not be. */
export async function release(
  sqs: SQSClient,
  queueUrl: string,
  messages: readonly Message[],
): Promise<number> {
  let failed = 0;
  for (let start = 0; start < messages.length; start += MAX_BATCH_ENTRIES) {
    const batch = messages.slice(start, start + MAX_BATCH_ENTRIES);
    try {
      const response = await sqs.send(
        new ChangeMessageVisibilityBatchCommand({
          QueueUrl: queueUrl,
          Entries: batch.map((m, i) => ({
            Id: String(i),
            ReceiptHandle: m.ReceiptHandle ?? "",
            VisibilityTimeout: 0,
          })),
        }),
      );
      failed += response.Failed?.length ?? 0;
    } catch {
      failed += batch.length;
    }
  }
  return failed;
}
