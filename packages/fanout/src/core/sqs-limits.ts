/**
 * What SQS accepts in a message, from its documentation ("Amazon SQS message quotas", SendMessage): the
 * characters of the XML 1.0 character set, in the body and in every string attribute value alike; at most 10
 * message attributes; and a size, counted body plus every attribute's name, type and value, of at most the
 * queue's MaximumMessageSize. The local emulator checks none of the attribute rules, so Fanout checks itself.
 */

/** Anything outside #x9 | #xA | #xD | #x20-#xD7FF | #xE000-#xFFFD | #x10000-#x10FFFF (lone surrogates included). */
export const CHARACTERS_SQS_REFUSES = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

export const MAX_MESSAGE_ATTRIBUTES = 10;

/** `ReceiveMessage` returns at most 10 messages per call. */
export const MAX_RECEIVE_MESSAGES = 10;

/** A name SQS accepts: letters, digits, `-`, `_` and `.`, no leading, trailing or double `.`, not `AWS.`/`Amazon.`. */
export function isValidAttributeName(name: string): boolean {
  return (
    /^[A-Za-z0-9_.-]{1,256}$/.test(name) &&
    !name.startsWith(".") &&
    !name.endsWith(".") &&
    !name.includes("..") &&
    !/^(aws|amazon)\./i.test(name)
  );
}

/**
 * Text SQS will take as an attribute value, at most `maxCharacters` long: every character it refuses becomes
 * a visible `\uXXXX` escape, so an operator still reads what it was, and a cut never splits a surrogate pair.
 */
export function sqsText(text: string, maxCharacters: number): string {
  const escaped = text.replace(
    CHARACTERS_SQS_REFUSES,
    (c) => `\\u${(c.codePointAt(0) ?? 0).toString(16).padStart(4, "0")}`,
  );
  if (escaped.length <= maxCharacters) return escaped;
  let end = maxCharacters - 1;
  const last = escaped.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return `${escaped.slice(0, end)}…`;
}

/** An attribute as SQS counts its size: name, data type and value (a binary value by its bytes). */
export interface CountedAttribute {
  readonly DataType?: string | undefined;
  readonly StringValue?: string | undefined;
  readonly BinaryValue?: Uint8Array | undefined;
}

/** A message's size as SQS (and SNS) count it: the body's UTF-8 bytes plus every attribute's. */
export function messageSize(body: string, attributes: Readonly<Record<string, CountedAttribute>>): number {
  let size = Buffer.byteLength(body, "utf8");
  for (const [name, attribute] of Object.entries(attributes)) {
    size += Buffer.byteLength(name, "utf8") + Buffer.byteLength(attribute.DataType ?? "String", "utf8");
    size += attribute.BinaryValue
      ? attribute.BinaryValue.byteLength
      : Buffer.byteLength(attribute.StringValue ?? "", "utf8");
  }
  return size;
}
