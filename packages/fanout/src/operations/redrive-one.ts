import {
  DeleteMessageCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import { DeadLetterNotFoundError } from "../core/errors.ts";
import { MAX_RECEIVE_MESSAGES } from "../core/sqs-limits.ts";
import { release } from "./peek.ts";
import type { QueueAddress } from "./queue-address.ts";
import { redrivenAttributes } from "./redrive.ts";

export interface RedriveOneResult {
  readonly messageId: string;
  readonly from: string;
  readonly to: string;
  /** The copy's id in the source queue. */
  readonly newMessageId: string;
  /** True when the copy was sent but the dead letter could not be deleted: it will be redriven twice. */
  readonly duplicate: boolean;
}

/** Long enough to send the copy and delete the original; a crash in between leaves it in the DLQ after this. */
const MOVE_VISIBILITY_SECONDS = 30;
/** Every dead letter looked at is held until the search ends, so a DLQ deeper than this is searched only this far. */
const MAX_SEARCHED = 1_000;
/** Empty answers in a row before giving up: SQS may answer empty while messages exist. */
const EMPTY_RECEIVES_TO_GIVE_UP = 2;

/**
 * Moves one dead letter, found by its SQS message id, back to its source queue without the failure attributes.
 * SQS cannot address a message by id, so the DLQ is received until it turns up; every other message looked at
 * is made visible again at once. The original is deleted only after the source queue accepted the copy.
 */
export async function redriveMessage(
  sqs: SQSClient,
  dlq: QueueAddress,
  source: QueueAddress,
  messageId: string,
): Promise<RedriveOneResult> {
  const held: Message[] = [];
  let found: Message | undefined;
  try {
    for (let empty = 0; !found && held.length < MAX_SEARCHED && empty < EMPTY_RECEIVES_TO_GIVE_UP; ) {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: dlq.url,
          MaxNumberOfMessages: MAX_RECEIVE_MESSAGES,
          VisibilityTimeout: MOVE_VISIBILITY_SECONDS,
          WaitTimeSeconds: empty > 0 ? 1 : 0,
          MessageAttributeNames: ["All"],
        }),
      );
      empty = Messages.length === 0 ? empty + 1 : 0;
      for (const message of Messages) {
        if (message.MessageId === messageId) found = message;
        else held.push(message);
      }
    }
    if (!found) {
      throw new DeadLetterNotFoundError(
        `Dead letter ${messageId} is not in ${dlq.name} (looked at ${held.length} others): it may have been redriven or expired already; reload the dead letters.`,
      );
    }
    const sent = await sqs.send(
      new SendMessageCommand({
        QueueUrl: source.url,
        MessageBody: found.Body ?? "",
        MessageAttributes: redrivenAttributes(found),
      }),
    );
    let duplicate = false;
    try {
      await sqs.send(
        new DeleteMessageCommand({ QueueUrl: dlq.url, ReceiptHandle: found.ReceiptHandle ?? "" }),
      );
    } catch {
      // The copy is in the source queue; the original reappears in the DLQ and may be redriven again.
      duplicate = true;
    }
    return { messageId, from: dlq.name, to: source.name, newMessageId: sent.MessageId ?? "", duplicate };
  } catch (error) {
    // Not moved: the one we found goes back with the rest, visible again at once.
    if (found) held.push(found);
    throw error;
  } finally {
    await release(sqs, dlq.url, held);
  }
}
