import type { SQSClient } from "@aws-sdk/client-sqs";
import {
  DUE_AT_ATTRIBUTE_BYTES,
  dueAtAttribute,
  isValidDelay,
  MAX_DELAY_SECONDS,
  SQS_MAX_DELAY_SECONDS,
} from "./delay.ts";
import { ConfigurationError, errorMessage, JobValidationError, PublishError } from "./errors.ts";
import type { EncodingOptions } from "./job-encoder.ts";
import { type PreparedMessage, type PublishedJob, published } from "./publish-outcome.ts";
import { isOrdered, type JobDefinition } from "./registry.ts";

/** The app's delay queue (the stack's `delay-queue-url` output), and the client that sends to it. */
export interface DelayQueue {
  readonly sqs: SQSClient;
  readonly queueUrl: string;
}

/** Refuses a delay Fanout cannot keep, or one without a delay queue to wait in, before anything is sent. */
export function checkDelay(job: JobDefinition, delaySeconds: number, queue: DelayQueue | undefined): void {
  const { type } = job;
  if (!isValidDelay(delaySeconds)) {
    throw new JobValidationError(type, [
      {
        path: "delaySeconds",
        message: `must be a whole number of seconds from 0 to ${MAX_DELAY_SECONDS} (12 hours)`,
      },
    ]);
  }
  // The relay publishes to the standard topic; a delay would also break an ordered type's order.
  if (delaySeconds > 0 && isOrdered(job)) {
    throw new JobValidationError(type, [
      { path: "delaySeconds", message: "an ordered job type cannot be delayed; publish it when it is due" },
    ]);
  }
  if (delaySeconds > 0 && !queue) {
    throw new ConfigurationError(
      "A delayed job needs the publisher's delayQueue option: the app's delay queue (the stack's delay-queue-url output) and an SQS client.",
      { jobType: type },
    );
  }
}

/** The encoding of a delayed job: its message must still fit once the due time is added on the delay queue. */
export function delayedEncoding(encoding: EncodingOptions): EncodingOptions {
  return { ...encoding, thresholdBytes: encoding.thresholdBytes - DUE_AT_ATTRIBUTE_BYTES };
}

/** Sends a prepared job to the delay queue, due `delaySeconds` from now; the relay publishes it then. */
export async function sendDelayed(
  queue: DelayQueue,
  message: PreparedMessage,
  delaySeconds: number,
): Promise<PublishedJob> {
  const dueAt = Date.now() + delaySeconds * 1000;
  const { SendMessageCommand } = await import("@aws-sdk/client-sqs");
  try {
    const response = await queue.sqs.send(
      new SendMessageCommand({
        QueueUrl: queue.queueUrl,
        MessageBody: message.body,
        DelaySeconds: Math.min(delaySeconds, SQS_MAX_DELAY_SECONDS),
        MessageAttributes: { ...message.attributes, ...dueAtAttribute(dueAt) },
      }),
    );
    return published(message, response.MessageId ?? "");
  } catch (error) {
    throw new PublishError(
      `The delay queue did not accept job ${message.jobId} (${message.type}): ${errorMessage(error)}; nothing was published. Try again.`,
      { cause: error, jobType: message.type, jobId: message.jobId },
    );
  }
}
