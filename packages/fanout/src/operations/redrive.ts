import { setTimeout as sleep } from "node:timers/promises";
import {
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ListMessageMoveTasksCommand,
  type Message,
  type MessageAttributeValue,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  type SQSClient,
  StartMessageMoveTaskCommand,
} from "@aws-sdk/client-sqs";
import { DEAD_LETTER_ATTRIBUTES, JOB_ID_ATTRIBUTE } from "../consumer/dead-letter.ts";
import { lambdaAttributes, toSendableAttributes } from "../consumer/message-attributes.ts";
import { packBatches } from "../core/batches.ts";
import { SQS_MAX_MESSAGE_BYTES } from "../core/claim-check.ts";
import { looksLikeEnvelope } from "../core/envelope.ts";
import { RedriveError } from "../core/errors.ts";
import { MAX_RECEIVE_MESSAGES, messageSize } from "../core/sqs-limits.ts";
import { redriveFifoIds } from "./fifo-send.ts";
import { release } from "./peek.ts";
import type { QueueAddress } from "./queue-address.ts";

/** How far a redrive has got; the CLI draws a bar from it, the dashboard ignores it. */
export interface RedriveProgress {
  /** Raises the total when more work turns up than was counted at the start. */
  setTotal(total: number): void;
  update(done: number): void;
  stop(): void;
}

const NO_PROGRESS: RedriveProgress = { setTotal() {}, update() {}, stop() {} };

export interface RedriveOptions {
  /** Messages per second at most; default as fast as the service allows. */
  readonly rate?: number;
  readonly progress?: RedriveProgress;
  /** How often a move task's progress is read. Default 2 seconds. */
  readonly pollIntervalMs?: number;
}

export interface RedriveResult {
  /** `move-task`: SQS's StartMessageMoveTask; `manual`: receive, send, delete, where that API does not exist. */
  readonly mode: "move-task" | "manual";
  readonly moved: number;
  readonly from: string;
  readonly to: string;
  /** Dead letters that arrived after the redrive started; left for the next one, as a move task would. */
  readonly leftNewer: number;
  /** Sent but not deleted from the DLQ: they will be moved again (at least once, never lost). */
  readonly duplicates: number;
}

/** Long enough for one receive-send-delete round; a crash mid-round leaves the batch in the DLQ, visible again after this. */
const MOVE_VISIBILITY_SECONDS = 60;
const FAILURE_ATTRIBUTES = new Set<string>(Object.values(DEAD_LETTER_ATTRIBUTES));
/** Receives that must come back empty, with the DLQ reporting no visible message, before the move ends. */
const EMPTY_RECEIVES_TO_FINISH = 2;
const MAX_RECHECKS = 10;

/**
 * Moves every dead letter of `dlq` back to `source`. Uses SQS's own move task where the service has it, and
 * otherwise moves them itself: a message leaves the DLQ only after the source queue accepted its copy.
 */
export async function redrive(
  sqs: SQSClient,
  dlq: QueueAddress,
  source: QueueAddress,
  redriveOptions: RedriveOptions = {},
): Promise<RedriveResult> {
  const options = { ...redriveOptions, progress: redriveOptions.progress ?? NO_PROGRESS };
  let taskHandle: string | undefined;
  try {
    ({ TaskHandle: taskHandle } = await sqs.send(
      new StartMessageMoveTaskCommand({
        SourceArn: dlq.arn,
        DestinationArn: source.arn,
        ...(options.rate ? { MaxNumberOfMessagesPerSecond: options.rate } : {}),
      }),
    ));
  } catch (error) {
    if (!isUnsupportedAction(error)) throw error;
    return moveManually(sqs, dlq, source, options);
  }
  return followMoveTask(sqs, dlq, source, taskHandle, options);
}

/**
 * What an SQS endpoint answers for an action it does not implement (the local cloud's answer to
 * StartMessageMoveTask). Only this falls back to moving by hand: any other refusal is the operator's to see.
 */
export function isUnsupportedAction(error: unknown): boolean {
  return (error as { name?: string } | null)?.name === "InvalidAction";
}

async function followMoveTask(
  sqs: SQSClient,
  dlq: QueueAddress,
  source: QueueAddress,
  taskHandle: string | undefined,
  options: RedriveOptions & { readonly progress: RedriveProgress },
): Promise<RedriveResult> {
  for (;;) {
    const { Results = [] } = await sqs.send(
      new ListMessageMoveTasksCommand({ SourceArn: dlq.arn, MaxResults: 10 }),
    );
    // Only a running task carries its handle; the newest result is ours once it has finished.
    const task = Results.find((r) => taskHandle !== undefined && r.TaskHandle === taskHandle) ?? Results[0];
    const moved = task?.ApproximateNumberOfMessagesMoved ?? 0;
    options.progress.setTotal(task?.ApproximateNumberOfMessagesToMove ?? 0);
    options.progress.update(moved);
    switch (task?.Status) {
      case "COMPLETED":
        options.progress.stop();
        return { mode: "move-task", moved, from: dlq.name, to: source.name, leftNewer: 0, duplicates: 0 };
      case "FAILED":
      case "CANCELLING":
      case "CANCELLED":
        options.progress.stop();
        throw new RedriveError(
          `The move task from ${dlq.name} ${task.Status.toLowerCase()} after ${moved} messages${task.FailureReason ? `: ${task.FailureReason}` : ""}; the rest stays in the DLQ, run the redrive again.`,
        );
    }
    await sleep(options.pollIntervalMs ?? 2_000);
  }
}

function sentAt(message: Message): number {
  return Number(message.Attributes?.SentTimestamp ?? 0);
}

/** The job's own attributes, without the failure reason: a job that fails again records a fresh one. */
export function redrivenAttributes(message: Message): Record<string, MessageAttributeValue> {
  return toSendableAttributes(lambdaAttributes(message.MessageAttributes), FAILURE_ATTRIBUTES);
}

/** The messages a queue holds that a receive could return now (SQS's approximate count). */
export async function visibleCount(sqs: SQSClient, url: string): Promise<number> {
  const { Attributes = {} } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["ApproximateNumberOfMessages"] }),
  );
  return Number(Attributes.ApproximateNumberOfMessages ?? 0);
}

interface SendableMessage {
  readonly message: Message;
  readonly attributes: Record<string, MessageAttributeValue>;
  readonly size: number;
}

/**
 * A message as it is sent on: its own attributes without the failure reason, and, for a job without an
 * envelope, the id it had so far (`FanoutJobId`), so that the consumer keeps calling it by that id.
 */
function sendable(message: Message): SendableMessage {
  const attributes = redrivenAttributes(message);
  const body = message.Body ?? "";
  if (!(JOB_ID_ATTRIBUTE in attributes) && !looksLikeEnvelope(body) && message.MessageId) {
    attributes[JOB_ID_ATTRIBUTE] = { DataType: "String", StringValue: message.MessageId };
  }
  return { message, attributes, size: messageSize(body, attributes) };
}

/** Sends one batch on and deletes from `from` what `to` accepted; throws for what it refused, left in place. */
async function sendBatch(
  sqs: SQSClient,
  from: QueueAddress,
  to: QueueAddress,
  batch: readonly SendableMessage[],
  onDuplicates: (count: number) => void,
): Promise<number> {
  const sent = await sqs.send(
    new SendMessageBatchCommand({
      QueueUrl: to.url,
      Entries: batch.map(({ message, attributes }, i) => ({
        Id: String(i),
        MessageBody: message.Body ?? "",
        MessageAttributes: attributes,
        ...redriveFifoIds(to, message),
      })),
    }),
  );
  const accepted = new Set((sent.Successful ?? []).map((entry) => Number(entry.Id)));
  if (accepted.size > 0) {
    const deleted = await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: from.url,
        Entries: batch
          .filter((_, i) => accepted.has(i))
          .map(({ message }, i) => ({ Id: String(i), ReceiptHandle: message.ReceiptHandle ?? "" })),
      }),
    );
    onDuplicates(deleted.Failed?.length ?? 0);
  }
  const refused = batch.filter((_, i) => !accepted.has(i)).map(({ message }) => message);
  if (refused.length > 0) {
    await release(sqs, from.url, refused);
    const reasons = [...new Set((sent.Failed ?? []).map((f) => `${f.Code}: ${f.Message ?? ""}`))].join("; ");
    throw new RedriveError(
      `${to.name} refused ${refused.length} messages (${reasons}); the rest stays in ${from.name}. Fix the cause and run the redrive again.`,
    );
  }
  return accepted.size;
}

/** Where one message goes, or undefined to leave it where it is (the unrouted job of a type still unknown). */
export type Destination = (message: Message) => QueueAddress | undefined;

export interface ManualMoveResult extends Omit<RedriveResult, "mode" | "to"> {
  /** Messages no destination was found for; they stay where they are. */
  readonly left: number;
}

/**
 * Moves every message of `from` to the destination chosen for it: receive, send, and delete only what the
 * destination accepted, so a message is moved at least once and never lost.
 */
export async function moveMessages(
  sqs: SQSClient,
  from: QueueAddress,
  destination: Destination,
  moveOptions: RedriveOptions = {},
): Promise<ManualMoveResult> {
  const options = { ...moveOptions, progress: moveOptions.progress ?? NO_PROGRESS };
  const started = Date.now();
  // Messages that arrive while the move runs (a job failing again) are held back, not moved in a loop, and so
  // are those without a destination.
  const held = new Map<string, Message>();
  let moved = 0;
  let duplicates = 0;
  options.progress.setTotal(await visibleCount(sqs, from.url));
  try {
    for (let empty = 0, rechecks = 0; ; ) {
      if (options.rate) {
        const due = started + (moved / options.rate) * 1000;
        if (due > Date.now()) await sleep(due - Date.now());
      }
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: from.url,
          MaxNumberOfMessages: Math.min(MAX_RECEIVE_MESSAGES, options.rate ?? MAX_RECEIVE_MESSAGES),
          VisibilityTimeout: MOVE_VISIBILITY_SECONDS,
          WaitTimeSeconds: empty > 0 ? 1 : 0,
          MessageAttributeNames: ["All"],
          // The group of a FIFO queue's message, which its redriven copy keeps.
          MessageSystemAttributeNames: ["SentTimestamp", "MessageGroupId"],
        }),
      );
      const groups = new Map<string, { to: QueueAddress; messages: Message[] }>();
      for (const message of Messages) {
        const to = sentAt(message) > started ? undefined : destination(message);
        if (!to) {
          held.set(message.MessageId ?? "", message);
          continue;
        }
        const group = groups.get(to.url) ?? { to, messages: [] };
        group.messages.push(message);
        groups.set(to.url, group);
      }
      if (groups.size === 0) {
        if (++empty < EMPTY_RECEIVES_TO_FINISH) continue;
        if ((await visibleCount(sqs, from.url)) === 0 || ++rechecks > MAX_RECHECKS) break;
        empty = 0;
        continue;
      }
      empty = 0;
      for (const { to, messages } of groups.values()) {
        for (const batch of packBatches(messages.map(sendable), SQS_MAX_MESSAGE_BYTES)) {
          moved += await sendBatch(sqs, from, to, batch, (n) => {
            duplicates += n;
          });
          options.progress.update(moved);
        }
      }
    }
  } finally {
    options.progress.stop();
    await release(sqs, from.url, [...held.values()]);
  }
  const left = [...held.values()].filter((message) => sentAt(message) <= started).length;
  return { moved, from: from.name, leftNewer: held.size - left, left, duplicates };
}

async function moveManually(
  sqs: SQSClient,
  dlq: QueueAddress,
  source: QueueAddress,
  options: RedriveOptions,
): Promise<RedriveResult> {
  const result = await moveMessages(sqs, dlq, () => source, options);
  return {
    mode: "manual",
    moved: result.moved,
    from: result.from,
    to: source.name,
    leftNewer: result.leftNewer,
    duplicates: result.duplicates,
  };
}
