import { type ChildProcess, fork } from "node:child_process";
import { fileURLToPath } from "node:url";

export interface Emulator {
  readonly endpoint: string;
  stop(): Promise<void>;
}

/** Objects of up to 500 MiB live in the emulator's heap (several copies while multipart parts are joined). */
const EMULATOR_HEAP_MB = 12_288;

/** Starts the emulator in a child process with a large heap and waits for its endpoint. */
export function startEmulator(): Promise<Emulator> {
  const child: ChildProcess = fork(fileURLToPath(new URL("./emulator-process.ts", import.meta.url)), {
    execArgv: ["--disable-warning=ExperimentalWarning", `--max-old-space-size=${EMULATOR_HEAP_MB}`],
    stdio: ["ignore", "ignore", "inherit", "ipc"],
  });
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`emulator exited with code ${code} before it started`)));
    child.once("message", (message) => {
      const { endpoint } = message as { endpoint: string };
      child.removeAllListeners("exit");
      resolve({
        endpoint,
        stop: () =>
          new Promise<void>((done) => {
            if (child.exitCode !== null) return done();
            child.once("exit", () => done());
            child.disconnect();
          }),
      });
    });
  });
}
