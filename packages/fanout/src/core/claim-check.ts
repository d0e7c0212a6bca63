import { MalformedMessageError } from "./errors.ts";

/**
 * The claim-check wire format of AWS's extended client libraries (Java `amazon-sqs-java-extended-client-lib`,
 * `amazon-sns-java-extended-client-lib`, Python `sns-extended-client`), so their consumers read our jobs
 * and we read theirs.
 */
export const POINTER_CLASS = "software.amazon.payloadoffloading.PayloadS3Pointer";
/**
 * The class name older Java clients (amazon-sqs-java-extended-client-lib 1.x) and AWS's Python clients with
 * `use_legacy_attribute` write; AWS's current Java client reads it and rewrites it to `POINTER_CLASS`.
 */
export const LEGACY_POINTER_CLASS = "com.amazon.sqs.javamessaging.MessageS3Pointer";
const POINTER_CLASSES: readonly string[] = [POINTER_CLASS, LEGACY_POINTER_CLASS];
export const SIZE_ATTRIBUTE = "ExtendedPayloadSize";
export const LEGACY_SIZE_ATTRIBUTE = "SQSLargePayloadSize";
export const JOB_TYPE_ATTRIBUTE = "jobType";

/** SNS's maximum request size, body and attributes together. */
export const SNS_MAX_MESSAGE_BYTES = 262_144;
/**
 * The size the stack gives every queue (`max_message_size`; the Terraform AWS provider 5.x accepts no more),
 * counted like SNS's: a dead letter must fit it with its reason attributes.
 */
export const SQS_MAX_MESSAGE_BYTES = 262_144;

export interface PayloadPointer {
  readonly bucket: string;
  readonly key: string;
  /** Hex SHA-256 of the stored body; a Fanout extension that AWS's readers ignore. */
  readonly sha256?: string;
}

export interface StringAttribute {
  readonly DataType: string;
  readonly StringValue: string;
}

/**
 * The two forms a pointer message can take: `current`, what AWS's current extended clients write
 * (`PayloadS3Pointer`, with `ExtendedPayloadSize`), or `legacy`, for readers that know only the older names
 * (`MessageS3Pointer`, with `SQSLargePayloadSize`): sns-sqs-big-payload's consumer and the 1.x Java clients.
 */
export type PointerFormat = "current" | "legacy";

export function encodePointer(pointer: PayloadPointer, format: PointerFormat = "current"): string {
  const fields: Record<string, string> = { s3BucketName: pointer.bucket, s3Key: pointer.key };
  if (pointer.sha256) fields.sha256 = pointer.sha256;
  return JSON.stringify([format === "legacy" ? LEGACY_POINTER_CLASS : POINTER_CLASS, fields]);
}

/** The size attribute a pointer message of this format carries. */
export function sizeAttributeOf(format: PointerFormat): string {
  return format === "legacy" ? LEGACY_SIZE_ATTRIBUTE : SIZE_ATTRIBUTE;
}

/**
 * Returns the pointer a body carries, in either class name, or undefined for a body that is not a pointer.
 * Accepts any JSON spacing (Python's `json.dumps` adds spaces that Java's Jackson does not).
 */
export function decodePointer(body: string): PayloadPointer | undefined {
  if (!body.trimStart().startsWith("[") || !POINTER_CLASSES.some((name) => body.includes(name)))
    return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (!Array.isArray(parsed) || !POINTER_CLASSES.includes(parsed[0])) return undefined;
  const fields = parsed[1] as Record<string, unknown> | undefined;
  if (
    parsed.length !== 2 ||
    typeof fields !== "object" ||
    fields === null ||
    typeof fields.s3BucketName !== "string" ||
    typeof fields.s3Key !== "string"
  ) {
    throw new MalformedMessageError(
      "Claim-check pointer lacks s3BucketName or s3Key; the producer wrote a broken pointer.",
    );
  }
  const sha256 = fields.sha256;
  if (sha256 !== undefined && (typeof sha256 !== "string" || !/^[0-9a-f]{64}$/.test(sha256))) {
    throw new MalformedMessageError("Claim-check pointer carries a sha256 that is not 64 hex digits.");
  }
  return { bucket: fields.s3BucketName, key: fields.s3Key, ...(sha256 ? { sha256 } : {}) };
}
