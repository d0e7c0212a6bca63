import { randomUUID } from "node:crypto";
import {
  encodePointer,
  JOB_TYPE_ATTRIBUTE,
  type PointerFormat,
  type StringAttribute,
  sizeAttributeOf,
} from "./claim-check.ts";
import {
  ENVELOPE_VERSION,
  encodeEnvelope,
  encodeEnvelopePieces,
  type JobEnvelope,
  MAX_ID_LENGTH,
} from "./envelope.ts";
import { errorMessage, FanoutError, JobValidationError, PublishError } from "./errors.ts";
import { jsonBytesExceed } from "./json-pieces.ts";
import { payloadKey } from "./naming.ts";
import { type FifoIds, fifoIdsOf } from "./ordering.ts";
import {
  measurePieces,
  type PayloadWriter,
  type PiecewiseBody,
  type StoredPayload,
} from "./payload-store.ts";
import type { PreparedMessage } from "./publish-outcome.ts";
import { parsePayload, type Registry, requireJob } from "./registry.ts";
import { messageSize } from "./sqs-limits.ts";

export interface JobToEncode {
  readonly type: string;
  readonly payload: unknown;
  readonly jobId?: string | undefined;
  readonly correlationId?: string | undefined;
  /** The envelope's `createdAt`; default now. */
  readonly createdAt?: Date | undefined;
}

/** A job whose message is too large for SNS: its envelope goes to S3 first. */
export interface OffloadRequest {
  readonly offload: true;
  readonly jobId: string;
  readonly type: string;
  readonly body: string | PiecewiseBody;
  readonly attributes: Record<string, StringAttribute>;
  readonly key: string;
  /** An ordered type's ids: the pointer message carries them as the inline message would. */
  readonly fifo?: FifoIds;
}

/**
 * A payload certainly larger than this in JSON is never serialised into one string, which would hold two
 * more copies of it at once (`JSON.stringify` builds its result in parts, then joins them): its envelope is
 * measured, then uploaded, piece by piece. Above a multipart upload's part size, so smaller payloads keep
 * the single serialisation and `PutObject`.
 */
const PIECEWISE_PAYLOAD_BYTES = 8 * 1024 * 1024;

export interface EncodingOptions {
  /** A message larger than this (body and attributes, as SNS counts) is offloaded. */
  readonly thresholdBytes: number;
  readonly alwaysOffload: boolean;
}

/**
 * Validates a job and encodes its envelope: the SNS message itself, or what to offload. Synchronous, because
 * most jobs need no S3 upload and a promise each is costly.
 */
export function encodeJob(
  registry: Registry,
  job: JobToEncode,
  options: EncodingOptions,
): PreparedMessage | OffloadRequest {
  const definition = requireJob(registry, job.type);
  const parsed = parsePayload(definition, job.payload);
  // The consumer refuses envelopes whose ids it cannot index (see envelope.ts): refuse them here, unsent.
  const badIds = (["jobId", "correlationId"] as const).filter((field) => !isIndexableId(job[field]));
  if (badIds.length > 0) {
    throw new JobValidationError(
      job.type,
      badIds.map((path) => ({ path, message: `must be 1 to ${MAX_ID_LENGTH} characters` })),
    );
  }
  const createdAt = job.createdAt?.getTime() ?? Date.now();
  const id = job.jobId ?? randomUUID();
  const fifo = fifoIdsOf(definition, parsed, id);
  const envelope: JobEnvelope = {
    v: ENVELOPE_VERSION,
    id,
    type: job.type,
    createdAt: isoTime(createdAt),
    ...(job.correlationId ? { correlationId: job.correlationId } : {}),
    payload: job.payload,
  };
  const attributes = typeAttributes(job.type);
  if (jsonBytesExceed(job.payload, PIECEWISE_PAYLOAD_BYTES)) {
    // Measured now, while the caller waits, as the whole string would have been: a payload that cannot be
    // serialised (a BigInt, a cycle) fails here, before anything is stored.
    return offloadRequest(
      envelope,
      measurePieces(() => encodeEnvelopePieces(envelope)),
      createdAt,
      fifo,
    );
  }
  const body = encodeEnvelope(envelope);
  const inlineSize = messageSize(body, attributes);
  if (inlineSize <= options.thresholdBytes && !options.alwaysOffload) {
    return {
      jobId: envelope.id,
      type: job.type,
      body,
      attributes,
      size: inlineSize,
      offloaded: false,
      ...(fifo ? { fifo } : {}),
    };
  }
  return offloadRequest(envelope, body, createdAt, fifo);
}

function isIndexableId(id: string | undefined): boolean {
  return id === undefined || (id.length >= 1 && id.length <= MAX_ID_LENGTH);
}

function offloadRequest(
  envelope: JobEnvelope,
  body: string | PiecewiseBody,
  createdAt: number,
  fifo: FifoIds | undefined,
): OffloadRequest {
  return {
    offload: true,
    jobId: envelope.id,
    type: envelope.type,
    body,
    attributes: typeAttributes(envelope.type),
    key: payloadKey(envelope.type, envelope.id, new Date(createdAt)),
    ...(fifo ? { fifo } : {}),
  };
}

/** The last time formatted: the jobs of a `publishMany` window are mostly encoded within one millisecond. */
let lastTime = { ms: Number.NaN, iso: "" };

function isoTime(ms: number): string {
  if (ms !== lastTime.ms) lastTime = { ms, iso: new Date(ms).toISOString() };
  return lastTime.iso;
}

/** Every message of a type carries the same attributes; nothing writes to them, so one object serves all. */
const attributesByType = new Map<string, Readonly<Record<string, StringAttribute>>>();

function typeAttributes(type: string): Readonly<Record<string, StringAttribute>> {
  let attributes = attributesByType.get(type);
  if (!attributes) {
    attributes = Object.freeze({
      [JOB_TYPE_ATTRIBUTE]: Object.freeze({ DataType: "String", StringValue: type }),
    });
    attributesByType.set(type, attributes);
  }
  return attributes;
}

/** Stores the envelope, then returns the pointer message: the object exists before anything points at it. */
export async function offloadJob(
  request: OffloadRequest,
  payloads: PayloadWriter,
  format: PointerFormat,
): Promise<PreparedMessage> {
  const { jobId, type, body, attributes, key, fifo } = request;
  let pointer: StoredPayload;
  try {
    pointer = await payloads.put(key, body);
  } catch (error) {
    if (error instanceof FanoutError) throw error;
    throw new PublishError(
      `Could not store the payload of job ${jobId} (${type}) in s3://${payloads.bucket}/${key}: ${errorMessage(error)}; nothing was published. Try again.`,
      { cause: error, jobType: type, jobId },
    );
  }
  const pointerAttributes = {
    ...attributes,
    [sizeAttributeOf(format)]: { DataType: "Number", StringValue: String(pointer.size) },
  };
  const pointerBody = encodePointer(pointer, format);
  return {
    jobId,
    type,
    body: pointerBody,
    attributes: pointerAttributes,
    size: messageSize(pointerBody, pointerAttributes),
    offloaded: true,
    payloadKey: pointer.key,
    ...(fifo ? { fifo } : {}),
  };
}
