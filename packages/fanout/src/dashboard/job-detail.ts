import { HttpError } from "../core/errors.ts";
import type { DeadLetter } from "../operations/dead-letters.ts";
import { type HoldingQueue, holdingQueues } from "../operations/holding-queues.ts";
import type { ApiContext } from "./api.ts";
import { findHolding } from "./dead-letter-api.ts";
import type { RecentOutcome } from "./outcomes.ts";

/** A payload is shown up to this many characters; the CLI's `dlq peek --json` has it whole. */
export const PAYLOAD_PREVIEW_CHARS = 20_000;

function payloadText(letter: DeadLetter) {
  const full =
    typeof letter.payload === "string" && letter.decodeError !== null
      ? letter.payload
      : (JSON.stringify(letter.payload, null, 2) ?? "");
  return { text: full.slice(0, PAYLOAD_PREVIEW_CHARS), truncated: full.length > PAYLOAD_PREVIEW_CHARS };
}

function attemptsOf(context: ApiContext, jobId: string | null) {
  if (context.outcomes) {
    return { attempts: jobId ? context.outcomes.attempts(jobId) : [], attemptsNote: null };
  }
  const query = `fields @timestamp, outcome, attempt, durationMs, reason | filter jobId = "${jobId ?? "…"}" | sort @timestamp asc`;
  return {
    attempts: null,
    attemptsNote:
      context.target === "aws"
        ? `Each attempt is a log line of the job type's function: CloudWatch Logs Insights on /aws/lambda/${context.topology.app}-<job type>: ${query}`
        : "Attempts come from the local runners: start the dashboard with the local cloud (fanout start).",
  };
}

interface ChainLink {
  readonly jobId: string;
  readonly jobType: string | null;
  /** The last thing known of it: an outcome of the runners, or "dead-lettered" for a letter in a DLQ. */
  readonly outcome: string;
  readonly at: string | null;
}

/** The jobs that share the correlation id: the first job's id, and every follow-up published from them. */
function chainOf(context: ApiContext, correlationId: string | null, jobId: string | null) {
  const id = correlationId ?? jobId;
  if (!id) return null;
  const links = new Map<string, ChainLink>();
  for (const other of context.outcomes?.correlated(id) ?? []) {
    const last = context.outcomes?.attempts(other).at(-1);
    if (last) links.set(other, { jobId: other, jobType: last.jobType, outcome: last.outcome, at: last.at });
  }
  for (const holding of holdingQueues(context.topology)) {
    for (const letter of context.deadLetters.cached(holding.queueName)?.letters ?? []) {
      if (letter.jobId && (letter.correlationId ?? letter.jobId) === id && !links.has(letter.jobId)) {
        links.set(letter.jobId, {
          jobId: letter.jobId,
          jobType: letter.type,
          outcome: holding.kind === "dead-letters" ? "dead-lettered" : holding.kind,
          at: letter.failedAt,
        });
      }
    }
  }
  // A job published without a correlation id is the root of its chain: its own id is the chain's.
  return { id, rootJobId: id, jobs: [...links.values()] };
}

function detail(
  context: ApiContext,
  jobId: string | null,
  found: { letter: DeadLetter; holding: HoldingQueue } | undefined,
  attempts: readonly RecentOutcome[] | null,
) {
  const letter = found?.letter;
  const lastAttempt = attempts?.at(-1);
  const correlationId = letter?.correlationId ?? lastAttempt?.correlationId ?? null;
  const payload = letter ? payloadText(letter) : null;
  return {
    jobId,
    jobType: letter?.type ?? lastAttempt?.jobType ?? null,
    envelope: letter?.jobId
      ? {
          id: letter.jobId,
          type: letter.type,
          createdAt: letter.createdAt,
          correlationId: letter.correlationId,
        }
      : null,
    deadLetter: letter
      ? {
          dlq: found.holding.queueName,
          kind: found.holding.kind,
          consumer: found.holding.consumer,
          messageId: letter.messageId,
          errorCode: letter.errorCode,
          reason: letter.reason,
          attempts: letter.attempts,
          dlqReads: letter.receiveCount,
          failedAt: letter.failedAt,
          offloaded: letter.offloaded,
          decodeError: letter.decodeError,
          payloadText: payload?.text ?? "",
          payloadTruncated: payload?.truncated ?? false,
        }
      : null,
    chain: chainOf(context, correlationId, jobId),
  };
}

/** One dead letter in full: its job, its payload with pointers resolved, its attempts and its chain. */
export async function letterDetail(
  context: ApiContext,
  consumer: string,
  messageId: string,
  source: string | null,
) {
  const holding = findHolding(context, consumer, source);
  await context.deadLetters.read(holding.queueName);
  const letter = await context.deadLetters.decode(holding.queueName, messageId);
  if (!letter) {
    throw new HttpError(
      404,
      `Dead letter ${messageId} is not in ${holding.queueName} any more; reload the list.`,
    );
  }
  const { attempts, attemptsNote } = attemptsOf(context, letter.jobId);
  return { ...detail(context, letter.jobId, { letter, holding }, attempts), attempts, attemptsNote };
}

/** Any job the dashboard knows: from the runners' outcomes, or a DLQ it has read. */
export async function jobDetail(context: ApiContext, jobId: string) {
  let found: { letter: DeadLetter; holding: HoldingQueue } | undefined;
  for (const holding of holdingQueues(context.topology)) {
    const indexed = context.deadLetters.cached(holding.queueName)?.letters.find((l) => l.jobId === jobId);
    const letter = indexed && (await context.deadLetters.decode(holding.queueName, indexed.messageId));
    if (letter) {
      found = { letter, holding };
      break;
    }
  }
  const { attempts, attemptsNote } = attemptsOf(context, jobId);
  if (!found && (attempts === null || attempts.length === 0)) {
    throw new HttpError(
      404,
      `Job ${jobId} is neither among the local runners' recent jobs nor in a DLQ the dashboard has read; open its DLQ first.`,
    );
  }
  return { ...detail(context, jobId, found, attempts), attempts, attemptsNote };
}
