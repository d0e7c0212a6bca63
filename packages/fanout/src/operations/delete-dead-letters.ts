import {
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import { MAX_RECEIVE_MESSAGES } from "../core/sqs-limits.ts";
import { release } from "./peek.ts";
import type { QueueAddress } from "./queue-address.ts";

/** Long enough to delete a batch; what is held meanwhile reappears after this if the process dies. */
const HOLD_SECONDS = 60;
const EMPTY_RECEIVES_TO_GIVE_UP = 2;

export interface DeletedDeadLetters {
  readonly deleted: number;
  /** Ids asked for that were not found: redriven, deleted or expired meanwhile. */
  readonly missing: readonly string[];
}

/**
 * Deletes the messages of a DLQ with these ids for good. SQS cannot address a message by id, so the queue is
 * received until every id was seen; the others are held meanwhile and made visible again at the end.
 */
export async function deleteDeadLetters(
  sqs: SQSClient,
  dlq: QueueAddress,
  messageIds: ReadonlySet<string>,
): Promise<DeletedDeadLetters> {
  const held: Message[] = [];
  const found = new Set<string>();
  let deleted = 0;
  try {
    for (let empty = 0; found.size < messageIds.size && empty < EMPTY_RECEIVES_TO_GIVE_UP; ) {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: dlq.url,
          MaxNumberOfMessages: MAX_RECEIVE_MESSAGES,
          VisibilityTimeout: HOLD_SECONDS,
          WaitTimeSeconds: empty > 0 ? 1 : 0,
        }),
      );
      empty = Messages.length === 0 ? empty + 1 : 0;
      const matched: Message[] = [];
      for (const message of Messages) {
        const id = message.MessageId ?? "";
        if (messageIds.has(id) && !found.has(id)) matched.push(message);
        else held.push(message);
      }
      if (matched.length === 0) continue;
      const answer = await sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: dlq.url,
          Entries: matched.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle ?? "" })),
        }),
      );
      const failed = new Set((answer.Failed ?? []).map((f) => Number(f.Id)));
      matched.forEach((message, i) => {
        if (failed.has(i)) held.push(message);
        else {
          found.add(message.MessageId ?? "");
          deleted += 1;
        }
      });
    }
  } finally {
    await release(sqs, dlq.url, held);
  }
  return { deleted, missing: [...messageIds].filter((id) => !found.has(id)) };
}
