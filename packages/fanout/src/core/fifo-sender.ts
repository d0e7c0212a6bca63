import type { SNSClient } from "@aws-sdk/client-sns";
import { type RetryPolicy, waitBeforeRetry } from "./backoff.ts";
import { batchEntries, judgeBatchAnswer } from "./batch-sender.ts";
import { packBatches } from "./batches.ts";
import { SNS_MAX_MESSAGE_BYTES } from "./claim-check.ts";
import type { createLimiter } from "./concurrency.ts";
import { notPublished, type PreparedMessage, type PublishOutcome } from "./publish-outcome.ts";
import { loadSnsCommands } from "./sns-commands.ts";
import { isTransientAwsError } from "./transient.ts";

/**
 * What one `publishMany` call knows about its groups across windows: the groups whose job failed for good, so
 * that their later jobs are not published after it (which would put them ahead of it).
 */
export type FailedGroups = Map<string, string>;

/**
 * Packs one round: the next job of every group, in input order, ten entries and 256 KiB a request. One job per
 * group and round, because SNS answers each entry of a batch on its own and does not promise to refuse an
 * entry that follows a refused one of its group: a later job sent beside a failing one could overtake it.
 * So a group's next job is sent only once its previous one was taken; different groups share the requests.
 */
function packRound(pending: readonly PreparedMessage[]): PreparedMessage[][] {
  const seen = new Set<string>();
  const heads = pending.filter((message) => {
    const group = groupOf(message);
    if (seen.has(group)) return false;
    seen.add(group);
    return true;
  });
  return packBatches(heads, SNS_MAX_MESSAGE_BYTES);
}

function groupOf(message: PreparedMessage): string {
  return message.fifo?.messageGroupId ?? "";
}

/**
 * Publishes the jobs of ordered types to the FIFO topic so that no job overtakes an earlier job of its group,
 * across batches and retries. Rounds of requests: a job SNS could not take for a transient reason is sent again
 * in the next round, and its group's later jobs wait for it; a job refused for good (or after the last
 * attempt) fails, and so do its group's later jobs, unsent, with a reason naming it. Groups are independent.
 */
export async function sendInGroupOrder(
  sns: SNSClient,
  topicArn: string,
  messages: readonly PreparedMessage[],
  retryPolicy: RetryPolicy,
  slot: ReturnType<typeof createLimiter>,
  failedGroups: FailedGroups,
): Promise<Map<PreparedMessage, PublishOutcome>> {
  const outcomes = new Map<PreparedMessage, PublishOutcome>();
  const attempts = new Map<PreparedMessage, number>();
  const { PublishBatchCommand } = await loadSnsCommands();
  let pending = messages.filter((message) => {
    const failedJob = failedGroups.get(groupOf(message));
    if (failedJob !== undefined) outcomes.set(message, heldBack(message, failedJob));
    return failedJob === undefined;
  });
  for (let round = 1; pending.length > 0; round++) {
    const answers = await Promise.all(
      packRound(pending).map(async (batch) => {
        for (const message of batch) attempts.set(message, (attempts.get(message) ?? 0) + 1);
        try {
          const answer = await slot(() =>
            sns.send(
              new PublishBatchCommand({
                TopicArn: topicArn,
                PublishBatchRequestEntries: batchEntries(batch),
              }),
            ),
          );
          return { batch, verdict: judgeBatchAnswer(batch, answer, false) };
        } catch (error) {
          return { batch, error };
        }
      }),
    );
    const retry = new Set<PreparedMessage>();
    for (const answer of answers) {
      if ("error" in answer) {
        for (const message of answer.batch) {
          if (isTransientAwsError(answer.error) && (attempts.get(message) ?? 0) < retryPolicy.attempts)
            retry.add(message);
          else outcomes.set(message, notPublished(message.jobId, message.type, answer.error));
        }
        continue;
      }
      for (const [message, outcome] of answer.verdict.outcomes) outcomes.set(message, outcome);
      for (const message of answer.verdict.retry) {
        if ((attempts.get(message) ?? 0) < retryPolicy.attempts) retry.add(message);
        else
          outcomes.set(
            message,
            notPublished(message.jobId, message.type, "SNS did not take the entry after the last attempt"),
          );
      }
    }
    const next: PreparedMessage[] = [];
    for (const message of pending) {
      const group = groupOf(message);
      const outcome = outcomes.get(message);
      if (outcome) {
        if (!outcome.ok) failedGroups.set(group, message.jobId);
        continue;
      }
      const failedJob = failedGroups.get(group);
      if (failedJob === undefined) next.push(message);
      else outcomes.set(message, heldBack(message, failedJob));
    }
    pending = next;
    if (retry.size > 0 && pending.length > 0) await waitBeforeRetry(retryPolicy, round);
  }
  return outcomes;
}

function heldBack(message: PreparedMessage, failedJobId: string): PublishOutcome {
  return notPublished(
    message.jobId,
    message.type,
    `not sent: job ${failedJobId} of the same group (${groupOf(message)}) was not published, and this job may not overtake it. Publish both again, in order.`,
  );
}
