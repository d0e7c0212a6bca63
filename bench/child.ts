import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";

/**
 * Runs a bench script in a fresh Node process and resolves with the one message it sends over IPC.
 * Its stdout is discarded (handler logs); its stderr is kept for errors.
 */
export function runChild<T>(
  script: string,
  args: readonly string[],
  execArgv: readonly string[] = [],
  env: NodeJS.ProcessEnv = process.env,
): Promise<T> {
  const child = fork(fileURLToPath(new URL(script, import.meta.url)), [...args], {
    execArgv: ["--disable-warning=ExperimentalWarning", ...execArgv],
    env,
    stdio: ["ignore", "ignore", "pipe", "ipc"],
  });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return new Promise((resolve, reject) => {
    let result: T | undefined;
    child.on("message", (message) => {
      result = message as T;
    });
    child.on("exit", (code, signal) => {
      if (result !== undefined) resolve(result);
      else reject(new Error(`${script} exited with ${signal ?? code}: ${firstError(stderr)}`));
    });
  });
}

/** The first line that names an error, else the last line. */
function firstError(stderr: string): string {
  const lines = stderr.trim().split("\n");
  return (lines.find((l) => /\w*Error: |EPIPE|ECONN/.test(l)) ?? lines.at(-1) ?? "").trim().slice(0, 200);
}
