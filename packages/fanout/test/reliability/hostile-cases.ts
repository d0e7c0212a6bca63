import type { MessageAttributeValue } from "@aws-sdk/client-sqs";
import {
  JOB_TYPE_ATTRIBUTE,
  LEGACY_POINTER_CLASS,
  LEGACY_SIZE_ATTRIBUTE,
  POINTER_CLASS,
  SIZE_ATTRIBUTE,
} from "../../src/core/claim-check.ts";
import { encodeEnvelope } from "../../src/core/envelope.ts";
import { JobValidationError, UnknownJobTypeError } from "../../src/core/errors.ts";
import { sha256Hex } from "../../src/core/payload-store.ts";
import type { Publisher } from "../../src/core/publisher.ts";
import type { ReliabilityRegistry } from "./fixtures/registry.ts";

/**
 * Every bad or hostile input the suite sends, in one place, with the outcome each must have: refused at the
 * producer with a typed error and nothing sent, refused by SQS itself, dead-lettered with its reason, or
 * processed. Raw messages go straight into the `work` queue, past the producer, as an attacker's would.
 */

export interface HostileContext {
  readonly bucket: string;
  readonly topicArn: string;
  /** Writes an object into the payload bucket, as a tampering producer could. */
  putObject(key: string, body: Buffer): Promise<void>;
}

export interface RawMessage {
  readonly body: string;
  readonly attributes?: Record<string, MessageAttributeValue>;
}

export type Send =
  | {
      readonly via: "producer";
      readonly publish: (publisher: Publisher<ReliabilityRegistry>) => Promise<unknown>;
    }
  | { readonly via: "sqs"; readonly message: (context: HostileContext) => Promise<RawMessage> | RawMessage };

export type Expected =
  | { readonly rejectedAtProducer: abstract new (...args: never[]) => Error; readonly reason: RegExp }
  | { readonly refusedBySqs: RegExp }
  | {
      readonly deadLettered: string;
      readonly reason: RegExp;
      /** Dead-lettered on its first receive, not retried: retrying cannot help. */
      readonly atOnce?: true;
    }
  | { readonly processed: true };

export interface HostileCase {
  readonly name: string;
  readonly send: Send;
  readonly expected: Expected;
}

const WORK = { [JOB_TYPE_ATTRIBUTE]: { DataType: "String", StringValue: "work" } };
const SNS_LIMIT = 262_144;

function envelope(fields: Record<string, unknown> = {}, payload: unknown = { n: 1 }): string {
  return JSON.stringify({
    v: 1,
    id: `hostile-${Math.random().toString(36).slice(2)}`,
    type: "work",
    createdAt: new Date().toISOString(),
    payload,
    ...fields,
  });
}

function pointerMessage(
  pointer: Record<string, unknown>,
  size: string | number = 10,
  format: { className: string; sizeAttribute: string } = {
    className: POINTER_CLASS,
    sizeAttribute: SIZE_ATTRIBUTE,
  },
): RawMessage {
  return {
    body: JSON.stringify([format.className, pointer]),
    attributes: { ...WORK, [format.sizeAttribute]: { DataType: "Number", StringValue: String(size) } },
  };
}

/** An object stored as the producer would, then a pointer to it, altered by `tamper`. */
async function storedPointer(
  context: HostileContext,
  stored: Buffer,
  options: { replaceWith?: Buffer; declaredSize?: number; legacy?: boolean } = {},
): Promise<RawMessage> {
  const key = `payloads/work/hostile/${Math.random().toString(36).slice(2)}.json`;
  await context.putObject(key, options.replaceWith ?? stored);
  return pointerMessage(
    { s3BucketName: context.bucket, s3Key: key, sha256: sha256Hex(stored) },
    options.declaredSize ?? (options.replaceWith ?? stored).length,
    options.legacy
      ? { className: LEGACY_POINTER_CLASS, sizeAttribute: LEGACY_SIZE_ATTRIBUTE }
      : { className: POINTER_CLASS, sizeAttribute: SIZE_ATTRIBUTE },
  );
}

/** JSON with every character SQS refuses written as a JSON escape, which SQS accepts in a body. */
function escapeRefused(json: string): string {
  return json.replace(/[\uFFFE\uFFFF]|[\uD800-\uDFFF]/g, (c) => `\\u${c.charCodeAt(0).toString(16)}`);
}

function escapedEnvelope(fields: Record<string, unknown>, payload?: unknown): string {
  return escapeRefused(envelope(fields, payload));
}

function jsonEscaped(message: RawMessage): RawMessage {
  return { ...message, body: escapeRefused(message.body) };
}

/** A job's text that brings the inline message (envelope and attribute) to exactly `bytes`, with `filler`. */
export function textForWireSize(bytes: number, filler: string, jobId: string): string {
  const base = encodeEnvelope({
    v: 1,
    id: jobId,
    type: "work",
    createdAt: new Date().toISOString(),
    payload: { n: 1, text: "", mode: "ok", delayMs: 0 },
  });
  const missing = bytes - Buffer.byteLength(base) - "jobTypeStringwork".length;
  const unit = Buffer.byteLength(filler);
  return filler.repeat(Math.floor(missing / unit)) + "a".repeat(missing % unit);
}

/** The envelope's bytes with two bytes that are never valid UTF-8 in place of its `@@`. */
function withInvalidUtf8(body: string): Buffer {
  const [before = "", after = ""] = body.split("@@");
  return Buffer.concat([Buffer.from(before), Buffer.from([0xff, 0xfe]), Buffer.from(after)]);
}

const sized = (bytes: number, filler: string) => (publisher: Publisher<ReliabilityRegistry>) => {
  const jobId = `00000000-0000-4000-8000-${String(bytes).padStart(12, "0")}`;
  return publisher.publish(
    "work",
    { n: 1, text: textForWireSize(bytes, filler, jobId), mode: "ok", delayMs: 0 },
    { jobId },
  );
};

export const HOSTILE_CASES: readonly HostileCase[] = [
  // Refused at the producer, nothing sent.
  {
    name: "a payload that fails the schema (a string for an integer)",
    send: { via: "producer", publish: (p) => p.publish("work", { n: "seven" } as never) },
    expected: { rejectedAtProducer: JobValidationError, reason: /n: Invalid input/ },
  },
  {
    name: "a payload missing a required field",
    send: { via: "producer", publish: (p) => p.publish("work", {} as never) },
    expected: { rejectedAtProducer: JobValidationError, reason: /n: / },
  },
  {
    name: "a payload with a value the schema does not allow (a fraction for an integer)",
    send: { via: "producer", publish: (p) => p.publish("work", { n: 1.5 }) },
    expected: { rejectedAtProducer: JobValidationError, reason: /n: / },
  },
  {
    name: "an unknown job type",
    send: { via: "producer", publish: (p) => p.publish("nope" as "work", { n: 1 }) },
    expected: { rejectedAtProducer: UnknownJobTypeError, reason: /Unknown job type "nope"/ },
  },
  {
    name: "a job id longer than the envelope allows",
    send: { via: "producer", publish: (p) => p.publish("work", { n: 1 }, { jobId: "i".repeat(129) }) },
    expected: { rejectedAtProducer: JobValidationError, reason: /jobId: must be 1 to 128 characters/ },
  },
  {
    name: "an empty correlation id",
    send: { via: "producer", publish: (p) => p.publish("work", { n: 1 }, { correlationId: "", jobId: "x" }) },
    expected: { rejectedAtProducer: JobValidationError, reason: /correlationId/ },
  },
  // Edge cases the producer must carry intact.
  {
    name: "exactly 262,144 bytes of multi-byte € characters: inline",
    send: { via: "producer", publish: sized(SNS_LIMIT, "€") },
    expected: { processed: true },
  },
  {
    name: "262,145 bytes of € characters: offloaded",
    send: { via: "producer", publish: sized(SNS_LIMIT + 1, "€") },
    expected: { processed: true },
  },
  {
    name: "262,143 bytes of 4-byte emoji: inline",
    send: { via: "producer", publish: sized(SNS_LIMIT - 1, "😀") },
    expected: { processed: true },
  },
  {
    name: "characters SQS refuses (U+FFFE, U+FFFF) inside the payload: escaped, delivered",
    send: { via: "producer", publish: (p) => p.publish("work", { n: 1, text: "a\uFFFFb\uFFFEc" }) },
    expected: { processed: true },
  },
  {
    name: "a lone surrogate (not valid UTF-16) inside the payload: escaped, delivered",
    send: { via: "producer", publish: (p) => p.publish("work", { n: 1, text: "a\uD800b" }) },
    expected: { processed: true },
  },
  // Refused by SQS itself: the sender gets the error, nothing is queued.
  {
    name: "an empty body",
    send: { via: "sqs", message: () => ({ body: "", attributes: WORK }) },
    expected: { refusedBySqs: /MessageBody|empty|required/i },
  },
  {
    name: "a body with characters SQS refuses (U+FFFF)",
    send: { via: "sqs", message: () => ({ body: envelope({}, { n: 1, text: "\uFFFF" }), attributes: WORK }) },
    expected: { refusedBySqs: /Invalid characters/ },
  },
  // Dead-lettered with the reason, never dropped.
  {
    name: "malformed JSON",
    send: { via: "sqs", message: () => ({ body: '{"v":1,"id":', attributes: WORK }) },
    expected: { deadLettered: "MalformedMessageError", reason: /not JSON/ },
  },
  {
    name: "a whitespace-only body",
    send: { via: "sqs", message: () => ({ body: "   ", attributes: WORK }) },
    expected: { deadLettered: "MalformedMessageError", reason: /not JSON/ },
  },
  {
    name: "an unknown envelope version",
    send: { via: "sqs", message: () => ({ body: envelope({ v: 2 }), attributes: WORK }) },
    expected: { deadLettered: "MalformedMessageError", reason: /version 2 is not supported/ },
  },
  {
    name: "an envelope without an id",
    send: { via: "sqs", message: () => ({ body: envelope({ id: undefined }), attributes: WORK }) },
    expected: { deadLettered: "MalformedMessageError", reason: /bad or missing: id/ },
  },
  {
    name: "an unknown job type in envelope and attribute",
    send: {
      via: "sqs",
      message: () => ({
        body: envelope({ type: "nope" }),
        attributes: { [JOB_TYPE_ATTRIBUTE]: { DataType: "String", StringValue: "nope" } },
      }),
    },
    expected: {
      deadLettered: "WrongQueueError",
      reason:
        /^A "nope" job reached the queue of "[a-z-]+", whose worker does not run it: something routed it here/,
    },
  },
  {
    name: "an envelope type that disagrees with the jobType attribute",
    send: { via: "sqs", message: () => ({ body: envelope({ type: "timed" }), attributes: WORK }) },
    expected: { deadLettered: "MalformedMessageError", reason: /disagrees with the envelope's type "timed"/ },
  },
  {
    name: "another job type's envelope in this queue, without a jobType attribute",
    send: { via: "sqs", message: () => ({ body: envelope({ type: "timed" }) }) },
    expected: {
      deadLettered: "WrongQueueError",
      reason: /^A "timed" job reached the queue of "[a-z-]+".*Fix the routing/,
    },
  },
  {
    name: "a missing jobType attribute on a body that is not an envelope",
    send: { via: "sqs", message: () => ({ body: '{"n":1}' }) },
    expected: { deadLettered: "MalformedMessageError", reason: /no jobType attribute/ },
  },
  {
    name: "a missing jobType attribute on a valid envelope: the envelope's type decides",
    send: { via: "sqs", message: () => ({ body: envelope() }) },
    expected: { processed: true },
  },
  {
    name: "a payload that parses but fails the schema",
    send: { via: "sqs", message: () => ({ body: envelope({}, { n: "x" }), attributes: WORK }) },
    expected: { deadLettered: "JobValidationError", reason: /Payload for job type "work" is invalid: n: / },
  },
  {
    name: "a null payload",
    send: { via: "sqs", message: () => ({ body: envelope({}, null), attributes: WORK }) },
    expected: { deadLettered: "JobValidationError", reason: /invalid/ },
  },
  {
    name: "JSON nested 100,000 levels deep",
    send: {
      via: "sqs",
      message: () => ({ body: `${"[".repeat(100_000)}${"]".repeat(100_000)}`, attributes: WORK }),
    },
    expected: { deadLettered: "JobValidationError", reason: /invalid/ },
  },
  {
    name: "a foreign (AWS extended client) body: the payload alone, typed by its attribute",
    send: { via: "sqs", message: () => ({ body: '{"n":5}', attributes: WORK }) },
    expected: { processed: true },
  },
  {
    name: "more message attributes than SQS delivers beside the reason (10), failing permanently",
    send: {
      via: "sqs",
      message: () => ({
        body: envelope({}, { n: 1, mode: "permanent" }),
        attributes: {
          ...WORK,
          ...Object.fromEntries(
            Array.from({ length: 9 }, (_, i) => [`extra${i}`, { DataType: "String", StringValue: `v${i}` }]),
          ),
        },
      }),
    },
    expected: { deadLettered: "PermanentJobError", reason: /can never succeed/ },
  },
  {
    name: "an SNS notification envelope from another topic",
    send: {
      via: "sqs",
      message: ({ topicArn }) => ({
        body: JSON.stringify({
          Type: "Notification",
          MessageId: "00000000-0000-4000-8000-000000000001",
          TopicArn: `${topicArn}-evil`,
          Message: envelope(),
          Timestamp: new Date().toISOString(),
          SignatureVersion: "1",
          Signature: "EXAMPLE",
          SigningCertURL: "https://sns.us-east-1.amazonaws.com/x.pem",
          UnsubscribeURL: "https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe",
        }),
      }),
    },
    expected: { deadLettered: "MalformedMessageError", reason: /not from this consumer's topic/ },
  },
  {
    name: "an SNS notification envelope from our topic (a non-raw subscription)",
    send: {
      via: "sqs",
      message: ({ topicArn }) => ({
        body: JSON.stringify({
          Type: "Notification",
          MessageId: "00000000-0000-4000-8000-000000000002",
          TopicArn: topicArn,
          Message: envelope(),
          Timestamp: new Date().toISOString(),
          SignatureVersion: "1",
          Signature: "EXAMPLE",
          SigningCertURL: "https://sns.us-east-1.amazonaws.com/x.pem",
          UnsubscribeURL: "https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe",
        }),
      }),
    },
    expected: { processed: true },
  },
  {
    name: "an SNS notification envelope missing its required fields",
    send: {
      via: "sqs",
      message: () => ({ body: '{"Type":"Notification","Message":"x"}', attributes: WORK }),
    },
    expected: { deadLettered: "MalformedMessageError", reason: /lacks its required fields/ },
  },
  {
    name: "a pointer into another bucket",
    send: {
      via: "sqs",
      message: () => pointerMessage({ s3BucketName: "someone-else", s3Key: "payloads/x.json" }),
    },
    expected: { deadLettered: "HostilePointerError", reason: /names bucket "someone-else"/ },
  },
  {
    name: "a pointer whose key climbs out with ..",
    send: {
      via: "sqs",
      message: ({ bucket }) => pointerMessage({ s3BucketName: bucket, s3Key: "payloads/../secret" }),
    },
    expected: { deadLettered: "HostilePointerError", reason: /not a safe S3 key/ },
  },
  {
    name: "a pointer with an absolute key",
    send: {
      via: "sqs",
      message: ({ bucket }) => pointerMessage({ s3BucketName: bucket, s3Key: "/etc/passwd" }),
    },
    expected: { deadLettered: "HostilePointerError", reason: /not a safe S3 key/ },
  },
  {
    name: "a pointer whose key holds a . segment",
    send: {
      via: "sqs",
      message: ({ bucket }) => pointerMessage({ s3BucketName: bucket, s3Key: "payloads/./x" }),
    },
    expected: { deadLettered: "HostilePointerError", reason: /not a safe S3 key/ },
  },
  {
    name: "a pointer whose key holds a control character",
    send: {
      via: "sqs",
      message: ({ bucket }) => pointerMessage({ s3BucketName: bucket, s3Key: "payloads/a\tb" }),
    },
    expected: { deadLettered: "HostilePointerError", reason: /not a safe S3 key/ },
  },
  {
    name: "a pointer declaring a size far above the cap",
    send: {
      via: "sqs",
      message: ({ bucket }) =>
        pointerMessage({ s3BucketName: bucket, s3Key: "payloads/huge" }, 5 * 1024 ** 3),
    },
    expected: { deadLettered: "HostilePointerError", reason: /above the \d+-byte cap/ },
  },
  {
    name: "a pointer declaring a size that is not a number",
    send: {
      via: "sqs",
      message: ({ bucket }) => pointerMessage({ s3BucketName: bucket, s3Key: "payloads/x" }, "-1"),
    },
    expected: { deadLettered: "MalformedMessageError", reason: /not a whole number of bytes/ },
  },
  {
    name: "a pointer without an s3Key",
    send: { via: "sqs", message: ({ bucket }) => pointerMessage({ s3BucketName: bucket }) },
    expected: { deadLettered: "MalformedMessageError", reason: /lacks s3BucketName or s3Key/ },
  },
  {
    name: "a pointer whose sha256 is not 64 hex digits",
    send: {
      via: "sqs",
      message: ({ bucket }) => pointerMessage({ s3BucketName: bucket, s3Key: "payloads/x", sha256: "xyz" }),
    },
    expected: { deadLettered: "MalformedMessageError", reason: /not 64 hex digits/ },
  },
  {
    name: "a pointer to an object that does not exist",
    send: {
      via: "sqs",
      message: ({ bucket }) => pointerMessage({ s3BucketName: bucket, s3Key: "payloads/work/never" }),
    },
    expected: { deadLettered: "PayloadMissingError", reason: /does not exist/ },
  },
  {
    name: "a pointer into another job type's payloads (which the worker's IAM role may not read)",
    send: {
      via: "sqs",
      message: ({ bucket }) => pointerMessage({ s3BucketName: bucket, s3Key: "payloads/other/x.json" }),
    },
    expected: { deadLettered: "HostilePointerError", reason: /outside the prefixes this consumer reads/ },
  },
  {
    name: "an object replaced after publishing (integrity mismatch)",
    send: {
      via: "sqs",
      message: (c) =>
        storedPointer(c, Buffer.from(envelope()), { replaceWith: Buffer.from(envelope({ id: "evil" })) }),
    },
    expected: { deadLettered: "IntegrityError", reason: /fails its SHA-256 check|declares/ },
  },
  {
    name: "an object whose size differs from the size the message declares",
    send: { via: "sqs", message: (c) => storedPointer(c, Buffer.from(envelope()), { declaredSize: 3 }) },
    expected: { deadLettered: "IntegrityError", reason: /declares 3/ },
  },
  {
    name: "an offloaded body that is not valid UTF-8",
    send: {
      via: "sqs",
      message: (c) => storedPointer(c, withInvalidUtf8(envelope({}, { n: 1, text: "@@" }))),
    },
    expected: { deadLettered: "MalformedMessageError", reason: /not valid UTF-8/ },
  },
  // Found by an independent interop and hostile-input battery.
  {
    name: "a pointer in the legacy class (MessageS3Pointer) with the legacy size attribute (SQSLargePayloadSize)",
    send: { via: "sqs", message: (c) => storedPointer(c, Buffer.from(envelope()), { legacy: true }) },
    expected: { processed: true },
  },
  {
    name: "an envelope whose type quotes a character SQS refuses (U+FFFF): the reason escapes it",
    send: {
      via: "sqs",
      message: () => ({ body: escapedEnvelope({ type: "work\uFFFF" }), attributes: WORK }),
    },
    // The log line has the character itself; the dead letter's attribute has it escaped.
    expected: { deadLettered: "MalformedMessageError", reason: /envelope's type "work(\uFFFF|\\uffff)"/ },
  },
  {
    name: "a pointer naming a bucket with U+FFFE: the reason escapes it",
    send: {
      via: "sqs",
      message: () => jsonEscaped(pointerMessage({ s3BucketName: "evil\uFFFE", s3Key: "payloads/work/x" })),
    },
    // The log line has the character itself; the dead letter's attribute has it escaped.
    expected: {
      deadLettered: "HostilePointerError",
      reason: /names bucket "evil(\uFFFE|\\ufffe)"/,
      atOnce: true,
    },
  },
  {
    name: "a pointer key with a lone surrogate: hostile, dead-lettered at once",
    send: {
      via: "sqs",
      message: ({ bucket }) =>
        jsonEscaped(pointerMessage({ s3BucketName: bucket, s3Key: "payloads/work/\ud800.json" })),
    },
    expected: { deadLettered: "HostilePointerError", reason: /not a safe S3 key/, atOnce: true },
  },
  {
    name: "a handler's reason with a lone surrogate: the dead letter escapes it",
    send: {
      via: "sqs",
      message: () => ({
        body: escapedEnvelope({}, { n: 1, mode: "permanent", text: "Order x\ud800" }),
        attributes: WORK,
      }),
    },
    // The log line has the character itself; the dead letter's attribute has it escaped.
    expected: { deadLettered: "PermanentJobError", reason: /Order x(\ud800|\\ud800)/, atOnce: true },
  },
  {
    name: "a job with emoji that fails for good: dead-lettered with its reason, emoji intact",
    send: {
      via: "sqs",
      message: () => ({
        body: envelope({}, { n: 1, mode: "permanent", text: "🚀 launch 👍" }),
        attributes: WORK,
      }),
    },
    expected: { deadLettered: "PermanentJobError", reason: /can never succeed: 🚀 launch 👍/, atOnce: true },
  },
  {
    name: "a job of exactly 262,144 bytes that fails for good: dead-lettered with its reason, its body stored in S3",
    send: {
      via: "sqs",
      message: () => {
        const id = `hostile-at-the-limit-${Date.now()}`;
        const body = envelope({ id }, { n: 1, mode: "permanent", text: "" });
        const text = "a".repeat(SNS_LIMIT - Buffer.byteLength(body) - "jobTypeStringwork".length);
        return { body: envelope({ id }, { n: 1, mode: "permanent", text }), attributes: WORK };
      },
    },
    expected: { deadLettered: "PermanentJobError", reason: /can never succeed: a+/, atOnce: true },
  },
];
