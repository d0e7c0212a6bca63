import { type Message, ReceiveMessageCommand, type SQSClient } from "@aws-sdk/client-sqs";
import { DeadLetterNotFoundError } from "../core/errors.ts";
import type { PayloadReader } from "../core/payload-store.ts";
import { MAX_RECEIVE_MESSAGES } from "../core/sqs-limits.ts";
import { decodeDeadLetter } from "./dead-letters.ts";
import { release } from "./peek.ts";
import type { QueueAddress } from "./queue-address.ts";

/** Whether a received dead letter is the one sought. */
export type DeadLetterMatch = (message: Message) => Promise<boolean> | boolean;

/** Long enough to act on the one found; a crash in between leaves it in the DLQ after this. */
const HOLD_SECONDS = 30;
/** Every dead letter looked at is held until the search ends, so a DLQ deeper than this is searched only this far. */
const MAX_SEARCHED = 1_000;
/** Empty answers in a row before giving up: SQS may answer empty while messages exist. */
const EMPTY_RECEIVES_TO_GIVE_UP = 2;

/** What a search looks for: how to recognise it, and how an error names it. */
export interface SoughtDeadLetter {
  readonly match: DeadLetterMatch;
  readonly name: string;
}

export function byMessageId(messageId: string): SoughtDeadLetter {
  return { match: (message) => message.MessageId === messageId, name: `Dead letter ${messageId}` };
}

/**
 * A dead letter by its job's id (read as `dlq peek` reads it, pointers resolved) or its SQS message id;
 * `jobId()` then tells the job id of the one found.
 */
export function byJobOrMessageId(
  id: string,
  options: { readonly payloads: PayloadReader; readonly topicArn: string },
): SoughtDeadLetter & { jobId(): string | null } {
  let jobId: string | null = null;
  return {
    name: `The dead letter of ${id}`,
    jobId: () => jobId,
    match: async (message) => {
      const decoded = await decodeDeadLetter(message, options);
      if (message.MessageId !== id && decoded.jobId !== id) return false;
      jobId = decoded.jobId;
      return true;
    },
  };
}

/**
 * Receives the DLQ until `match` accepts a message and hands it to `act`, holding it invisible meanwhile.
 * SQS cannot address a message by id, so every other message looked at is held, then made visible again at
 * once; so is the one found, if `act` fails.
 */
export async function withDeadLetter<T>(
  sqs: SQSClient,
  dlq: QueueAddress,
  sought: SoughtDeadLetter,
  act: (found: Message) => Promise<T>,
): Promise<T> {
  const held: Message[] = [];
  let found: Message | undefined;
  try {
    for (let empty = 0; !found && held.length < MAX_SEARCHED && empty < EMPTY_RECEIVES_TO_GIVE_UP; ) {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: dlq.url,
          MaxNumberOfMessages: MAX_RECEIVE_MESSAGES,
          VisibilityTimeout: HOLD_SECONDS,
          WaitTimeSeconds: empty > 0 ? 1 : 0,
          MessageAttributeNames: ["All"],
          MessageSystemAttributeNames: ["All"],
        }),
      );
      empty = Messages.length === 0 ? empty + 1 : 0;
      for (const message of Messages) {
        if (!found && (await sought.match(message))) found = message;
        else held.push(message);
      }
    }
    if (!found) {
      throw new DeadLetterNotFoundError(
        `${sought.name} is not in ${dlq.name} (looked at ${held.length} others): it may have been redriven, deleted or expired already; reload the dead letters.`,
      );
    }
    return await act(found);
  } catch (error) {
    if (found) held.push(found);
    throw error;
  } finally {
    await release(sqs, dlq.url, held);
  }
}
