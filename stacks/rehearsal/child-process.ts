import { type ChildProcess, spawn } from "node:child_process";

/**
 * Children run in process groups of their own, so that stopping one also stops what it started (Terraform's
 * provider plugin, the Python behind a pyenv shim). The price is that Ctrl-C no longer reaches them, so every
 * live group is killed when this process exits.
 */
const liveGroups = new Set<number>();
process.once("exit", () => {
  for (const pid of liveGroups) killGroup(pid, "SIGKILL");
});

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // The group has already exited.
  }
}

export interface Spawned {
  readonly child: ChildProcess;
  /** Everything the child wrote, stdout and stderr interleaved, bounded to its last megabyte. */
  output(): string;
  /** What it wrote to stdout alone (a command's JSON, without its warnings). */
  stdout(): string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Signals the whole group; after `graceMs`, kills what is left of it. */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<void>;
}

const MAX_KEPT_OUTPUT = 1024 * 1024;

export function spawnGroup(
  command: string,
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; onLine?: (line: string) => void } = {},
): Spawned {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const pid = child.pid;
  if (pid !== undefined) liveGroups.add(pid);
  let output = "";
  let stdout = "";
  let partial = "";
  const collect = (chunk: Buffer) => {
    const text = chunk.toString("utf8");
    output = (output + text).slice(-MAX_KEPT_OUTPUT);
    if (!options.onLine) return;
    const lines = (partial + text).split("\n");
    partial = lines.pop() ?? "";
    for (const line of lines) options.onLine(line);
  };
  child.stdout?.on("data", (chunk: Buffer) => {
    stdout = (stdout + chunk.toString("utf8")).slice(-MAX_KEPT_OUTPUT);
    collect(chunk);
  });
  child.stderr?.on("data", collect);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once("error", (error) => {
      output += `\n${error.message}`;
      resolve({ code: null, signal: null });
    });
    child.once("close", (code, signal) => resolve({ code, signal }));
  }).finally(() => {
    // The leader is gone, but children it left behind (a provider plugin) may still hold the group.
    if (pid !== undefined) {
      killGroup(pid, "SIGKILL");
      liveGroups.delete(pid);
    }
  });
  return {
    child,
    output: () => output,
    stdout: () => stdout,
    exited,
    async stop(signal = "SIGTERM", graceMs = 5_000) {
      if (pid === undefined || !liveGroups.has(pid)) return;
      killGroup(pid, signal);
      const timer = setTimeout(() => killGroup(pid, "SIGKILL"), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

export interface RunOptions {
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Stops the command (SIGINT first, as Ctrl-C would) when it runs longer than this. */
  readonly timeoutMs?: number;
  readonly onLine?: (line: string) => void;
  /** Added to the timeout's error message: what the command was still busy with. */
  readonly describeTimeout?: () => string;
}

/** The last lines of a long output, enough to show an error without burying the summary. */
export function tail(text: string, lines = 60): string {
  const all = text.trimEnd().split("\n");
  return (all.length > lines ? ["…", ...all.slice(-lines)] : all).join("\n");
}

/** Runs a command to its end and returns its outputs; rejects with the output's tail if it fails or times out. */
export async function runCommand(command: string, args: readonly string[], options: RunOptions = {}) {
  const spawned = spawnGroup(command, args, options);
  let timedOut = false;
  const timer =
    options.timeoutMs === undefined
      ? undefined
      : setTimeout(() => {
          timedOut = true;
          // Terraform stops gracefully on the first SIGINT and may wait on a hung request for ever after it.
          void spawned.stop("SIGINT", 15_000);
        }, options.timeoutMs);
  const { code, signal } = await spawned.exited;
  clearTimeout(timer);
  const shown = `${command} ${args.join(" ")}`;
  if (timedOut) {
    const detail = options.describeTimeout?.() ?? "";
    throw new Error(
      `${shown} did not finish within ${(options.timeoutMs ?? 0) / 1000} s and was stopped.${detail ? ` ${detail}` : ""}\n${tail(spawned.output())}`,
    );
  }
  if (code !== 0) {
    throw new Error(
      `${shown} failed (${signal ? `signal ${signal}` : `exit ${code}`}):\n${tail(spawned.output())}`,
    );
  }
  return { output: spawned.output(), stdout: spawned.stdout() };
}
