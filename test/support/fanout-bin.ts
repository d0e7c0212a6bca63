import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export const PROJECT_ROOT = fileURLToPath(new URL("../..", import.meta.url));
/** The installed `fanout` command, and the project's Node 22 first on the PATH for its `#!/usr/bin/env node`. */
export const FANOUT_BIN = fileURLToPath(new URL("../../node_modules/.bin/fanout", import.meta.url));
const BIN_PATH = `${fileURLToPath(new URL("../../node_modules/.bin", import.meta.url))}:${process.env.PATH ?? ""}`;

/** The environment a spawned `fanout` runs with: nothing of this machine's AWS configuration. */
export function binEnvironment(env: Record<string, string> = {}): Record<string, string> {
  return { PATH: BIN_PATH, HOME: process.env.HOME ?? "", ...env };
}

/** Runs the installed `fanout` as an operator would type it, in the project (or `cwd`), to its end. */
export function spawnFanout(
  argv: readonly string[],
  options: { readonly env?: Record<string, string>; readonly cwd?: string; readonly stdin?: string } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(FANOUT_BIN, [...argv], {
      cwd: options.cwd ?? PROJECT_ROOT,
      env: binEnvironment(options.env),
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
