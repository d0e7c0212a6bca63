import { readFile } from "node:fs/promises";
import { text } from "node:stream/consumers";
import { errorMessage, InputError } from "../core/errors.ts";

export interface Source {
  readonly text: string;
  /** Where the text came from, for messages: "the argument", "standard input" or the file's path. */
  readonly where: string;
}

/** Reads a command's input argument: inline text, `@file`, or `-` for standard input. */
export async function readSource(argument: string, stdin: NodeJS.ReadableStream): Promise<Source> {
  if (argument === "-") return { text: await text(stdin), where: "standard input" };
  if (argument.startsWith("@")) {
    const path = argument.slice(1);
    try {
      return { text: await readFile(path, "utf8"), where: path };
    } catch (error) {
      throw new InputError(
        `Cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? errorMessage(error)}; check the path after @.`,
      );
    }
  }
  return { text: argument, where: "the argument" };
}

export function parseJson(source: Source): unknown {
  try {
    return JSON.parse(source.text);
  } catch (error) {
    throw new InputError(
      `${source.where} is not valid JSON (${errorMessage(error)}); pass a JSON object, @file or -.`,
    );
  }
}

export interface NdjsonLine {
  /** 1-based, as editors count. */
  readonly line: number;
  readonly value?: unknown;
  readonly error?: string;
}

/** Newline-delimited JSON: one value per non-blank line; a line that does not parse is reported, not fatal. */
export function parseNdjson(text: string): NdjsonLine[] {
  const lines: NdjsonLine[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    if (raw.trim() === "") return;
    try {
      lines.push({ line: index + 1, value: JSON.parse(raw) });
    } catch (error) {
      lines.push({ line: index + 1, error: `not valid JSON (${errorMessage(error)})` });
    }
  });
  return lines;
}

/** Several non-blank lines that do not parse as one JSON document are taken as newline-delimited JSON. */
export function looksLikeNdjson(text: string): boolean {
  if (text.split(/\r?\n/).filter((l) => l.trim() !== "").length < 2) return false;
  try {
    JSON.parse(text);
    return false;
  } catch {
    return true;
  }
}
