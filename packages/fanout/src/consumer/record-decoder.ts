import type { SQSRecord } from "aws-lambda";
import {
  decodePointer,
  JOB_TYPE_ATTRIBUTE,
  LEGACY_SIZE_ATTRIBUTE,
  SIZE_ATTRIBUTE,
} from "../core/claim-check.ts";
import {
  decodeEnvelope,
  ENVELOPE_VERSION,
  type JobEnvelope,
  looksLikeEnvelope,
  MAX_ID_LENGTH,
} from "../core/envelope.ts";
import { MalformedMessageError } from "../core/errors.ts";
import { type JsonText, jsonTextLength, parseJsonText } from "../core/json-from-pieces.ts";
import type { PayloadReader } from "../core/payload-store.ts";
import { payloadJson } from "../core/payload-text-reader.ts";
import { JOB_ID_ATTRIBUTE } from "./dead-letter.ts";
import { type AttributeStrings, recordAttributeStrings } from "./message-attributes.ts";

export interface DecodedJob {
  readonly envelope: JobEnvelope;
  readonly offloaded: boolean;
  /** The body the job was read from, in UTF-8 bytes: the message itself, or the object a pointer names. */
  readonly payloadBytes: number;
  /** True when the body was not a Fanout envelope, as from AWS's Java or Python extended clients. */
  readonly foreign: boolean;
}

export interface DecodeOptions {
  readonly payloads: PayloadReader;
  /** Notifications from any other topic are refused. */
  readonly topicArn: string;
}

interface Unwrapped {
  readonly body: string;
  readonly attributes: AttributeStrings;
  readonly messageId: string;
}

/** What the consumer reads of an SNS notification (SNS's JSON format for SQS endpoints). */
const NOTIFICATION_FIELDS = ["MessageId", "TopicArn", "Message"] as const;

/** Raw delivery leaves the SNS message as the body; otherwise it is inside an SNS notification. */
function unwrapNotification(record: SQSRecord, topicArn: string): Unwrapped {
  const raw = {
    body: record.body,
    attributes: recordAttributeStrings(record.messageAttributes),
    messageId: record.messageId,
  };
  if (!record.body.includes('"Notification"')) return raw;
  let parsed: unknown;
  try {
    parsed = JSON.parse(record.body);
  } catch {
    return raw;
  }
  if ((parsed as { Type?: unknown } | null)?.Type !== "Notification") return raw;
  const notification = parsed as Record<string, unknown>;
  const missing = NOTIFICATION_FIELDS.filter((field) => typeof notification[field] !== "string");
  const messageAttributes = notification.MessageAttributes ?? {};
  if (missing.length > 0 || typeof messageAttributes !== "object" || messageAttributes === null) {
    throw new MalformedMessageError(
      `Body looks like an SNS notification but lacks its required fields (${missing.join(", ") || "MessageAttributes"}).`,
    );
  }
  const { TopicArn, Message, MessageId } = notification as Record<
    (typeof NOTIFICATION_FIELDS)[number],
    string
  >;
  if (TopicArn !== topicArn) {
    throw new MalformedMessageError(
      `SNS notification comes from ${TopicArn}, not from this consumer's topic ${topicArn}.`,
    );
  }
  const attributes: Record<string, string> = {};
  for (const [name, value] of Object.entries(messageAttributes)) {
    const text = (value as { Value?: unknown } | null)?.Value;
    if (typeof text === "string") attributes[name] = text;
  }
  return { body: Message, attributes, messageId: MessageId };
}

function declaredSize(attributes: AttributeStrings): number | undefined {
  const value = attributes[SIZE_ATTRIBUTE] ?? attributes[LEGACY_SIZE_ATTRIBUTE];
  if (value === undefined) return undefined;
  const size = Number(value);
  if (!Number.isSafeInteger(size) || size < 0) {
    throw new MalformedMessageError(
      `Declared payload size ${JSON.stringify(value)} is not a whole number of bytes.`,
    );
  }
  return size;
}

/** Its first message id, which its dead letter carries along, so that a redrive does not change it. */
function foreignJobId(message: Unwrapped): string {
  const carried = message.attributes[JOB_ID_ATTRIBUTE];
  return carried && carried.length <= MAX_ID_LENGTH ? carried : message.messageId;
}

/**
 * Turns an SQS record into the job it carries: unwraps an SNS notification, resolves a claim-check pointer
 * (only into the configured bucket), and reads the envelope. A body that is not a Fanout envelope is taken as
 * the payload of the type its `jobType` attribute names, so producers using AWS's own extended clients work.
 */
export async function decodeRecord(record: SQSRecord, options: DecodeOptions): Promise<DecodedJob> {
  const message = unwrapNotification(record, options.topicArn);
  const pointer = decodePointer(message.body);
  const declared = declaredSize(message.attributes);
  const stored = pointer ? await options.payloads.read(pointer, declared) : undefined;
  const body: JsonText = stored ? payloadJson(stored) : message.body;
  const payloadBytes = stored ? stored.bytes : Buffer.byteLength(message.body, "utf8");
  const attributeType = message.attributes[JOB_TYPE_ATTRIBUTE];
  if (looksLikeEnvelope(body)) {
    const envelope = decodeEnvelope(body);
    if (attributeType !== undefined && attributeType !== envelope.type) {
      throw new MalformedMessageError(
        `Message attribute ${JOB_TYPE_ATTRIBUTE}="${attributeType}" disagrees with the envelope's type "${envelope.type}".`,
      );
    }
    return { envelope, offloaded: pointer !== undefined, payloadBytes, foreign: false };
  }
  if (attributeType === undefined) {
    throw new MalformedMessageError(
      `Message has no ${JOB_TYPE_ATTRIBUTE} attribute and is not a Fanout envelope; publish it with a ${JOB_TYPE_ATTRIBUTE} attribute.`,
    );
  }
  let payload: unknown;
  try {
    payload = parseJsonText(body);
  } catch {
    throw new MalformedMessageError(`Message body is not JSON (${jsonTextLength(body)} characters).`);
  }
  const sent = Number(record.attributes.SentTimestamp);
  return {
    envelope: {
      v: ENVELOPE_VERSION,
      id: foreignJobId(message),
      type: attributeType,
      createdAt: new Date(Number.isFinite(sent) ? sent : Date.now()).toISOString(),
      payload,
    },
    offloaded: pointer !== undefined,
    payloadBytes,
    foreign: true,
  };
}
