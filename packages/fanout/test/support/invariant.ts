import {
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import { DEAD_LETTER_ATTRIBUTES } from "../../src/consumer/dead-letter.ts";
import type { JobOutcome } from "../../src/consumer/outcome.ts";
import { decodeRecord } from "../../src/consumer/record-decoder.ts";
import { toSqsRecord } from "../../src/consumer/sqs-record.ts";
import { decodePointer } from "../../src/core/claim-check.ts";
import { errorMessage } from "../../src/core/errors.ts";
import type { PayloadStore } from "../../src/core/payload-store.ts";
import type { PublishOutcome } from "../../src/core/publisher.ts";
import type { Exchange } from "./fault-proxy.ts";

/**
 * The promise the suite checks after every scenario: every job whose publish reported success is processed at
 * least once or sits in its DLQ, readable, with its reason; no success is reported for a job that was not sent;
 * no pointer travels before its object is written. Duplicates are counted, not hidden.
 */

export interface DeadLetter {
  readonly jobId: string;
  readonly jobType: string;
  /** `FanoutErrorCode`; undefined when SQS moved it by redrive (the function timed out or crashed). */
  readonly code?: string;
  readonly reason?: string;
  readonly body: string;
  readonly attributes: Readonly<Record<string, string>>;
}

export interface InvariantInput {
  /** What `publish`/`publishMany` returned. */
  readonly published: readonly PublishOutcome[];
  /** The runners' outcomes of these jobs. */
  readonly outcomes: readonly JobOutcome[];
  readonly deadLetters: readonly DeadLetter[];
  /** Job ids that reached the audit queue (every job SNS accepted); omit to skip that check. */
  readonly audited?: readonly string[];
  /** What went through the fault proxy; omit to skip the pointer-order check. */
  readonly exchanges?: readonly Exchange[];
}

export interface InvariantReport {
  readonly published: number;
  readonly processed: number;
  readonly deadLettered: number;
  /** Successful publishes neither processed nor dead-lettered. Must be empty. */
  readonly lost: readonly string[];
  /** Reported published but never reached SNS. Must be empty. */
  readonly successNotSent: readonly string[];
  /** Dead letters without a readable payload, or whose reason attributes are incomplete. */
  readonly unreadableDeadLetters: readonly string[];
  /** Dead letters SQS moved by redrive, without the consumer's reason attributes. */
  readonly redrivenWithoutReason: readonly string[];
  /** Pointers that were sent before (or without) a completed write of their object. Must be empty. */
  readonly pointerBeforeObject: readonly string[];
  /** Jobs that ran to completion more than once (at-least-once delivery), with how often. */
  readonly duplicates: Readonly<Record<string, number>>;
  /** Publishes reported failed that reached SNS nonetheless (a lost response): allowed, and counted. */
  readonly failedButSent: number;
}

/** Receives and deletes everything visible in a queue, until it answers empty twice. */
export async function drainAll(sqs: SQSClient, queueUrl: string): Promise<Message[]> {
  const messages: Message[] = [];
  for (let empty = 0; empty < 2; ) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 0,
        MessageAttributeNames: ["All"],
        MessageSystemAttributeNames: ["All"],
        VisibilityTimeout: 300,
      }),
    );
    if (Messages.length === 0) {
      empty++;
      continue;
    }
    empty = 0;
    messages.push(...Messages);
    await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
      }),
    );
  }
  return messages;
}

/** Reads every dead letter the consumer's way: a payload that cannot be read fails the invariant. */
export async function readDeadLetters(
  messages: readonly Message[],
  options: { payloads: PayloadStore; topicArn: string },
): Promise<{ deadLetters: DeadLetter[]; unreadable: string[] }> {
  const deadLetters: DeadLetter[] = [];
  const unreadable: string[] = [];
  for (const message of messages) {
    const attributes = Object.fromEntries(
      Object.entries(message.MessageAttributes ?? {}).map(([k, v]) => [k, v.StringValue ?? ""]),
    );
    try {
      const { envelope } = await decodeRecord(toSqsRecord(message), options);
      deadLetters.push({
        jobId: envelope.id,
        jobType: envelope.type,
        ...(attributes[DEAD_LETTER_ATTRIBUTES.code] ? { code: attributes[DEAD_LETTER_ATTRIBUTES.code] } : {}),
        ...(attributes[DEAD_LETTER_ATTRIBUTES.message]
          ? { reason: attributes[DEAD_LETTER_ATTRIBUTES.message] }
          : {}),
        body: message.Body ?? "",
        attributes,
      });
    } catch (error) {
      unreadable.push(`${message.MessageId}: ${errorMessage(error)}`);
    }
  }
  return { deadLetters, unreadable };
}

/** Pointers in every SNS publish and SQS send that reached the cloud, each checked against S3 writes. */
function pointersBeforeObjects(exchanges: readonly Exchange[]): string[] {
  const written = new Map<string, number>();
  for (const e of exchanges) {
    if (e.service !== "s3" || e.status >= 300) continue;
    if (e.action !== "PutObject" && e.action !== "CompleteMultipartUpload") continue;
    const key = decodeURIComponent(e.path.split("/").slice(2).join("/"));
    written.set(key, Math.min(written.get(key) ?? Number.POSITIVE_INFINITY, e.endSeq));
  }
  const offences: string[] = [];
  for (const e of exchanges) {
    const bodies: string[] = [];
    if (e.service === "sns" && (e.action === "Publish" || e.action === "PublishBatch")) {
      for (const [name, value] of new URLSearchParams(e.forwardedBody))
        if (name === "Message" || /^PublishBatchRequestEntries\.member\.\d+\.Message$/.test(name))
          bodies.push(value);
    } else if (e.service === "sqs" && (e.action === "SendMessage" || e.action === "SendMessageBatch")) {
      const input = e.forwardedBody ? (JSON.parse(e.forwardedBody) as Record<string, unknown>) : {};
      if (typeof input.MessageBody === "string") bodies.push(input.MessageBody);
      for (const entry of (input.Entries as { MessageBody?: string }[] | undefined) ?? [])
        if (entry.MessageBody) bodies.push(entry.MessageBody);
    }
    for (const body of bodies) {
      let key: string | undefined;
      try {
        key = decodePointer(body)?.key;
      } catch {
        continue; // a deliberately broken pointer names no object
      }
      if (key === undefined) continue;
      const writtenAt = written.get(key);
      if (writtenAt === undefined || writtenAt > e.startSeq)
        offences.push(`${e.service} ${e.action} sent a pointer to ${key} before the object was written`);
    }
  }
  return offences;
}

export function checkInvariant(input: InvariantInput, unreadable: readonly string[] = []): InvariantReport {
  const succeeded = input.published.filter((p) => p.ok).map((p) => p.jobId);
  const processedCount = new Map<string, number>();
  for (const o of input.outcomes)
    if (o.kind === "processed" && o.jobId !== null)
      processedCount.set(o.jobId, (processedCount.get(o.jobId) ?? 0) + 1);
  const deadIds = new Set(input.deadLetters.map((d) => d.jobId));
  const duplicates: Record<string, number> = {};
  for (const [id, count] of processedCount) {
    const total = count + (deadIds.has(id) ? 1 : 0);
    if (total > 1) duplicates[id] = total;
  }
  const audited = input.audited ? new Set(input.audited) : undefined;
  const failedIds = input.published.filter((p) => !p.ok).map((p) => p.jobId);
  return {
    published: succeeded.length,
    processed: succeeded.filter((id) => processedCount.has(id)).length,
    deadLettered: succeeded.filter((id) => deadIds.has(id)).length,
    lost: succeeded.filter((id) => !processedCount.has(id) && !deadIds.has(id)),
    successNotSent: audited ? succeeded.filter((id) => !audited.has(id)) : [],
    unreadableDeadLetters: [
      ...unreadable,
      ...input.deadLetters
        .filter((d) => d.code !== undefined && !d.reason)
        .map((d) => `${d.jobId}: ${DEAD_LETTER_ATTRIBUTES.code} without ${DEAD_LETTER_ATTRIBUTES.message}`),
    ],
    redrivenWithoutReason: input.deadLetters.filter((d) => d.code === undefined).map((d) => d.jobId),
    pointerBeforeObject: input.exchanges ? pointersBeforeObjects(input.exchanges) : [],
    duplicates,
    failedButSent: audited ? failedIds.filter((id) => audited.has(id)).length : 0,
  };
}
