import { describe, expect, it } from "vitest";
import { parseJsonPieces, parseJsonText } from "../../src/core/json-from-pieces.ts";

const VALID = [
  '{"v":1,"id":"j-1","type":"echo","createdAt":"2026-12-02T08:00:00.000Z","payload":{"n":1,"text":"abc"}}',
  '  {\n\t"a" : [ 1 , -2.5e-3 , 0 , 1E+2 , -0 , 12345678901234567890 , true , false , null ] \r\n}  ',
  '{"escapes":"\\" \\\\ \\/ \\b \\f \\n \\r \\t \\u0041\\u00e9\\ud83d\\ude00 \\uDBFF"}',
  '{"emoji":"😀 ünïcödé 漢字","": "empty key","nested":{"deeper":{"deepest":[[],{},[{}]]}}}',
  '{"a":1,"a":2,"b":{"a":3}}',
  '{"__proto__":{"polluted":true},"x":1}',
  '[1,"two",[3,[4,[5]]],{"six":6}]',
  '"a top-level string"',
  "42",
  "-0.5",
  "true",
  "null",
  `{"long":"${"x".repeat(300)}","after":"${"y\\n".repeat(50)}"}`,
];

const INVALID = [
  "",
  " ",
  "{",
  '{"a":1,}',
  "[1,]",
  "[1 2]",
  '{"a" 1}',
  "{a:1}",
  "01",
  "1.",
  ".5",
  "+1",
  "1e",
  "--1",
  '"unterminated',
  '"bad \\x escape"',
  '"bad \\u12G4 escape"',
  '"raw\ncontrol"',
  "tru",
  "nul",
  "1 2",
  '{"a":1}x',
  "\uFEFF{}",
  "'single'",
  "NaN",
];

/** Every way of cutting a text in two, and the text in pieces of one character. */
function cuts(text: string): string[][] {
  const ways = [[text], Array.from(text)];
  for (let at = 0; at <= text.length; at++) ways.push([text.slice(0, at), text.slice(at)]);
  ways.push(["", text, ""]);
  return ways;
}

describe("parseJsonPieces reads JSON held in pieces as JSON.parse reads the joined text", () => {
  it.each(VALID)("gives JSON.parse's value for %s, however the text is cut", (text) => {
    const expected = JSON.parse(text);
    for (const pieces of cuts(text)) expect(parseJsonPieces(pieces)).toStrictEqual(expected);
  });

  it("makes __proto__ an own property, as JSON.parse does, and never the prototype", () => {
    const parsed = parseJsonPieces(['{"__proto__":{"polluted":tr', "ue}}"]) as Record<string, unknown>;
    expect(Object.getPrototypeOf(parsed)).toBe(Object.prototype);
    expect(Object.hasOwn(parsed, "__proto__")).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.keys(parsed)).toEqual(Object.keys(JSON.parse('{"__proto__":{"polluted":true}}')));
  });

  it("keeps the first position of a repeated key and the last value, as JSON.parse does", () => {
    expect(Object.entries(parseJsonPieces(['{"a":1,"b":2,', '"a":3}']) as object)).toEqual([
      ["a", 3],
      ["b", 2],
    ]);
  });

  it.each(INVALID)("throws a SyntaxError for %j, as JSON.parse does", (text) => {
    expect(() => JSON.parse(text)).toThrow(SyntaxError);
    for (const pieces of cuts(text)) expect(() => parseJsonPieces(pieces)).toThrow(SyntaxError);
  });

  it("builds a string that spans many pieces with the characters of every piece", () => {
    const pieces = ['{"text":"', ...Array.from({ length: 1_000 }, (_, i) => `${i % 10}`.repeat(64)), '"}'];
    const { text } = parseJsonPieces(pieces) as { text: string };
    expect(text).toBe(JSON.parse(pieces.join("")).text);
    expect(text).toHaveLength(64_000);
  });
});

/** The text in pieces of `size` characters, as a download of an object above the whole-read size gives it. */
function inPiecesOf(text: string, size: number): string[] {
  return Array.from({ length: Math.ceil(text.length / size) }, (_, i) =>
    text.slice(i * size, (i + 1) * size),
  );
}

describe("parseJsonText reads a payload's pieces as JSON.parse reads the joined text, whichever way it parses", () => {
  const PIECE = 64 * 1024;
  const rows = Array.from({ length: 5_000 }, (_, i) => ({ id: `row-${i}`, qty: i, ok: i % 2 === 0 }));
  const shapes = {
    "one long base64 value": { v: 1, payload: { file: Buffer.alloc(300_000, 7).toString("base64") } },
    "many short values": { v: 1, payload: { rows } },
    "a long value between short ones": { v: 1, payload: { rows, file: "x".repeat(200_000), more: rows } },
    "a long value of escapes": { v: 1, payload: { text: '"\\n'.repeat(50_000) } },
  };

  it.each(Object.entries(shapes))("gives JSON.parse's value for %s", (_, value) => {
    const text = JSON.stringify(value);
    expect(parseJsonText(inPiecesOf(text, PIECE))).toStrictEqual(JSON.parse(text));
  });

  it.each(VALID)("gives JSON.parse's value for %s, however the text is cut", (text) => {
    const expected = JSON.parse(text);
    for (const pieces of cuts(text)) expect(parseJsonText(pieces)).toStrictEqual(expected);
  });

  it.each(INVALID)("throws a SyntaxError for %j in pieces", (text) => {
    for (const pieces of cuts(text)) expect(() => parseJsonText(pieces)).toThrow(SyntaxError);
  });
});
