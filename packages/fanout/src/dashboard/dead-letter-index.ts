import { GetQueueAttributesCommand, type Message } from "@aws-sdk/client-sqs";
import type { PayloadReader } from "../core/payload-store.ts";
import { type DeadLetter, decodeDeadLetter } from "../operations/dead-letters.ts";
import { peekMessages } from "../operations/peek.ts";
import type { QueueReader } from "../operations/queue-status.ts";
import { compareLetters, type IndexedLetter, indexLetter } from "./dead-letter-page.ts";
import type { KeyedLock } from "./lock.ts";

/** A DLQ deeper than this is indexed this far: groups, pages and search then cover the oldest ones. */
export const MAX_INDEXED_LETTERS = 10_000;
/**
 * An index older than this is read again when next asked for, even at the same depth: another reader may have
 * deleted some dead letters and the consumer added as many.
 */
const MAX_AGE_MS = 60_000;
/** Pointers resolved at once while a DLQ is read. */
const DECODE_CONCURRENCY = 16;

export interface IndexedQueue {
  /** Sorted by `compareLetters`. */
  readonly letters: readonly IndexedLetter[];
  /** The received messages, for a letter's detail (its whole payload, read again from S3 if offloaded). */
  readonly messages: ReadonlyMap<string, Message>;
  readonly readAt: number;
  /** Messages in the DLQ (visible and held) when it was read. */
  readonly depth: number;
  /** Letters that could not be made visible again after the read; they reappear after the peek's timeout. */
  readonly unreleased: number;
}

export interface DeadLetterIndexOptions {
  readonly reader: QueueReader;
  readonly payloads: PayloadReader;
  readonly topicArn: () => Promise<string>;
  /** Held around every read of a DLQ, shared with the sampler and the actions. */
  readonly lock: KeyedLock;
  readonly maxLetters?: number;
}

async function mapLimited<T, U>(
  items: readonly T[],
  limit: number,
  map: (item: T) => Promise<U>,
): Promise<U[]> {
  const results = new Array<U>(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await map(items[i] as T);
    }
  });
  await Promise.all(lanes);
  return results;
}

/**
 * Every DLQ the page looked at, read once and kept: pages, groups and search are answered from here, and a
 * DLQ is received again only when its depth changed, after a minute, when an operator asks (Reload), or after
 * an action. So looking at dead letters does not make SQS count receive after receive of them.
 */
export class DeadLetterIndex {
  readonly #options: DeadLetterIndexOptions;
  readonly #queues = new Map<string, IndexedQueue>();

  constructor(options: DeadLetterIndexOptions) {
    this.#options = options;
  }

  /** The DLQ's letters: as indexed if recent and at the same depth (and `fresh` is not asked for), else read again. */
  async read(queueName: string, options: { readonly fresh?: boolean } = {}): Promise<IndexedQueue> {
    const { reader, lock } = this.#options;
    return lock.run(queueName, async () => {
      const { url } = await reader.queue(queueName);
      const depth = await this.#depth(url);
      const known = this.#queues.get(queueName);
      const current = known && Date.now() - known.readAt < MAX_AGE_MS && known.depth === depth;
      if (current && !options.fresh) return known;
      const indexed = await this.#readAll(url, depth);
      this.#queues.set(queueName, indexed);
      return indexed;
    });
  }

  /** What the index holds for a DLQ, without reading it. */
  cached(queueName: string): IndexedQueue | undefined {
    return this.#queues.get(queueName);
  }

  /** Forgets letters an action moved or deleted, so the page need not read the DLQ again to drop them. */
  remove(queueName: string, messageIds: Iterable<string>): void {
    const known = this.#queues.get(queueName);
    if (!known) return;
    const gone = new Set(messageIds);
    const letters = known.letters.filter((l) => !gone.has(l.messageId));
    const messages = new Map([...known.messages].filter(([id]) => !gone.has(id)));
    const removed = known.letters.length - letters.length;
    this.#queues.set(queueName, { ...known, letters, messages, depth: Math.max(0, known.depth - removed) });
  }

  /** The next read of the DLQ receives it again (after a redrive of all, or a purge). */
  invalidate(queueName: string): void {
    this.#queues.delete(queueName);
  }

  /** A letter's full decoded form, its payload whole (offloaded ones read from S3 again; SQS is not asked). */
  async decode(queueName: string, messageId: string): Promise<DeadLetter | undefined> {
    const message = this.#queues.get(queueName)?.messages.get(messageId);
    if (!message) return undefined;
    return decodeDeadLetter(message, {
      payloads: this.#options.payloads,
      topicArn: await this.#options.topicArn(),
    });
  }

  async #depth(url: string): Promise<number> {
    const { Attributes = {} } = await this.#options.reader.sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: url,
        AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
      }),
    );
    return (
      Number(Attributes.ApproximateNumberOfMessages ?? 0) +
      Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0)
    );
  }

  async #readAll(url: string, depth: number): Promise<IndexedQueue> {
    const { reader, payloads } = this.#options;
    const peeked = await peekMessages(reader.sqs, url, this.#options.maxLetters ?? MAX_INDEXED_LETTERS);
    // A read that outlasts the peek's visibility timeout sees some messages twice: one each.
    const messages = new Map<string, Message>();
    for (const message of peeked.messages) {
      const { ReceiptHandle: _, ...kept } = message;
      messages.set(message.MessageId ?? "", kept);
    }
    const now = Date.now();
    const topicArn = messages.size > 0 ? await this.#options.topicArn() : "";
    const letters = await mapLimited([...messages.values()], DECODE_CONCURRENCY, async (message) =>
      indexLetter(
        await decodeDeadLetter(message, { payloads, topicArn, now }),
        Number(message.Attributes?.SentTimestamp ?? 0),
      ),
    );
    letters.sort(compareLetters);
    return {
      letters,
      messages,
      readAt: now,
      depth: Math.max(depth, letters.length),
      unreleased: peeked.unreleased,
    };
  }
}
