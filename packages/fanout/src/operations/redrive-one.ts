import {
  DeleteMessageCommand,
  type Message,
  type MessageAttributeValue,
  SendMessageCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import { redriveFifoIds } from "./fifo-send.ts";
import { type SoughtDeadLetter, withDeadLetter } from "./find-dead-letter.ts";
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

/**
 * Moves one dead letter back to its source queue without the failure attributes. The original is deleted
 * only after the source queue accepted the copy.
 */
export async function redriveMessage(
  sqs: SQSClient,
  dlq: QueueAddress,
  source: QueueAddress,
  sought: SoughtDeadLetter,
): Promise<RedriveOneResult> {
  return withDeadLetter(sqs, dlq, sought, (found) =>
    sendBack(sqs, dlq, source, found, found.Body ?? "", redrivenAttributes(found)),
  );
}

/**
 * Sends a received dead letter's job to its source queue as `body` (its FIFO group kept), then deletes the
 * dead letter: only after the source queue accepted the copy.
 */
export async function sendBack(
  sqs: SQSClient,
  dlq: QueueAddress,
  source: QueueAddress,
  found: Message,
  body: string,
  attributes: Record<string, MessageAttributeValue>,
): Promise<RedriveOneResult> {
  const sent = await sqs.send(
    new SendMessageCommand({
      QueueUrl: source.url,
      MessageBody: body,
      MessageAttributes: attributes,
      ...redriveFifoIds(source, found),
    }),
  );
  let duplicate = false;
  try {
    await sqs.send(new DeleteMessageCommand({ QueueUrl: dlq.url, ReceiptHandle: found.ReceiptHandle ?? "" }));
  } catch {
    // The copy is in the source queue; the original reappears in the DLQ and may be redriven again.
    duplicate = true;
  }
  return {
    messageId: found.MessageId ?? "",
    from: dlq.name,
    to: source.name,
    newMessageId: sent.MessageId ?? "",
    duplicate,
  };
}

/** Deletes one dead letter for good, and returns it as it was. */
export async function deleteDeadLetter(
  sqs: SQSClient,
  dlq: QueueAddress,
  sought: SoughtDeadLetter,
): Promise<Message> {
  return withDeadLetter(sqs, dlq, sought, async (found) => {
    await sqs.send(new DeleteMessageCommand({ QueueUrl: dlq.url, ReceiptHandle: found.ReceiptHandle ?? "" }));
    return found;
  });
}
