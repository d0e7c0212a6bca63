import { type Message, PurgeQueueCommand } from "@aws-sdk/client-sqs";
import { DeadLetterNotFoundError, HttpError } from "../core/errors.ts";
import { subscriptions } from "../core/topology.ts";
import { deleteDeadLetters } from "../operations/delete-dead-letters.ts";
import { byMessageId } from "../operations/find-dead-letter.ts";
import { describeHolding, type HoldingQueue, holdingQueue } from "../operations/holding-queues.ts";
import { moveMessages } from "../operations/redrive.ts";
import { redriveEdited } from "../operations/redrive-edited.ts";
import { jobTypeOf, redriveHolding, workerQueues } from "../operations/redrive-holding.ts";
import { deleteDeadLetter, redriveMessage } from "../operations/redrive-one.ts";
import type { ApiContext } from "./api.ts";
import { filterLetters, groupLetters, type IndexedLetter, pageOf } from "./dead-letter-page.ts";

const DEFAULT_PAGE_SIZE = 50;
const MAX_PAGE_SIZE = 200;

/** `?source=undelivered` picks a subscription's DLQ instead of the consumer's own DLQ. */
export function findHolding(context: ApiContext, consumer: string, source: string | null): HoldingQueue {
  if (source !== null && source !== "undelivered") {
    throw new HttpError(400, `source must be "undelivered" or absent; got "${source}".`);
  }
  const holding = holdingQueue(context.topology, consumer, source === "undelivered");
  if (!holding) {
    const known = subscriptions(context.topology).map((q) => q.consumer);
    throw new HttpError(404, `Unknown job type "${consumer}". Known: ${known.join(", ")}.`);
  }
  return holding;
}

/** A letter as the list shows it, its age as of now. */
function listed(letter: IndexedLetter, now: number) {
  const { searchText: _, ...shown } = letter;
  return { ...shown, ageSeconds: letter.sentAt > 0 ? (now - letter.sentAt) / 1000 : letter.ageSeconds };
}

export interface DeadLetterQuery {
  readonly cursor: string | null;
  readonly size: string | null;
  readonly group: string | null;
  readonly search: string | null;
  /** Read the DLQ again even if its depth did not change (the page's Reload). */
  readonly fresh: boolean;
}

export async function deadLetters(
  context: ApiContext,
  consumer: string,
  source: string | null,
  query: DeadLetterQuery,
) {
  const holding = findHolding(context, consumer, source);
  const size = query.size === null ? DEFAULT_PAGE_SIZE : Number(query.size);
  if (!Number.isInteger(size) || size < 1 || size > MAX_PAGE_SIZE) {
    throw new HttpError(400, `size must be a whole number from 1 to ${MAX_PAGE_SIZE}.`);
  }
  const indexed = await context.deadLetters.read(holding.queueName, { fresh: query.fresh });
  const matching = filterLetters(indexed.letters, {
    group: query.group ?? undefined,
    search: query.search ?? undefined,
  });
  const page = pageOf(matching, query.cursor, size);
  const now = Date.now();
  return {
    consumer,
    kind: holding.kind,
    what: describeHolding(holding),
    dlq: holding.queueName,
    queue: holding.redriveTo === "by-type" ? null : holding.redriveTo,
    // What "redrive all" and "purge" act on is the whole queue, so the count shown is the queue's.
    depth: indexed.depth,
    indexed: indexed.letters.length,
    readAt: new Date(indexed.readAt).toISOString(),
    unreleased: indexed.unreleased,
    groups: groupLetters(indexed.letters),
    matching: matching.length,
    page: { size, from: page.from, next: page.next },
    deadLetters: page.letters.map((letter) => listed(letter, now)),
  };
}

async function addresses(context: ApiContext, holding: HoldingQueue) {
  if (holding.redriveTo === "by-type") {
    throw new HttpError(
      400,
      "An unrouted job is redriven to its type's queue: use “Redrive all” or a group's redrive, which send each to its own.",
    );
  }
  const [from, to] = await Promise.all([
    context.reader.queue(holding.queueName),
    context.reader.queue(holding.redriveTo),
  ]);
  return { from, to };
}

/** Runs an action on a holding queue; one that finds the index out of date has it read again next time. */
function acting<T>(context: ApiContext, holding: HoldingQueue, task: () => Promise<T>): Promise<T> {
  return context.lock.run(holding.queueName, task).catch((error: unknown) => {
    if (error instanceof DeadLetterNotFoundError) context.deadLetters.invalidate(holding.queueName);
    throw error;
  });
}

async function settled<T>(context: ApiContext, holding: HoldingQueue, result: T, gone: Iterable<string>) {
  context.deadLetters.remove(holding.queueName, gone);
  await context.sampler.sampleNow();
  return result;
}

export async function redriveAll(context: ApiContext, consumer: string, source: string | null) {
  const holding = findHolding(context, consumer, source);
  const result = await context.lock.run(holding.queueName, () =>
    redriveHolding(context.reader.sqs, context.topology, holding, context.reader.queue),
  );
  context.deadLetters.invalidate(holding.queueName);
  await context.sampler.sampleNow();
  return result;
}

export async function redriveOne(
  context: ApiContext,
  consumer: string,
  messageId: string,
  source: string | null,
) {
  const holding = findHolding(context, consumer, source);
  const { from, to } = await addresses(context, holding);
  const result = await acting(context, holding, () =>
    redriveMessage(context.reader.sqs, from, to, byMessageId(messageId)),
  );
  return settled(context, holding, result, [messageId]);
}

export async function deleteOne(
  context: ApiContext,
  consumer: string,
  messageId: string,
  source: string | null,
) {
  const holding = findHolding(context, consumer, source);
  const from = await context.reader.queue(holding.queueName);
  await acting(context, holding, () => deleteDeadLetter(context.reader.sqs, from, byMessageId(messageId)));
  return settled(context, holding, { deleted: 1, messageId, from: from.name }, [messageId]);
}

function groupIds(context: ApiContext, holding: HoldingQueue, groupId: string): Set<string> {
  const indexed = context.deadLetters.cached(holding.queueName);
  const ids = new Set(indexed?.letters.filter((l) => l.groupId === groupId).map((l) => l.messageId));
  if (ids.size === 0) {
    throw new HttpError(404, "That reason group is not among the dead letters any more; reload the page.");
  }
  return ids;
}

/** Redrives or deletes every dead letter of one reason group (as the index last read it). */
export async function groupAction(
  context: ApiContext,
  consumer: string,
  groupId: string,
  action: "redrive" | "delete",
  source: string | null,
) {
  const holding = findHolding(context, consumer, source);
  const ids = groupIds(context, holding, groupId);
  const from = await context.reader.queue(holding.queueName);
  const sqs = context.reader.sqs;
  if (action === "delete") {
    const result = await context.lock.run(holding.queueName, () => deleteDeadLetters(sqs, from, ids));
    return settled(context, holding, { ...result, from: from.name }, ids);
  }
  const destination =
    holding.redriveTo === "by-type"
      ? await workerQueues(context.topology, context.reader.queue).then(
          (workers) => (message: Message) => workers.get(jobTypeOf(message) ?? ""),
        )
      : await context.reader.queue(holding.redriveTo).then((to) => () => to);
  const result = await context.lock.run(holding.queueName, () =>
    moveMessages(sqs, from, (message) =>
      ids.has(message.MessageId ?? "") ? destination(message) : undefined,
    ),
  );
  context.deadLetters.invalidate(holding.queueName);
  await context.sampler.sampleNow();
  return { moved: result.moved, from: result.from, duplicates: result.duplicates };
}

/** Sends one dead letter back with a corrected payload, once the job's schema accepts it. */
export async function editAndRedrive(
  context: ApiContext,
  consumer: string,
  messageId: string,
  body: unknown,
) {
  const holding = findHolding(context, consumer, null);
  const worker = context.topology.workers.find((w) => w.consumer === consumer);
  if (holding.kind !== "dead-letters" || !worker) {
    throw new HttpError(
      400,
      `Only the dead letters of a job type's own DLQ can be edited; ${consumer} has none.`,
    );
  }
  if (typeof body !== "object" || body === null || !("payload" in body)) {
    throw new HttpError(400, 'Send the corrected job as JSON: {"payload": …}.');
  }
  const { from, to } = await addresses(context, holding);
  const topicArn = await context.topicArn();
  const result = await acting(context, holding, () =>
    redriveEdited(context.reader.sqs, from, to, messageId, {
      job: worker.job,
      payload: body.payload,
      payloads: context.payloads,
      topicArn,
    }),
  );
  return settled(context, holding, result, [messageId]);
}

/** Empties a holding queue for good; the page has the operator type its name and count first. */
export async function purge(context: ApiContext, consumer: string, source: string | null) {
  const holding = findHolding(context, consumer, source);
  const from = await context.reader.queue(holding.queueName);
  const before = context.deadLetters.cached(holding.queueName)?.depth ?? null;
  await context.lock.run(holding.queueName, () =>
    context.reader.sqs.send(new PurgeQueueCommand({ QueueUrl: from.url })),
  );
  context.deadLetters.invalidate(holding.queueName);
  await context.sampler.sampleNow();
  return { purged: before, queue: from.name };
}
