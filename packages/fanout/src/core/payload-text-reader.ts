import type { Hash } from "node:crypto";
import { HostilePointerError } from "./errors.ts";
import type { JsonText } from "./json-from-pieces.ts";

/** A payload object's text, in one piece or, for a large one, in pieces (see `parseJsonText`). */
export interface PayloadText {
  readonly pieces: readonly string[];
  /** Its length in UTF-8 bytes, as stored. */
  readonly bytes: number;
  /** False when the bytes are not UTF-8; then `pieces` is empty. */
  readonly utf8: boolean;
}

/** The text as JSON to parse: one string, or the pieces of a large object. */
export function payloadJson(text: PayloadText): JsonText {
  return text.pieces.length === 1 ? (text.pieces[0] ?? "") : text.pieces;
}

/**
 * Above this size an object is read in pieces. V8 keeps a longer string in its large-object space, each one in
 * memory pages freshly mapped for it, which makes it several times slower to create than the same text in
 * pieces of regular size.
 */
export const WHOLE_READ_MAX_BYTES = 128 * 1024;
const PIECE_BYTES = 64 * 1024;
/** Above this size an object is read in parts of this size, so that its bytes and its text are never held whole together. */
export const PIECEWISE_READ_BYTES = 8 * 1024 * 1024;

/** The size of the pieces an object of `size` bytes is read in; none for one read as a whole. */
export function readPieceBytes(size: number): number | undefined {
  if (size <= WHOLE_READ_MAX_BYTES) return undefined;
  return size > PIECEWISE_READ_BYTES ? PIECEWISE_READ_BYTES : PIECE_BYTES;
}

/**
 * Reads an object into one buffer of its announced length (no list of chunks and no concatenated copy),
 * hashing as it goes, refusing to read past the cap, and decodes it once. The buffer never comes from Node's
 * shared pool, so its memory is released as soon as it is decoded.
 */
export async function readWholeText(
  stream: AsyncIterable<Uint8Array>,
  maxBytes: number,
  announced: number | undefined,
  hash: Hash,
): Promise<PayloadText> {
  let buffer = Buffer.allocUnsafeSlow(announced ?? 64 * 1024);
  let size = 0;
  for await (const chunk of stream) {
    if (size + chunk.length > maxBytes) throw capExceeded(maxBytes);
    if (size + chunk.length > buffer.length) {
      const grown = Buffer.allocUnsafeSlow(
        Math.min(maxBytes, Math.max(size + chunk.length, buffer.length * 2)),
      );
      buffer.copy(grown, 0, 0, size);
      buffer = grown;
    }
    buffer.set(chunk, size);
    hash.update(chunk);
    size += chunk.length;
  }
  try {
    return { pieces: [decodeUtf8(buffer.subarray(0, size))], bytes: size, utf8: true };
  } catch {
    return { pieces: [], bytes: size, utf8: false };
  } finally {
    buffer.buffer.transfer(0);
  }
}

/**
 * Reads an object into a part buffer of `partBytes` and decodes each full part as one piece of text, keeping a
 * character that straddles two parts for the next. At most one part of bytes is held beside the text.
 */
export async function readTextInPieces(
  stream: AsyncIterable<Uint8Array>,
  maxBytes: number,
  hash: Hash,
  partBytes: number,
): Promise<PayloadText> {
  const part = Buffer.allocUnsafeSlow(partBytes);
  const pieces: string[] = [];
  let filled = 0;
  let size = 0;
  let utf8 = true;
  const decodePart = (final: boolean) => {
    const end = final ? filled : completeCharacters(part, filled);
    if (utf8) {
      try {
        pieces.push(decodeUtf8(part.subarray(0, end)));
      } catch {
        utf8 = false;
      }
    }
    part.copyWithin(0, end, filled);
    filled -= end;
  };
  for await (const chunk of stream) {
    if (size + chunk.length > maxBytes) throw capExceeded(maxBytes);
    hash.update(chunk);
    size += chunk.length;
    for (let offset = 0; offset < chunk.length; ) {
      const taken = Math.min(chunk.length - offset, part.length - filled);
      part.set(chunk.subarray(offset, offset + taken), filled);
      filled += taken;
      offset += taken;
      if (filled === part.length) decodePart(false);
    }
  }
  decodePart(true);
  part.buffer.transfer(0);
  return utf8 ? { pieces, bytes: size, utf8 } : { pieces: [], bytes: size, utf8 };
}

const UTF8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** Decoding leniently would turn bad bytes into U+FFFD: a payload silently different from the one sent. */
function decodeUtf8(bytes: Uint8Array): string {
  return UTF8.decode(bytes);
}

/** How many of the first `length` bytes end on a whole UTF-8 character (a lead byte's sequence cut short stays out). */
export function completeCharacters(bytes: Uint8Array, length: number): number {
  let lead = length - 1;
  while (lead >= 0 && lead > length - 4 && ((bytes[lead] ?? 0) & 0xc0) === 0x80) lead--;
  if (lead < 0) return length;
  const byte = bytes[lead] ?? 0;
  const sequence = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
  return lead + sequence > length ? lead : length;
}

function capExceeded(maxBytes: number): HostilePointerError {
  return new HostilePointerError(`Payload object exceeds the ${maxBytes}-byte cap.`);
}
