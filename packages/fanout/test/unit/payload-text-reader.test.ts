import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { HostilePointerError } from "../../src/core/errors.ts";
import {
  completeCharacters,
  PIECEWISE_READ_BYTES,
  readPieceBytes,
  readTextInPieces,
  readWholeText,
  WHOLE_READ_MAX_BYTES,
} from "../../src/core/payload-text-reader.ts";

/** The bytes as a download delivers them, in chunks of `size`. */
async function* chunks(bytes: Buffer, size: number): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
}

describe("reading a large payload object in pieces", () => {
  // Two-, three- and four-byte characters, so that some straddle the chunk and part boundaries.
  const text = `a${"é€😀".repeat(Math.ceil((PIECEWISE_READ_BYTES * 2.5) / 9))}z`;
  const bytes = Buffer.from(text, "utf8");

  // The part sizes of the two kinds of object read in pieces.
  const parts: [string, number][] = [
    ["an object of a few hundred KiB", readPieceBytes(300 * 1024) ?? 0],
    ["an object of many MiB", readPieceBytes(PIECEWISE_READ_BYTES + 1) ?? 0],
  ];

  it.each(parts)(
    "gives the text of %s in pieces that join to the object's text, with its size and hash",
    async (_, part) => {
      const hash = createHash("sha256");
      const read = await readTextInPieces(chunks(bytes, 65_531), Number.MAX_SAFE_INTEGER, hash, part);
      expect(read.pieces.length).toBeGreaterThan(2);
      expect(Math.max(...read.pieces.map((piece) => piece.length))).toBeLessThanOrEqual(part);
      expect(read.pieces.join("")).toBe(text);
      expect(read).toMatchObject({ bytes: bytes.length, utf8: true });
      expect(hash.digest("hex")).toBe(createHash("sha256").update(bytes).digest("hex"));
    },
  );

  it.each(parts)(
    "says when the bytes of %s are not UTF-8, wherever the bad byte is, and still reads (and hashes) them all",
    async (_, part) => {
      for (const at of [0, part - 1, part, bytes.length - 1]) {
        const bad = Buffer.from(bytes);
        bad[at] = 0xff;
        const hash = createHash("sha256");
        const read = await readTextInPieces(chunks(bad, 1 << 16), Number.MAX_SAFE_INTEGER, hash, part);
        expect(read).toEqual({ pieces: [], bytes: bad.length, utf8: false });
        expect(hash.digest("hex")).toBe(createHash("sha256").update(bad).digest("hex"));
      }
    },
  );

  it("says when a whole-read object is not UTF-8", async () => {
    const truncated = bytes.subarray(0, bytes.length - 2);
    const read = await readWholeText(
      chunks(truncated, 1 << 16),
      Number.MAX_SAFE_INTEGER,
      undefined,
      createHash("sha256"),
    );
    expect(read.utf8).toBe(false);
  });

  it("refuses to read past the cap", async () => {
    await expect(
      readTextInPieces(
        chunks(bytes, 1 << 16),
        PIECEWISE_READ_BYTES,
        createHash("sha256"),
        PIECEWISE_READ_BYTES,
      ),
    ).rejects.toThrow(HostilePointerError);
  });

  it("reads an object whole up to the size V8 holds as a regular string, in small pieces up to many MiB, then in large parts", () => {
    expect(readPieceBytes(WHOLE_READ_MAX_BYTES)).toBeUndefined();
    expect(readPieceBytes(WHOLE_READ_MAX_BYTES + 1)).toBe(64 * 1024);
    expect(readPieceBytes(PIECEWISE_READ_BYTES)).toBe(64 * 1024);
    expect(readPieceBytes(PIECEWISE_READ_BYTES + 1)).toBe(PIECEWISE_READ_BYTES);
  });

  it("cuts a part only after a whole character", () => {
    const euro = Buffer.from("ab€", "utf8");
    expect(completeCharacters(euro, 5)).toBe(5);
    expect(completeCharacters(euro, 4)).toBe(2);
    expect(completeCharacters(euro, 3)).toBe(2);
    expect(completeCharacters(Buffer.from("😀", "utf8"), 3)).toBe(0);
    expect(completeCharacters(Buffer.from("abc", "utf8"), 3)).toBe(3);
  });
});
