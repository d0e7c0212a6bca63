import type { MessageAttributeValue } from "@aws-sdk/client-sqs";
import type { SQSMessageAttributes } from "aws-lambda";

/** A record's message attributes as plain strings, from an SQS record or an SNS notification alike. */
export type AttributeStrings = Readonly<Record<string, string>>;

export function recordAttributeStrings(attributes: SQSMessageAttributes | undefined): AttributeStrings {
  const strings: Record<string, string> = {};
  for (const [name, value] of Object.entries(attributes ?? {})) {
    if (value.stringValue !== undefined) strings[name] = value.stringValue;
  }
  return strings;
}

/** A received message's attributes as Lambda's SQS event source hands them to a handler (binary as base64). */
export function lambdaAttributes(
  attributes: Readonly<Record<string, MessageAttributeValue>> | undefined,
): SQSMessageAttributes {
  const converted: SQSMessageAttributes = {};
  for (const [name, value] of Object.entries(attributes ?? {})) {
    converted[name] = {
      dataType: value.DataType ?? "String",
      stringListValues: [],
      binaryListValues: [],
      ...(value.StringValue !== undefined ? { stringValue: value.StringValue } : {}),
      ...(value.BinaryValue !== undefined
        ? { binaryValue: Buffer.from(value.BinaryValue).toString("base64") }
        : {}),
    };
  }
  return converted;
}

/** A Lambda record's attributes back as `SendMessage` takes them, binary values kept, `omit` left out. */
export function toSendableAttributes(
  attributes: SQSMessageAttributes | undefined,
  omit: ReadonlySet<string> = new Set(),
): Record<string, MessageAttributeValue> {
  const sendable: Record<string, MessageAttributeValue> = {};
  for (const [name, value] of Object.entries(attributes ?? {})) {
    if (omit.has(name)) continue;
    if (value.stringValue !== undefined) {
      sendable[name] = { DataType: value.dataType, StringValue: value.stringValue };
    } else if (value.binaryValue !== undefined) {
      sendable[name] = { DataType: value.dataType, BinaryValue: Buffer.from(value.binaryValue, "base64") };
    }
  }
  return sendable;
}
