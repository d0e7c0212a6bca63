import { EventEmitter } from "node:events";
import { createInterface } from "node:readline";
import { Worker } from "node:worker_threads";
import type { JobOutcome } from "../consumer/outcome.ts";
import { sibling } from "../core/module-path.ts";

/** How long a replaced thread may take to hand over its output before it is ended regardless. */
const FLUSH_GRACE_MS = 5_000;

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
 * thread (a cold start) replaces one that timed out or crashed, or, through `reload()`, one whose handler
 * changed on disk. Emits `log` for every line it prints and `outcome` for every record's outcome its consumer
 * reports.
 */
export class LambdaSandbox extends EventEmitter<{ log: [line: string]; outcome: [outcome: JobOutcome] }> {
  readonly #settings: SandboxSettings;
  readonly #environment: Record<string, string>;
  #worker: Promise<Worker> | undefined;
  #current: Worker | undefined;
  #nextId = 0;
  #closed = false;
  /** Invocations under way per thread: a thread replaced by `reload()` ends only once they are done. */
  readonly #inFlight = new Map<Worker, number>();
  readonly #retired = new WeakSet<Worker>();
  /** Replaced threads handing over their last output. */
  readonly #ending = new Set<Worker>();

  constructor(settings: SandboxSettings, environment: Record<string, string>) {
    super();
    this.#settings = settings;
    this.#environment = environment;
  }

  async invoke(event: unknown): Promise<InvokeResult> {
    let worker: Worker;
    do {
      this.#worker ??= this.#coldStart();
      worker = await this.#worker;
    } while (this.#retired.has(worker));
    const id = this.#nextId++;
    const timeoutMs = this.#settings.timeoutSeconds * 1000;
    this.#inFlight.set(worker, (this.#inFlight.get(worker) ?? 0) + 1);
    return new Promise<InvokeResult>((resolve) => {
      const settle = (result: InvokeResult, recycle: boolean) => {
        clearTimeout(timer);
        worker.off("message", onMessage);
        worker.off("error", onError);
        worker.off("exit", onExit);
        const remaining = (this.#inFlight.get(worker) ?? 1) - 1;
        if (remaining > 0) this.#inFlight.set(worker, remaining);
        else this.#inFlight.delete(worker);
        if (recycle) this.#discard(worker);
        else if (remaining === 0 && this.#retired.has(worker)) this.#end(worker);
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

  /** Resolves once an environment has the handler loaded, starting one if there is none; rejects with why it does not load. */
  async warm(): Promise<void> {
    this.#worker ??= this.#coldStart();
    await this.#worker;
  }

  /**
   * Loads the handler from disk again into a fresh environment, which serves every invocation from then on.
   * An invocation under way finishes in the environment it started in, which then ends. If the handler no
   * longer loads, this rejects with the reason and the current environment stays in service.
   */
  async reload(): Promise<void> {
    const fresh = await this.#spawn();
    if (this.#closed) {
      await fresh.terminate();
      return;
    }
    const previous = this.#worker;
    this.#adopt(fresh);
    this.#worker = Promise.resolve(fresh);
    const old = await previous?.catch(() => undefined);
    if (old && old !== fresh) this.#retire(old);
  }

  async close(): Promise<void> {
    this.#closed = true;
    const worker = this.#worker;
    this.#worker = undefined;
    this.#current = undefined;
    const ending = [...this.#ending].map((w) => w.terminate());
    if (worker) await (await worker.catch(() => undefined))?.terminate();
    await Promise.all(ending);
  }

  #retire(worker: Worker): void {
    this.#retired.add(worker);
    if (!this.#inFlight.has(worker)) this.#end(worker);
  }

  /**
   * Ends a thread once it has handed over every line it printed: a thread's output waits in its own buffer
   * until this side has read what came before, and terminating it at once would drop that.
   */
  #end(worker: Worker): void {
    this.#ending.add(worker);
    const timer = setTimeout(() => void worker.terminate(), FLUSH_GRACE_MS).unref();
    worker.on("message", (message: { flushed?: boolean }) => {
      if (message.flushed) void worker.terminate();
    });
    worker.once("exit", () => {
      clearTimeout(timer);
      this.#ending.delete(worker);
    });
    worker.postMessage({ flush: true });
  }

  #discard(worker: Worker): void {
    if (this.#current === worker) {
      this.#worker = undefined;
      this.#current = undefined;
    }
    void worker.terminate();
  }

  /** A fresh environment for the next invocation; a failed start leaves none, so the next one tries again. */
  #coldStart(): Promise<Worker> {
    const started: Promise<Worker> = this.#spawn().then((worker) => {
      // Unless a reload replaced it meanwhile: then the reload retires it.
      if (this.#worker === started) this.#adopt(worker);
      return worker;
    });
    started.catch(() => {
      if (this.#worker === started) this.#worker = undefined;
    });
    return started;
  }

  #adopt(worker: Worker): void {
    this.#current = worker;
    // A crash between invocations (an unhandled rejection, say) ends this environment, not the runner.
    worker.on("error", () => this.#discard(worker));
    worker.on("exit", () => this.#discard(worker));
  }

  /** Starts a thread and resolves once the handler module has loaded in it. */
  #spawn(): Promise<Worker> {
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
      const onExit = (code: number) =>
        reject(new Error(`Handler ${this.#settings.handlerPath} failed to load (exit code ${code}).`));
      const onError = (error: Error) => {
        worker.off("exit", onExit);
        void worker.terminate();
        reject(error);
      };
      worker.once("error", onError);
      worker.once("exit", onExit);
      worker.once("message", () => {
        worker.off("exit", onExit);
        worker.off("error", onError);
        resolve(worker);
      });
    });
  }
}
