import { describe, expect, it } from "vitest";
import { encodeEnvelope, encodeEnvelopePieces, type JobEnvelope } from "../../src/core/envelope.ts";
import { jsonBytesExceed, jsonPieces } from "../../src/core/json-pieces.ts";

const MIB = 1024 * 1024;

/** A string whose slices would cut a surrogate pair at each million characters if they were cut blindly. */
function pairsAtSliceEdges(length: number): string {
  const chars = "a".repeat(MIB - 1);
  let text = "";
  while (text.length < length) text += `${chars}😀é"\\\n\u2028\uFFFE`;
  return text;
}

/** Everything `JSON.stringify` treats specially, at every depth, around members large enough to be cut. */
function awkwardValue(): Record<string, unknown> {
  const small = {
    date: new Date(0),
    left: undefined,
    fn: () => 1,
    sym: Symbol("s"),
    [Symbol("hidden")]: 1,
    2: "integer keys first",
    boxed: [new String("s"), new Number(-0), new Boolean(false)],
    numbers: [Number.NaN, Number.POSITIVE_INFINITY, -0, 1e21, 5e-324],
    holes: Object.assign(new Array(4), { 0: 1, 3: () => 2 }),
    keyed: { toJSON: (key: string) => `called with ${key}` },
    nothing: { toJSON: () => undefined },
    typed: new Uint8Array([1, 2, 3]),
    map: new Map([[1, 2]]),
    nullProto: Object.assign(Object.create(null), { a: 1 }),
    lone: "\uD800 and \uDFFF",
    __proto__: null,
  };
  Object.defineProperty(small, "__proto__", { value: "own", enumerable: true });
  return {
    head: small,
    rows: Array.from({ length: 3_000 }, (_, i) => ({ i, text: "row ".repeat(200), small })),
    long: pairsAtSliceEdges(3 * MIB),
    nested: { deeper: [pairsAtSliceEdges(2 * MIB), { again: "x".repeat(2 * MIB) }, undefined, small] },
    emptyAfter: {},
  };
}

describe("jsonPieces", () => {
  it("gives JSON.stringify's text exactly, for a value with every special case and members past a piece", () => {
    const value = awkwardValue();
    const pieces = [...jsonPieces(value)];
    expect(pieces.length).toBeGreaterThan(5);
    expect(pieces.join("")).toBe(JSON.stringify(value));
  });

  it("never holds much more than a piece at once", () => {
    const value = { text: "x".repeat(20 * MIB), rows: Array.from({ length: 200_000 }, (_, i) => ({ i })) };
    for (const piece of jsonPieces(value)) expect(piece.length).toBeLessThan(2.5 * MIB);
  });

  it("calls each toJSON once, with the key JSON.stringify gives it", () => {
    const keys: string[] = [];
    const probe = { toJSON: (key: string) => keys.push(key) };
    [...jsonPieces({ big: ["x".repeat(2 * MIB), probe], member: probe })];
    expect(keys).toEqual(["1", "member"]);
  });

  it("throws as JSON.stringify does for a cycle through large members, and for a BigInt", () => {
    const cyclic: Record<string, unknown> = { text: "x".repeat(2 * MIB) };
    cyclic.self = { back: cyclic, text: "y".repeat(2 * MIB) };
    expect(() => [...jsonPieces(cyclic)]).toThrow(TypeError);
    expect(() => [...jsonPieces({ text: "x".repeat(2 * MIB), n: 1n })]).toThrow(TypeError);
  });
});

describe("jsonBytesExceed", () => {
  it("is never true of a value whose JSON fits the limit: a lower bound", () => {
    const samples: unknown[] = [
      {},
      [],
      "",
      0,
      null,
      [undefined, () => 1, Symbol("s"), { toJSON: () => "" }],
      { a: undefined, b: { toJSON: () => undefined }, c: 1 },
      { "é😀": ["\uD800", "\u2028", "\n", -0.5e-10] },
      awkwardValue().head,
      { rows: Array.from({ length: 100 }, (_, i) => ({ i, s: `${i}`, n: null, t: true })) },
    ];
    for (const sample of samples) {
      const bytes = Buffer.byteLength(JSON.stringify(sample) ?? "", "utf8");
      expect(jsonBytesExceed(sample, bytes)).toBe(false);
    }
  });

  it("is true of a large value, and of a cycle, without reading it all", () => {
    expect(jsonBytesExceed({ text: "x".repeat(10 * MIB) }, 8 * MIB)).toBe(true);
    expect(jsonBytesExceed({ rows: new Array(5_000_000).fill(1) }, 8 * MIB)).toBe(true);
    const cyclic: unknown[] = [];
    cyclic.push(cyclic, cyclic);
    expect(jsonBytesExceed(cyclic, 8 * MIB)).toBe(true);
  });
});

describe("encodeEnvelopePieces", () => {
  it("gives encodeEnvelope's text exactly, U+FFFE and U+FFFF escaped", () => {
    const envelope: JobEnvelope = {
      v: 1,
      id: "job-1",
      type: "report",
      createdAt: new Date(0).toISOString(),
      correlationId: "chain-1",
      payload: awkwardValue(),
    };
    const text = [...encodeEnvelopePieces(envelope)].join("");
    expect(text).toBe(encodeEnvelope(envelope));
    expect(text).not.toMatch(/[\uFFFE\uFFFF]/);
  });
});
