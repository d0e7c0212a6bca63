import type { Message } from "@aws-sdk/client-sqs";
import { isFifoQueue } from "../core/naming.ts";
import type { QueueAddress } from "./queue-address.ts";

/**
 * What a send of a dead letter back to an ordered type's FIFO queue needs: the job's group, which the dead
 * letter kept, so it runs in its group again; and the dead letter's message id as deduplication id, so a
 * redrive repeated within five minutes moves it once. Nothing for a standard queue.
 */
export function redriveFifoIds(to: QueueAddress, message: Message) {
  if (!isFifoQueue(to.url)) return {};
  const id = message.MessageId ?? "";
  return { MessageGroupId: message.Attributes?.MessageGroupId || id, MessageDeduplicationId: id };
}
