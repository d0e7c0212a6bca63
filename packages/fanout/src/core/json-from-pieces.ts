/** JSON text whole, or in pieces (a large payload object as it was read, see `PayloadText`). */
export type JsonText = string | readonly string[];

/** Pieces longer than this together are never joined: the text would be held twice. */
const JOINED_MAX_CHARACTERS = 8 * 1024 * 1024;
/** A piece this long with no quote and no comma lies inside one string value; a short last piece may be `]}`. */
const INSIDE_A_STRING_MIN_CHARACTERS = 4096;

/**
 * Parses whole text with `JSON.parse`, and pieces with it too once joined, unless they are too long to join or
 * one of them lies inside a long string value (base64, an encoded file). Then `parseJsonPieces` builds that
 * value from the pieces without copying it, where `JSON.parse` would copy it into a new string as long, which
 * is several times slower to make.
 */
export function parseJsonText(text: JsonText): unknown {
  if (typeof text === "string") return JSON.parse(text);
  const inPieces =
    jsonTextLength(text) > JOINED_MAX_CHARACTERS ||
    text.some(
      (piece) =>
        piece.length >= INSIDE_A_STRING_MIN_CHARACTERS && !piece.includes('"') && !piece.includes(","),
    );
  return inPieces ? parseJsonPieces(text) : JSON.parse(text.join(""));
}

export function jsonTextLength(text: JsonText): number {
  return typeof text === "string" ? text.length : text.reduce((sum, piece) => sum + piece.length, 0);
}

/** The first `length` characters of the text, or all of it when shorter. */
export function jsonTextStart(text: JsonText, length: number): string {
  if (typeof text === "string") return text.slice(0, length);
  let start = "";
  for (const piece of text) {
    if (start.length >= length) break;
    start += piece.slice(0, length - start.length);
  }
  return start;
}

/**
 * `JSON.parse` for a text held as pieces, as a download decodes it chunk by chunk. A long string value is
 * built from slices of the pieces (V8 shares a slice's characters with its piece, and joins slices without
 * copying), so a payload of hundreds of MiB is held about once rather than as the text, its joined copy and
 * the parsed value. Gives what `JSON.parse` gives (own `__proto__` keys, last duplicate wins) and throws a
 * `SyntaxError` where it would. Slower than `JSON.parse` per token, faster over a long string value.
 */
export function parseJsonPieces(pieces: readonly string[]): unknown {
  const reader = new PieceReader(pieces);
  const value = reader.value();
  reader.skipWhitespace();
  if (!reader.atEnd()) reader.fail("Unexpected text after the JSON value");
  return value;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
/** The characters that end a run of plain string characters: JSON refuses control characters unescaped. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what is refused
const STRING_STOP = /["\\\u0000-\u001f]/g;
const NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;
const NUMBER_CHARACTER = /[-+.\deE]/;
const ESCAPES: Readonly<Record<string, string>> = {
  '"': '"',
  "\\": "\\",
  "/": "/",
  b: "\b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
};

class PieceReader {
  readonly #pieces: readonly string[];
  #index = 0;
  #piece: string;
  #at = 0;
  /** Characters in the pieces before the current one, for error positions. */
  #before = 0;

  constructor(pieces: readonly string[]) {
    this.#pieces = pieces;
    this.#piece = pieces[0] ?? "";
    this.#settle();
  }

  /** Moves past exhausted pieces, so that `#at` is inside `#piece` unless the text has ended. */
  #settle(): void {
    while (this.#at >= this.#piece.length && this.#index < this.#pieces.length - 1) {
      this.#before += this.#piece.length;
      this.#index++;
      this.#piece = this.#pieces[this.#index] ?? "";
      this.#at = 0;
    }
  }

  atEnd(): boolean {
    return this.#at >= this.#piece.length;
  }

  #peek(): number {
    return this.#at < this.#piece.length ? this.#piece.charCodeAt(this.#at) : -1;
  }

  #take(): string {
    if (this.atEnd()) this.fail("Unexpected end of JSON input");
    const character = this.#piece[this.#at] as string;
    this.#at++;
    this.#settle();
    return character;
  }

  fail(message: string): never {
    throw new SyntaxError(`${message} at position ${this.#before + this.#at}`);
  }

  skipWhitespace(): void {
    for (;;) {
      const c = this.#peek();
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return;
      this.#at++;
      this.#settle();
    }
  }

  value(): unknown {
    this.skipWhitespace();
    const c = this.#peek();
    if (c === QUOTE) return this.#string();
    if (c === 0x7b) return this.#object();
    if (c === 0x5b) return this.#array();
    if (c === 0x74) return this.#literal("true", true);
    if (c === 0x66) return this.#literal("false", false);
    if (c === 0x6e) return this.#literal("null", null);
    if (c === 0x2d || (c >= 0x30 && c <= 0x39)) return this.#number();
    if (c === -1) this.fail("Unexpected end of JSON input");
    return this.fail(`Unexpected character ${JSON.stringify(this.#piece[this.#at])}`);
  }

  #literal<T>(word: string, result: T): T {
    for (const expected of word) {
      if (this.#take() !== expected) this.fail(`Unexpected token in ${word}`);
    }
    return result;
  }

  #number(): number {
    let text = "";
    while (!this.atEnd() && NUMBER_CHARACTER.test(this.#piece[this.#at] as string)) text += this.#take();
    if (!NUMBER.test(text)) this.fail(`Bad number ${JSON.stringify(text)}`);
    return Number(text);
  }

  #string(): string {
    this.#take();
    let text = "";
    for (;;) {
      const piece = this.#piece;
      STRING_STOP.lastIndex = this.#at;
      const stop = STRING_STOP.exec(piece);
      const end = stop ? stop.index : piece.length;
      if (end > this.#at) text += piece.slice(this.#at, end);
      this.#at = end;
      if (!stop) {
        if (this.#index === this.#pieces.length - 1) this.fail("Unterminated string");
        this.#settle();
        continue;
      }
      const c = piece.charCodeAt(end);
      if (c === QUOTE) {
        this.#take();
        return text;
      }
      if (c !== BACKSLASH) this.fail("Bad control character in string");
      this.#take();
      text += this.#escape();
    }
  }

  #escape(): string {
    const kind = this.#take();
    const simple = ESCAPES[kind];
    if (simple !== undefined) return simple;
    if (kind !== "u") this.fail(`Bad escape \\${kind}`);
    let hex = "";
    for (let i = 0; i < 4; i++) hex += this.#take();
    if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail(`Bad Unicode escape \\u${hex}`);
    return String.fromCharCode(Number.parseInt(hex, 16));
  }

  #array(): unknown[] {
    this.#take();
    const items: unknown[] = [];
    this.skipWhitespace();
    if (this.#peek() === 0x5d) {
      this.#take();
      return items;
    }
    for (;;) {
      items.push(this.value());
      this.skipWhitespace();
      const next = this.#take();
      if (next === "]") return items;
      if (next !== ",") this.fail("Expected ',' or ']' in array");
    }
  }

  #object(): Record<string, unknown> {
    this.#take();
    const object: Record<string, unknown> = {};
    this.skipWhitespace();
    if (this.#peek() === 0x7d) {
      this.#take();
      return object;
    }
    for (;;) {
      this.skipWhitespace();
      if (this.#peek() !== QUOTE) this.fail("Expected a property name in object");
      const key = this.#string();
      this.skipWhitespace();
      if (this.#take() !== ":") this.fail("Expected ':' after a property name");
      const value = this.value();
      // As JSON.parse: `__proto__` becomes an own property, not the object's prototype.
      if (key === "__proto__") {
        Object.defineProperty(object, key, { value, writable: true, enumerable: true, configurable: true });
      } else {
        object[key] = value;
      }
      this.skipWhitespace();
      const next = this.#take();
      if (next === "}") return object;
      if (next !== ",") this.fail("Expected ',' or '}' in object");
    }
  }
}
