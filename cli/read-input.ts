import { readFile } from "node:fs/promises";
import { text } from "node:stream/consumers";
import { InputError } from "./exit-codes.ts";

/** Reads a command's JSON argument: inline JSON, `@file`, or `-` for standard input. */
export async function readJsonArgument(
  argument: string,
  stdin: NodeJS.ReadableStream = process.stdin,
): Promise<unknown> {
  let source: string;
  let where: string;
  if (argument === "-") {
    source = await text(stdin);
    where = "standard input";
  } else if (argument.startsWith("@")) {
    const path = argument.slice(1);
    try {
      source = await readFile(path, "utf8");
    } catch (error) {
      throw new InputError(
        `Cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}.`,
      );
    }
    where = path;
  } else {
    source = argument;
    where = "the argument";
  }
  try {
    return JSON.parse(source);
  } catch (error) {
    throw new InputError(
      `${where} is not valid JSON (${(error as Error).message}); pass a JSON object, @file or -.`,
    );
  }
}
