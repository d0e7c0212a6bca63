import { EventEmitter } from "node:events";
import { createInterface } from "node:readline";
import { Worker } from "node:worker_threads";
import type { JobOutcome } from "../consumer/outcome.ts";
import { sibling } from "../core/module-path.ts";

export interface SandboxSettings {
  /** Absolute path or file URL of the module that exports `handler`. */
  readonly handlerPath: string;
  readonly functionName: string;
  readonly memoryMb: number;
  readonly timeoutSeconds: number;
  readonly region: string;
}

export type InvokeResult =
  | { readonly status: "ok"; readonly result: unknown }
  | { readonly status: "error"; readonly errorType: string; readonly message: string };

/**
 * One Lambda execution environment: the handler runs in its own worker thread with its own environment,
 * a heap capped at the function's memory, and the function timeout enforced by ending the thread. A fresh
 * thread (a cold start) replaces one that timed out or crashed. Emits `log` for every line it prints and
 * `outcome` for every record's outcome its consumer reports.
 */
export class LambdaSandbox extends EventEmitter<{ log: [line: string]; outcome: [outcome: JobOutcome] }> {
  readonly #settings: SandboxSettings;
  readonly #environment: Record<string, string>;
  #worker: Promise<Worker> | undefined;
  #current: Worker | undefined;
  #nextId = 0;

  constructor(settings: SandboxSettings, environment: Record<string, string>) {
    super();
    this.#settings = settings;
    this.#environment = environment;
  }

  async invoke(event: unknown): Promise<InvokeResult> {
    this.#worker ??= this.#start();
    const worker = await this.#worker;
    const id = this.#nextId++;
    const timeoutMs = this.#settings.timeoutSeconds * 1000;
    return new Promise<InvokeResult>((resolve) => {
      const settle = (result: InvokeResult, recycle: boolean) => {
        clearTimeout(timer);
        worker.off("message", onMessage);
        worker.off("error", onError);
        worker.off("exit", onExit);
        if (recycle) this.#discard(worker);
        resolve(result);
      };
      const onMessage = (message: {
        id?: number;
        result?: unknown;
        error?: { name: string; message: string };
      }) => {
        if (message.id !== id) return;
        if (message.error)
          settle({ status: "error", errorType: message.error.name, message: message.error.message }, false);
        else settle({ status: "ok", result: message.result }, false);
      };
      const onError = (error: Error) =>
        settle({ status: "error", errorType: error.name, message: error.message }, true);
      const onExit = (code: number) =>
        settle(
          { status: "error", errorType: "Runtime.ExitError", message: `Runtime exited with code ${code}` },
          true,
        );
      const timer = setTimeout(
        () =>
          settle(
            {
              status: "error",
              errorType: "Sandbox.Timedout",
              message: `Task timed out after ${this.#settings.timeoutSeconds} seconds`,
            },
            true,
          ),
        timeoutMs,
      );
      worker.on("message", onMessage);
      worker.once("error", onError);
      worker.once("exit", onExit);
      worker.postMessage({ id, event, deadline: Date.now() + timeoutMs });
    });
  }

  async close(): Promise<void> {
    const worker = this.#worker;
    this.#worker = undefined;
    this.#current = undefined;
    if (worker) await (await worker.catch(() => undefined))?.terminate();
  }

  #discard(worker: Worker): void {
    if (this.#current === worker) {
      this.#worker = undefined;
      this.#current = undefined;
    }
    void worker.terminate();
  }

  #start(): Promise<Worker> {
    const worker = new Worker(sibling("./lambda-worker.ts", import.meta.url), {
      workerData: this.#settings,
      env: {
        // Locally each processed job gets its own line (on AWS they are one line per invocation, and DEBUG
        // lines); a level set in the environment or the function's settings still wins.
        POWERTOOLS_LOG_LEVEL: "DEBUG",
        ...process.env,
        ...this.#environment,
        AWS_LAMBDA_FUNCTION_NAME: this.#settings.functionName,
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(this.#settings.memoryMb),
        AWS_REGION: this.#settings.region,
        // As Lambda sets it for a function without provisioned concurrency: a fresh thread is a cold start.
        AWS_LAMBDA_INITIALIZATION_TYPE: "on-demand",
        // There is no X-Ray daemon here to send segments to.
        POWERTOOLS_TRACE_ENABLED: "false",
      },
      resourceLimits: { maxOldGenerationSizeMb: this.#settings.memoryMb },
      stdout: true,
      stderr: true,
    });
    for (const stream of [worker.stdout, worker.stderr]) {
      createInterface({ input: stream }).on("line", (line) => this.emit("log", line));
    }
    worker.on("message", (message: { outcome?: JobOutcome }) => {
      if (message.outcome) this.emit("outcome", message.outcome);
    });
    return new Promise<Worker>((resolve, reject) => {
      const onExit = (code: number) => {
        this.#worker = undefined;
        reject(new Error(`Handler ${this.#settings.handlerPath} failed to load (exit code ${code}).`));
      };
      worker.once("error", (error) => {
        this.#worker = undefined;
        reject(error);
      });
      worker.once("exit", onExit);
      worker.once("message", () => {
        worker.off("exit", onExit);
        worker.removeAllListeners("error");
        this.#current = worker;
        // A crash between invocations (an unhandled rejection, say) ends this environment, not the runner.
        worker.on("error", () => this.#discard(worker));
        worker.on("exit", () => this.#discard(worker));
        resolve(worker);
      });
    });
  }
}
