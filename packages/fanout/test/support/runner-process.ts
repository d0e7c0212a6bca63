/**
 * The event-source runners of the reliability registry in a process of their own, connected to a local cloud
 * that runs elsewhere, so a test can kill them (SIGKILL, mid-batch) and measure their memory alone.
 * Prints one JSON line per job outcome (`{"outcome":…}`), per log line that marks a job's start
 * (`{"started":…}`), and per memory sample (`{"memory":…}`).
 * Environment: FANOUT_ENDPOINT (required), RUNNER_REGISTRY (`soak` or default), RUNNER_SAMPLE_MS.
 */
import { startLocalFanout } from "../../src/local/local-fanout.ts";
import { reliabilityRegistry, soakRegistry } from "../reliability/fixtures/registry.ts";
import { reliabilityHandler } from "./reliability-handlers.ts";

const endpoint = process.env.FANOUT_ENDPOINT;
if (!endpoint) throw new Error("Set FANOUT_ENDPOINT to the URL of the running local cloud.");
const sampleMs = Number(process.env.RUNNER_SAMPLE_MS ?? 2_000);

function emit(line: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

const fanout = await startLocalFanout({
  registry: process.env.RUNNER_REGISTRY === "soak" ? soakRegistry : reliabilityRegistry,
  endpoint,
  handlerPath: reliabilityHandler,
});
for (const runner of fanout.runners.values()) {
  runner.on("outcome", (outcome) => emit({ outcome }));
  runner.on("log", (line) => {
    if (line.includes('"job started"')) emit({ started: JSON.parse(line) });
  });
}
const sample = () => {
  const { rss, heapUsed } = process.memoryUsage();
  emit({ memory: { at: Date.now(), rss, heapUsed } });
};
sample();
setInterval(sample, sampleMs).unref();
emit({ ready: true });

process.once("SIGTERM", () => {
  void fanout.stop().then(() => process.exit(0));
});
