import { createHash } from "node:crypto";
import {
  GetObjectCommand,
  type GetObjectCommandOutput,
  NoSuchKey,
  type S3Client,
  type ServerSideEncryption,
} from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import type { PayloadPointer } from "./claim-check.ts";
import { HostilePointerError, IntegrityError, MalformedMessageError, PayloadMissingError } from "./errors.ts";

/** Java's extended client refuses payloads above 2 GB; ours default lower, to fit a Lambda's memory. */
export const DEFAULT_MAX_PAYLOAD_BYTES = 256 * 1024 * 1024;
const MAX_KEY_BYTES = 1024;
const PART_SIZE_BYTES = 8 * 1024 * 1024;
const UTF8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

export interface PayloadStoreOptions {
  readonly s3: S3Client;
  /** The only bucket this store writes to and dereferences pointers into. */
  readonly bucket: string;
  /** Declared or stored sizes above this are refused before anything is read. */
  readonly maxPayloadBytes?: number;
  readonly serverSideEncryption?: ServerSideEncryption;
}

export function sha256Hex(body: Uint8Array | string): string {
  return createHash("sha256").update(body).digest("hex");
}

/** Keys that could escape the payload prefix, or that S3 would normalise, are hostile. */
function checkKey(key: string): void {
  if (
    key.length === 0 ||
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

/** The S3 side of the claim check: writes payload bodies, and reads them back only from its own bucket. */
export class PayloadStore {
  readonly bucket: string;
  readonly maxPayloadBytes: number;
  readonly #s3: S3Client;
  readonly #serverSideEncryption: ServerSideEncryption;

  constructor(options: PayloadStoreOptions) {
    this.#s3 = options.s3;
    this.bucket = options.bucket;
    this.maxPayloadBytes = options.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD_BYTES;
    this.#serverSideEncryption = options.serverSideEncryption ?? "AES256";
  }

  /** Multipart above 8 MiB, so memory stays bounded by the body that is already in memory. */
  async put(key: string, body: Buffer): Promise<PayloadPointer> {
    checkKey(key);
    const sha256 = sha256Hex(body);
    await new Upload({
      client: this.#s3,
      partSize: PART_SIZE_BYTES,
      queueSize: 4,
      params: {
        Bucket: this.bucket,
        Key: key,
        Body: body,
        ContentType: "application/json",
        ServerSideEncryption: this.#serverSideEncryption,
        Metadata: { sha256 },
      },
    }).done();
    return { bucket: this.bucket, key, sha256 };
  }

  /**
   * Reads the body a pointer names. Refuses other buckets, unsafe keys and oversized objects before reading,
   * and checks the declared size and the SHA-256 after.
   */
  async get(pointer: PayloadPointer, declaredSize?: number): Promise<string> {
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
    let response: GetObjectCommandOutput;
    try {
      response = await this.#s3.send(new GetObjectCommand({ Bucket: pointer.bucket, Key: pointer.key }));
    } catch (error) {
      if (error instanceof NoSuchKey || (error as { name?: string }).name === "NoSuchKey") {
        throw new PayloadMissingError(
          `Payload object s3://${pointer.bucket}/${pointer.key} does not exist (deleted or expired); the job cannot be read.`,
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
    const body = await readCapped(response.Body as AsyncIterable<Uint8Array>, this.maxPayloadBytes);
    if (declaredSize !== undefined && body.length !== declaredSize) {
      throw new IntegrityError(
        `Payload object is ${body.length} bytes but the message declares ${declaredSize}; it was changed after publishing.`,
      );
    }
    if (pointer.sha256 !== undefined && sha256Hex(body) !== pointer.sha256) {
      throw new IntegrityError(
        `Payload object s3://${pointer.bucket}/${pointer.key} fails its SHA-256 check; it was changed after publishing.`,
      );
    }
    try {
      return UTF8.decode(body);
    } catch (error) {
      // Decoding leniently would turn the bad bytes into U+FFFD: a payload silently different from the one sent.
      throw new MalformedMessageError(
        `Payload object s3://${pointer.bucket}/${pointer.key} is not valid UTF-8; it was not written by a Fanout producer.`,
        { cause: error },
      );
    }
  }
}

async function readCapped(stream: AsyncIterable<Uint8Array>, maxBytes: number): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of stream) {
    size += chunk.length;
    if (size > maxBytes) throw new HostilePointerError(`Payload object exceeds the ${maxBytes}-byte cap.`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size);
}
