import type {
  BatchResultErrorEntry,
  MessageAttributeValue,
  PublishBatchRequestEntry,
  PublishBatchResultEntry,
  SNSClient,
} from "@aws-sdk/client-sns";
import { type RetryPolicy, waitBeforeRetry } from "./backoff.ts";
import { notPublished, type PreparedMessage, type PublishOutcome, published } from "./publish-outcome.ts";
import { loadSnsCommands } from "./sns-commands.ts";
import { isTransientAwsError } from "./transient.ts";

export interface BatchAnswer {
  readonly Successful?: readonly PublishBatchResultEntry[] | undefined;
  readonly Failed?: readonly BatchResultErrorEntry[] | undefined;
}

/** What one `PublishBatch` answer means for each entry sent: done, refused for good, or to be sent again. */
export interface BatchVerdict {
  readonly outcomes: ReadonlyMap<PreparedMessage, PublishOutcome>;
  readonly retry: readonly PreparedMessage[];
}

/**
 * Reads a `PublishBatch` answer for `sent` (entry ids are their indexes). A sender fault (an entry SNS
 * will never take: too large, a bad attribute) fails at once; a service fault is retried until the last
 * attempt. An entry the answer does not mention may or may not have been sent: it is sent again, risking a
 * duplicate that consumers tolerate, rather than left without an outcome.
 */
export function judgeBatchAnswer(
  sent: readonly PreparedMessage[],
  answer: BatchAnswer,
  lastAttempt: boolean,
): BatchVerdict {
  const outcomes = new Map<PreparedMessage, PublishOutcome>();
  const retry: PreparedMessage[] = [];
  for (const entry of answer.Successful ?? []) {
    const message = sent[Number(entry.Id)];
    if (message) outcomes.set(message, published(message, entry.MessageId ?? ""));
  }
  for (const entry of answer.Failed ?? []) {
    const message = sent[Number(entry.Id)];
    if (!message || outcomes.has(message)) continue;
    if (entry.SenderFault || lastAttempt) {
      outcomes.set(
        message,
        notPublished(
          message.jobId,
          message.type,
          `SNS refused the entry: ${entry.Code}: ${entry.Message ?? ""}`,
        ),
      );
    } else {
      retry.push(message);
    }
  }
  for (const message of sent) {
    if (outcomes.has(message) || retry.includes(message)) continue;
    if (lastAttempt) {
      outcomes.set(
        message,
        notPublished(message.jobId, message.type, "SNS answered without a result for this entry"),
      );
    } else {
      retry.push(message);
    }
  }
  return { outcomes, retry };
}

/** The ids a FIFO topic needs on each entry of an ordered type's job; none for a standard type's. */
export function fifoEntryIds(message: PreparedMessage) {
  return message.fifo
    ? {
        MessageGroupId: message.fifo.messageGroupId,
        MessageDeduplicationId: message.fifo.messageDeduplicationId,
      }
    : {};
}

/** A PublishBatch request's entries: each job with its attributes and, for an ordered type, its FIFO ids. */
export function batchEntries(messages: readonly PreparedMessage[]): PublishBatchRequestEntry[] {
  return messages.map((message, index) => ({
    Id: String(index),
    Message: message.body,
    MessageAttributes: message.attributes as Record<string, MessageAttributeValue>,
    ...fifoEntryIds(message),
  }));
}

/** Sends one packed batch, retrying only the entries SNS could not take, with backoff. */
export async function sendBatch(
  sns: SNSClient,
  topicArn: string,
  batch: readonly PreparedMessage[],
  retryPolicy: RetryPolicy,
): Promise<Map<PreparedMessage, PublishOutcome>> {
  const outcomes = new Map<PreparedMessage, PublishOutcome>();
  const { PublishBatchCommand } = await loadSnsCommands();
  let pending = batch;
  for (let attempt = 1; pending.length > 0; attempt++) {
    const lastAttempt = attempt >= retryPolicy.attempts;
    try {
      const answer = await sns.send(
        new PublishBatchCommand({
          TopicArn: topicArn,
          PublishBatchRequestEntries: batchEntries(pending),
        }),
      );
      const verdict = judgeBatchAnswer(pending, answer, lastAttempt);
      for (const [message, outcome] of verdict.outcomes) outcomes.set(message, outcome);
      pending = verdict.retry;
    } catch (error) {
      if (lastAttempt || !isTransientAwsError(error)) {
        for (const message of pending)
          outcomes.set(message, notPublished(message.jobId, message.type, error));
        return outcomes;
      }
    }
    if (pending.length > 0) await waitBeforeRetry(retryPolicy, attempt);
  }
  return outcomes;
}
