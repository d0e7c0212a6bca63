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

/** Converts a Lambda record's attributes back to what `SendMessage` takes, keeping binary values. */
export function toSendableAttributes(
  attributes: SQSMessageAttributes | undefined,
): Record<string, MessageAttributeValue> {
  const sendable: Record<string, MessageAttributeValue> = {};
  for (const [name, value] of Object.entries(attributes ?? {})) {
    if (value.stringValue !== undefined) {
      sendable[name] = { DataType: value.dataType, StringValue: value.stringValue };
    } else if (value.binaryValue !== undefined) {
      sendable[name] = { DataType: value.dataType, BinaryValue: Buffer.from(value.binaryValue, "base64") };
    }
  }
  return sendable;
}
