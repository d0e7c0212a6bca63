import { createHash } from "node:crypto";
import { Readable } from "node:stream";
import type { GetObjectCommandOutput, S3Client, ServerSideEncryption } from "@aws-sdk/client-s3";
import type { PayloadPointer } from "./claim-check.ts";
import {
  ConfigurationError,
  errorName,
  HostilePointerError,
  IntegrityError,
  MalformedMessageError,
  PayloadMissingError,
} from "./errors.ts";
import { textSlices } from "./json-pieces.ts";
import { NO_FOLLOW_UPS } from "./lazy-aws-clients.ts";
import {
  type PayloadText,
  payloadJson,
  readPieceBytes,
  readTextInPieces,
  readWholeText,
} from "./payload-text-reader.ts";

/** Java's extended client refuses payloads above 2 GB; ours default lower, to fit a Lambda's memory. */
export const DEFAULT_MAX_PAYLOAD_BYTES = 256 * 1024 * 1024;
const MAX_KEY_BYTES = 1024;
const PART_SIZE_BYTES = 8 * 1024 * 1024;

export interface PayloadStoreOptions {
  readonly s3: S3Client;
  /** The only bucket this store writes to and dereferences pointers into. */
  readonly bucket: string;
  /** Declared or stored sizes above this are refused before anything is read. */
  readonly maxPayloadBytes?: number;
  readonly serverSideEncryption?: ServerSideEncryption;
  /**
   * Key prefixes pointers may lead into; any other key is refused, as the worker's IAM role refuses it on AWS.
   * Default: the whole bucket.
   */
  readonly readablePrefixes?: readonly string[];
  /**
   * An object older than this (and under `refresh.prefix`) is copied onto itself when read, which restarts the
   * bucket's expiry clock for a job that is still being retried or redriven. Default: never.
   */
  readonly refresh?: {
    readonly afterSeconds: number;
    readonly prefix: string;
    /** The job goes on without it; the next receive tries again. */
    readonly onFailure?: (key: string, error: unknown) => void;
  };
}

export function sha256Hex(body: Uint8Array | string): string {
  return createHash("sha256").update(body).digest("hex");
}

export interface StoredPayload extends PayloadPointer {
  readonly sha256: string;
  /** Bytes stored: the UTF-8 length of the body. */
  readonly size: number;
}

/** A body too large to hold as one string: read again, piece by piece, each time it is needed. */
export interface PiecewiseBody {
  /** Bytes of UTF-8 and their SHA-256, as the pieces read when it was measured. */
  readonly size: number;
  readonly sha256: string;
  readonly pieces: () => Iterable<string>;
}

/** One read of the pieces, keeping only their size and hash. */
export function measurePieces(pieces: () => Iterable<string>): PiecewiseBody {
  const hash = createHash("sha256");
  let size = 0;
  for (const piece of pieces()) {
    // Hashed from the string: no buffer of it is left behind for the collector.
    hash.update(piece, "utf8");
    size += Buffer.byteLength(piece, "utf8");
  }
  return { size, sha256: hash.digest("hex"), pieces };
}

/**
 * The body's bytes as they are uploaded, checked against the hash measured before the upload began: its
 * pointer and its object's metadata carry that hash, so a payload changed in between must not be stored.
 */
function* checkedBytes(body: PiecewiseBody): Generator<Buffer> {
  const hash = createHash("sha256");
  for (const piece of body.pieces()) {
    const bytes = Buffer.from(piece, "utf8");
    hash.update(bytes);
    yield bytes;
  }
  if (hash.digest("hex") !== body.sha256) {
    throw new Error(
      "the payload changed while it was being uploaded; leave a payload unchanged until its publish resolves",
    );
  }
}

/** Keys that could escape the payload prefix, or that S3 would normalise, are hostile. */
function checkKey(key: string): void {
  if (
    key.length === 0 ||
    // A lone surrogate has no UTF-8 form: S3 could not name it, and the SDK fails to encode it.
    !key.isWellFormed() ||
    Buffer.byteLength(key, "utf8") > MAX_KEY_BYTES ||
    key.startsWith("/") ||
    key.split("/").some((segment) => segment === ".." || segment === ".") ||
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what is refused
    /[\u0000-\u001f\u007f\\]/.test(key)
  ) {
    throw new HostilePointerError(
      `Pointer key ${JSON.stringify(key.slice(0, 200))} is not a safe S3 key; refusing it.`,
    );
  }
}

/** Reads payload bodies by pointer; a `PayloadStore`, or something that makes one when first needed. */
export interface PayloadReader {
  read(pointer: PayloadPointer, declaredSize?: number): Promise<PayloadText>;
}

/**
 * Stores payload bodies in one bucket: what a publisher needs of a store (`PayloadStore` is S3's). A body
 * comes whole, or, when it is too large to hold beside its payload, in pieces.
 */
export interface PayloadWriter {
  readonly bucket: string;
  readonly put: (key: string, body: string | PiecewiseBody) => Promise<StoredPayload>;
}

/** The S3 side of the claim check: writes payload bodies, and reads them back only from its own bucket. */
export class PayloadStore implements PayloadReader, PayloadWriter {
  readonly bucket: string;
  readonly maxPayloadBytes: number;
  readonly #s3: S3Client;
  readonly #serverSideEncryption: ServerSideEncryption;
  readonly #readablePrefixes: readonly string[] | undefined;
  readonly #refresh: PayloadStoreOptions["refresh"];

  constructor(options: PayloadStoreOptions) {
    this.#s3 = options.s3;
    this.bucket = options.bucket;
    this.maxPayloadBytes = options.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD_BYTES;
    this.#serverSideEncryption = options.serverSideEncryption ?? "AES256";
    this.#readablePrefixes = options.readablePrefixes;
    this.#refresh = options.refresh;
  }

  /**
   * Stores a body, multipart above 8 MiB. A body larger than one part is encoded piece by piece (once to hash
   * it, once to upload it), so memory stays near the size of what the caller already holds.
   */
  async put(key: string, body: string | PiecewiseBody): Promise<StoredPayload> {
    checkKey(key);
    let whole: PiecewiseBody;
    if (typeof body === "string") {
      if (Buffer.byteLength(body, "utf8") <= PART_SIZE_BYTES)
        return this.#putObject(key, Buffer.from(body, "utf8"));
      whole = measurePieces(() => textSlices(body));
    } else {
      whole = body;
      if (whole.size <= PART_SIZE_BYTES) {
        return this.#putObject(
          key,
          Buffer.concat(Array.from(whole.pieces(), (piece) => Buffer.from(piece, "utf8"))),
        );
      }
    }
    // Only follow-ups upload this much from a function; a bundle without them leaves lib-storage out.
    if (process.env.FANOUT_FOLLOW_UPS === "none") throw new ConfigurationError(NO_FOLLOW_UPS);
    const { Upload } = await import("@aws-sdk/lib-storage");
    await new Upload({
      client: this.#s3,
      partSize: PART_SIZE_BYTES,
      queueSize: 4,
      params: { ...this.#objectParams(key, whole.sha256), Body: Readable.from(checkedBytes(whole)) },
    }).done();
    return { bucket: this.bucket, key, sha256: whole.sha256, size: whole.size };
  }

  /** One request: below a part's size a multipart upload would be a PutObject anyway, after loading lib-storage. */
  async #putObject(key: string, content: Buffer): Promise<StoredPayload> {
    const sha256 = sha256Hex(content);
    const { PutObjectCommand } = await import("@aws-sdk/client-s3");
    await this.#s3.send(new PutObjectCommand({ ...this.#objectParams(key, sha256), Body: content }));
    return { bucket: this.bucket, key, sha256, size: content.length };
  }

  #objectParams(key: string, sha256: string) {
    return {
      Bucket: this.bucket,
      Key: key,
      ContentType: "application/json",
      ServerSideEncryption: this.#serverSideEncryption,
      Metadata: { sha256 },
    };
  }

  /** The body a pointer names, as one string (see `read`). */
  async get(pointer: PayloadPointer, declaredSize?: number): Promise<string> {
    const json = payloadJson(await this.read(pointer, declaredSize));
    return typeof json === "string" ? json : json.join("");
  }

  /**
   * Reads the body a pointer names: one piece of text, or for an object above `WHOLE_READ_MAX_BYTES` its
   * pieces (see `parseJsonText`). Refuses other buckets, unsafe keys and oversized objects before reading, and checks
   * the declared size and the SHA-256 after.
   */
  async read(pointer: PayloadPointer, declaredSize?: number): Promise<PayloadText> {
    if (pointer.bucket !== this.bucket) {
      throw new HostilePointerError(
        `Pointer names bucket "${pointer.bucket}", but this consumer reads only "${this.bucket}"; refusing it.`,
      );
    }
    checkKey(pointer.key);
    if (declaredSize !== undefined && declaredSize > this.maxPayloadBytes) {
      throw new HostilePointerError(
        `Pointer declares ${declaredSize} bytes, above the ${this.maxPayloadBytes}-byte cap; refusing to read it.`,
      );
    }
    const readable = this.#readablePrefixes;
    if (readable && !readable.some((prefix) => pointer.key.startsWith(prefix))) {
      throw new HostilePointerError(
        `Pointer key ${JSON.stringify(pointer.key.slice(0, 200))} is outside the prefixes this consumer reads (${readable.join(", ")}); refusing it. A foreign producer's payloads need the job's worker.foreignPayloadPrefix.`,
      );
    }
    const { GetObjectCommand } = await import("@aws-sdk/client-s3");
    let response: GetObjectCommandOutput;
    try {
      response = await this.#s3.send(new GetObjectCommand({ Bucket: pointer.bucket, Key: pointer.key }));
    } catch (error) {
      const name = errorName(error);
      if (name === "NoSuchKey") {
        throw new PayloadMissingError(
          `Payload object s3://${pointer.bucket}/${pointer.key} does not exist (deleted, or expired by the bucket's lifecycle); the job cannot be read. Publish it again.`,
          { cause: error },
        );
      }
      if (name === "AccessDenied") {
        throw new HostilePointerError(
          `This consumer may not read s3://${pointer.bucket}/${pointer.key} (AccessDenied); a foreign producer's payloads need the job's worker.foreignPayloadPrefix.`,
          { cause: error },
        );
      }
      throw error;
    }
    const length = response.ContentLength;
    if (length !== undefined && length > this.maxPayloadBytes) {
      (response.Body as { destroy?: () => void } | undefined)?.destroy?.();
      throw new HostilePointerError(
        `Payload object is ${length} bytes, above the ${this.maxPayloadBytes}-byte cap.`,
      );
    }
    const hash = createHash("sha256");
    const body = response.Body as AsyncIterable<Uint8Array>;
    const pieceBytes = readPieceBytes(length ?? declaredSize ?? 0);
    const text = pieceBytes
      ? await readTextInPieces(body, this.maxPayloadBytes, hash, pieceBytes)
      : await readWholeText(body, this.maxPayloadBytes, length, hash);
    if (declaredSize !== undefined && text.bytes !== declaredSize) {
      throw new IntegrityError(
        `Payload object is ${text.bytes} bytes but the message declares ${declaredSize}; it was changed after publishing.`,
      );
    }
    if (pointer.sha256 !== undefined && hash.digest("hex") !== pointer.sha256) {
      throw new IntegrityError(
        `Payload object s3://${pointer.bucket}/${pointer.key} fails its SHA-256 check; it was changed after publishing.`,
      );
    }
    await this.#refreshIfOld(pointer.key, response);
    if (!text.utf8) {
      throw new MalformedMessageError(
        `Payload object s3://${pointer.bucket}/${pointer.key} is not valid UTF-8; it was not written by a Fanout producer.`,
      );
    }
    return text;
  }

  /** Copying an object onto itself makes it a new object to S3's lifecycle rules, with its age reset to zero. */
  async #refreshIfOld(key: string, read: GetObjectCommandOutput): Promise<void> {
    const refresh = this.#refresh;
    const modified = read.LastModified?.getTime();
    if (!refresh || modified === undefined || !key.startsWith(refresh.prefix)) return;
    if (Date.now() - modified < refresh.afterSeconds * 1000) return;
    try {
      const { CopyObjectCommand } = await import("@aws-sdk/client-s3");
      await this.#s3.send(
        new CopyObjectCommand({
          Bucket: this.bucket,
          Key: key,
          CopySource: `${this.bucket}/${key.split("/").map(encodeURIComponent).join("/")}`,
          // S3 refuses a copy onto itself that changes nothing; replacing the metadata with itself is a change.
          MetadataDirective: "REPLACE",
          Metadata: read.Metadata ?? {},
          ContentType: read.ContentType ?? "application/json",
          ServerSideEncryption: this.#serverSideEncryption,
        }),
      );
    } catch (error) {
      refresh.onFailure?.(key, error);
    }
  }
}
