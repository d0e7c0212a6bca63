import type { StringAttribute } from "./claim-check.ts";

/**
 * Delayed jobs. SNS has no per-message delay and SQS delays a message by at most 15 minutes, so a delayed job
 * waits in the app's delay queue: the publisher sends it there with a delay of up to 15 minutes and its due
 * time, and the relay function, each time the message comes due, sends it back with the time that remains or,
 * once it is due, publishes it to the topic unchanged. See docs/wire-format.md, "Delayed jobs".
 */

/** The longest delay a job may ask for: 12 hours, 48 hops of the delay queue at most. */
export const MAX_DELAY_SECONDS = 43_200;
/** SQS's longest `DelaySeconds`. */
export const SQS_MAX_DELAY_SECONDS = 900;
/** When a delayed job is due, in epoch milliseconds; only ever on the delay queue, never on the topic. */
export const DUE_AT_ATTRIBUTE = "FanoutDueAt";

/** The due-time attribute; the publisher counts its bytes when it sizes a delayed message. */
export function dueAtAttribute(dueAtMs: number): Record<string, StringAttribute> {
  return { [DUE_AT_ATTRIBUTE]: { DataType: "Number", StringValue: String(dueAtMs) } };
}

/** The bytes SQS counts for the attribute (name, type, value of 13 digits until the year 2286). */
export const DUE_AT_ATTRIBUTE_BYTES = DUE_AT_ATTRIBUTE.length + "Number".length + 13;

/** Whether `seconds` is a delay Fanout takes: a whole number from 0 to 12 hours. */
export function isValidDelay(seconds: number): boolean {
  return Number.isInteger(seconds) && seconds >= 0 && seconds <= MAX_DELAY_SECONDS;
}

/** What the relay does with a message of the delay queue that came due at `nowMs`. */
export type RelayStep =
  | { readonly publish: true }
  | { readonly publish: false; readonly delaySeconds: number };

/**
 * Publish once due; otherwise wait again, at most 15 minutes. The wait is rounded up, so a job is never
 * published before its time (SQS may deliver a delayed message a little early).
 */
export function relayStep(dueAtMs: number, nowMs: number): RelayStep {
  const remainingMs = dueAtMs - nowMs;
  if (remainingMs <= 0) return { publish: true };
  return { publish: false, delaySeconds: Math.min(SQS_MAX_DELAY_SECONDS, Math.ceil(remainingMs / 1000)) };
}
