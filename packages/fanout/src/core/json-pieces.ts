import { types } from "node:util";

/**
 * Characters of JSON text per piece: small enough that a piece, and the buffer of its UTF-8, are ordinary
 * young objects that the next scavenge frees. Pieces of a megabyte went to V8's large-object space, which
 * only a full collection empties, and hundreds of megabytes of spent pieces piled up before one came.
 */
const PIECE_CHARACTERS = 32 * 1024;

type Container = Record<string, unknown> | unknown[];

const isRawJson = (JSON as { isRawJSON?: (value: unknown) => boolean }).isRawJSON ?? (() => false);

/** Nesting read by `jsonBytesExceed`; deeper containers count only their brackets, which keeps it a bound. */
const MAX_DEPTH = 100;

/**
 * Values `JSON.stringify` serialises by their own rules (a `toJSON` method, a boxed primitive, raw JSON): their
 * text is only known by serialising them, and they may even be left out.
 */
function isOpaque(value: object): boolean {
  if (typeof (value as { toJSON?: unknown }).toJSON === "function") return true;
  const prototype = Object.getPrototypeOf(value);
  if (prototype === Object.prototype || prototype === Array.prototype) return false;
  return types.isBoxedPrimitive(value) || isRawJson(value);
}

function isContainer(value: unknown): value is Container {
  return typeof value === "object" && value !== null && !isOpaque(value);
}

/**
 * Bytes of UTF-8 that the JSON of `value` certainly takes, counted until they pass `limit`; -1 for a value
 * that may be left out of its holder.
 */
function leastBytes(value: unknown, limit: number, depth: number): number {
  switch (typeof value) {
    case "string":
      // Every UTF-16 code unit takes at least one byte of UTF-8, escaped or not.
      return value.length + 2;
    case "number":
      return 1;
    case "boolean":
      return 4;
    case "object":
      break;
    default:
      return -1;
  }
  if (value === null) return 4;
  if (!isContainer(value)) return -1;
  let bound = 2;
  if (depth >= MAX_DEPTH) return bound;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length && bound <= limit; i++) {
      const element = leastBytes(value[i], limit - bound, depth + 1);
      // An element left out becomes `null`; one with a `toJSON` takes at least a byte.
      bound += (element < 0 ? 1 : element) + (i > 0 ? 1 : 0);
    }
    return bound;
  }
  let counted = 0;
  for (const key of Object.keys(value)) {
    if (bound > limit) break;
    const member = leastBytes(value[key], limit - bound, depth + 1);
    if (member < 0) continue;
    // Every UTF-16 code unit of the key takes a byte too, with its quotes, the colon, and a comma before all but the first.
    bound += member + key.length + 3 + (counted > 0 ? 1 : 0);
    counted += 1;
  }
  return bound;
}

/**
 * Whether `JSON.stringify(value)` is certainly more than `limit` bytes of UTF-8. Reads the value without
 * serialising it and stops as soon as its lower bound passes the limit, so a small value is read once and a
 * large one only up to the limit; a cycle ends it too.
 */
export function jsonBytesExceed(value: unknown, limit: number): boolean {
  return leastBytes(value, limit, 0) > limit;
}

/** A long string in slices of at most `characters`, never cutting a surrogate pair. */
export function* textSlices(text: string, characters = PIECE_CHARACTERS): Generator<string> {
  for (let start = 0; start < text.length; ) {
    let end = Math.min(text.length, start + characters);
    const last = text.charCodeAt(end - 1);
    if (end < text.length && last >= 0xd800 && last <= 0xdbff) end -= 1;
    yield text.slice(start, end);
    start = end;
  }
}

/** The JSON of `value` as member `key` of its holder (its `toJSON(key)` and all), undefined if left out. */
function memberJson(key: string, value: unknown): string | undefined {
  switch (typeof value) {
    case "string":
    case "number":
    case "boolean":
      return JSON.stringify(value);
    case "undefined":
    case "function":
    case "symbol":
      return undefined;
  }
  if (value === null) return "null";
  const held = JSON.stringify({ [key]: value });
  return held === "{}" ? undefined : held.slice(JSON.stringify(key).length + 2, -1);
}

class PieceWriter {
  text = "";

  /** Appends text; a full piece is handed back to be yielded. */
  write(text: string): string | undefined {
    this.text += text;
    if (this.text.length < PIECE_CHARACTERS) return undefined;
    const piece = this.text;
    this.text = "";
    return piece;
  }
}

/**
 * Serialises a value as `JSON.stringify` does, character for character, in pieces of about 32 Ki
 * characters, so that the whole text is never held at once: long strings are cut into slices, and containers
 * whose JSON passes a piece are serialised member by member. Everything else is left to `JSON.stringify`.
 */
export function* jsonPieces(value: Container): Generator<string> {
  const out = new PieceWriter();
  yield* containerPieces(value, out, []);
  if (out.text.length > 0) yield out.text;
}

function* emit(out: PieceWriter, text: string): Generator<string> {
  const piece = out.write(text);
  if (piece !== undefined) yield piece;
}

/** Writes one member's value, or returns false where `JSON.stringify` would leave it out. */
function* valuePieces(
  key: string,
  value: unknown,
  out: PieceWriter,
  ancestors: Container[],
  prefix: string,
): Generator<string, boolean> {
  if (typeof value === "string" && value.length > PIECE_CHARACTERS) {
    yield* emit(out, `${prefix}"`);
    for (const slice of textSlices(value)) yield* emit(out, JSON.stringify(slice).slice(1, -1));
    yield* emit(out, '"');
    return true;
  }
  if (isContainer(value) && jsonBytesExceed(value, PIECE_CHARACTERS)) {
    yield* emit(out, prefix);
    yield* containerPieces(value, out, ancestors);
    return true;
  }
  const json = memberJson(key, value);
  if (json === undefined) return false;
  yield* emit(out, prefix + json);
  return true;
}

function* containerPieces(value: Container, out: PieceWriter, ancestors: Container[]): Generator<string> {
  if (ancestors.includes(value)) throw new TypeError("Converting circular structure to JSON");
  ancestors.push(value);
  if (Array.isArray(value)) {
    yield* emit(out, "[");
    for (let i = 0; i < value.length; i++) {
      const written = yield* valuePieces(String(i), value[i], out, ancestors, i === 0 ? "" : ",");
      if (!written) yield* emit(out, i === 0 ? "null" : ",null");
    }
    yield* emit(out, "]");
  } else {
    yield* emit(out, "{");
    let separator = "";
    for (const key of Object.keys(value)) {
      const written = yield* valuePieces(
        key,
        value[key],
        out,
        ancestors,
        `${separator}${JSON.stringify(key)}:`,
      );
      if (written) separator = ",";
    }
    yield* emit(out, "}");
  }
  ancestors.pop();
}
