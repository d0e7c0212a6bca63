import type { MessageAttributeValue } from "@aws-sdk/client-sqs";

/**
 * SQS's documented rules for a message (SendMessage, "Amazon SQS message quotas", "message metadata"), written
 * out here on their own so that a test can hold Fanout's output against them: the local emulator checks
 * almost none of the attribute rules, and AWS refuses the whole message for any one of them.
 */
const ALLOWED = /^[\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]*$/u;
const MAX_ATTRIBUTES = 10;
const MAX_NAME = 256;
const DATA_TYPE = /^(String|Number|Binary)(\.[^\s]{1,250})?$/;

export interface SqsMessage {
  readonly MessageBody?: string | undefined;
  readonly MessageAttributes?: Record<string, MessageAttributeValue> | undefined;
}

/** Every rule the message breaks, in words; empty when SQS would take it into a queue of `maxBytes`. */
export function sqsRefusals(message: SqsMessage, maxBytes: number): string[] {
  const refusals: string[] = [];
  const body = message.MessageBody ?? "";
  if (body.length === 0) refusals.push("empty body");
  if (!ALLOWED.test(body)) refusals.push("body has a character outside the allowed set");
  const attributes = Object.entries(message.MessageAttributes ?? {});
  if (attributes.length > MAX_ATTRIBUTES)
    refusals.push(`${attributes.length} attributes (at most ${MAX_ATTRIBUTES})`);
  let size = Buffer.byteLength(body, "utf8");
  for (const [name, value] of attributes) {
    if (
      name.length > MAX_NAME ||
      !/^[A-Za-z0-9_.-]+$/.test(name) ||
      name.startsWith(".") ||
      name.endsWith(".") ||
      name.includes("..") ||
      /^(aws|amazon)\./i.test(name)
    ) {
      refusals.push(`attribute name ${JSON.stringify(name)}`);
    }
    const type = value.DataType ?? "";
    if (!DATA_TYPE.test(type)) refusals.push(`${name}: data type ${JSON.stringify(type)}`);
    if (type.startsWith("Binary")) {
      size += Buffer.byteLength(name) + Buffer.byteLength(type) + (value.BinaryValue?.byteLength ?? 0);
      continue;
    }
    const text = value.StringValue;
    if (text === undefined || text === "") refusals.push(`${name}: empty value`);
    else if (!ALLOWED.test(text)) refusals.push(`${name}: value has a character outside the allowed set`);
    if (type.startsWith("Number") && (text === undefined || !/^-?\d+(\.\d+)?(e[-+]?\d+)?$/i.test(text))) {
      refusals.push(`${name}: not a number`);
    }
    size += Buffer.byteLength(name) + Buffer.byteLength(type) + Buffer.byteLength(text ?? "");
  }
  if (size > maxBytes) refusals.push(`${size} bytes (at most ${maxBytes})`);
  return refusals;
}
