import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import type { JobOutcome } from "../../src/consumer/outcome.ts";

export interface MemorySample {
  readonly at: number;
  readonly rss: number;
  readonly heapUsed: number;
}

export interface RunnerChild {
  readonly process: ChildProcess;
  /** Resolves when the runners poll. */
  readonly ready: Promise<void>;
  readonly memory: MemorySample[];
  onOutcome(listener: (outcome: JobOutcome) => void): void;
  onStarted(listener: (fields: Record<string, unknown>) => void): void;
  /** SIGKILL: no cleanup, no batch finished, like a Lambda host lost mid-invocation. */
  kill(): Promise<void>;
  /** SIGTERM: the runners stop polling and finish the batch in hand. */
  stop(): Promise<void>;
}

const SCRIPT = fileURLToPath(new URL("runner-process.ts", import.meta.url));

/** Starts `runner-process.ts` (the reliability runners) in a child process connected to `endpoint`. */
export function startRunnerChild(
  endpoint: string,
  options: { registry?: "soak" | "reliability"; sampleMs?: number } = {},
): RunnerChild {
  const child = spawn(process.execPath, ["--disable-warning=ExperimentalWarning", SCRIPT], {
    env: {
      ...process.env,
      FANOUT_ENDPOINT: endpoint,
      RUNNER_REGISTRY: options.registry ?? "reliability",
      RUNNER_SAMPLE_MS: String(options.sampleMs ?? 2_000),
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const memory: MemorySample[] = [];
  const outcomeListeners: ((outcome: JobOutcome) => void)[] = [];
  const startedListeners: ((fields: Record<string, unknown>) => void)[] = [];
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const ready = new Promise<void>((resolve, reject) => {
    child.once("exit", (code) =>
      reject(new Error(`runner process exited (code ${code}) before it was ready`)),
    );
    createInterface({ input: child.stdout }).on("line", (line) => {
      let message: Record<string, unknown>;
      try {
        message = JSON.parse(line) as Record<string, unknown>;
      } catch {
        return; // not one of ours
      }
      if (message.ready) resolve();
      if (message.memory) memory.push(message.memory as MemorySample);
      if (message.outcome) for (const l of outcomeListeners) l(message.outcome as JobOutcome);
      if (message.started) for (const l of startedListeners) l(message.started as Record<string, unknown>);
    });
  });
  ready.catch(() => {});
  return {
    process: child,
    ready,
    memory,
    onOutcome: (listener) => outcomeListeners.push(listener),
    onStarted: (listener) => startedListeners.push(listener),
    kill: async () => {
      if (child.exitCode === null) child.kill("SIGKILL");
      await exited;
    },
    stop: async () => {
      if (child.exitCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
}
