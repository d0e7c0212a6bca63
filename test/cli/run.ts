import { spawn } from "node:child_process";
import { PassThrough, Readable } from "node:stream";
import { text } from "node:stream/consumers";
import { fileURLToPath } from "node:url";
import { runCli } from "../../cli/run.ts";
import type { Registry } from "../../shared/registry.ts";
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

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const NODE = fileURLToPath(new URL("../../node_modules/.bin/node", import.meta.url));

/** Runs the real `fanout` process (Node 22 from the project), with the project's own registry. */
export function spawnFanout(argv: readonly string[], options: CliOptions = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(NODE, ["--disable-warning=ExperimentalWarning", "cli/fanout.ts", ...argv], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...options.env },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
    });
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(options.stdin ?? "");
  });
}
