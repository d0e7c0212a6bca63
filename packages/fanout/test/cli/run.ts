import { PassThrough, Readable } from "node:stream";
import { text } from "node:stream/consumers";
import { runCli } from "../../src/cli/run.ts";
import type { Registry } from "../../src/core/registry.ts";
import { testRegistry } from "../fixtures/registry.ts";

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CliOptions {
  readonly env?: Record<string, string>;
  readonly stdin?: string;
  readonly registry?: Registry;
}

/** Runs `fanout` in this process with the test registry, as an operator would type it. */
export async function fanout(argv: readonly string[], options: CliOptions = {}): Promise<CliResult> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out = text(stdout);
  const err = text(stderr);
  const code = await runCli(argv, {
    registry: options.registry ?? testRegistry,
    stdout,
    stderr,
    stdin: Readable.from(options.stdin === undefined ? [] : [options.stdin]),
    env: { ...options.env },
  });
  stdout.end();
  stderr.end();
  return { code, stdout: await out, stderr: await err };
}

/** `--local` pointed at a harness's local cloud. */
export function localEnv(port: number): Record<string, string> {
  return { FANOUT_LOCAL_PORT: String(port) };
}
