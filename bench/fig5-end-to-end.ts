import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { PayloadStore, Publisher } from "fanout";
import { startLocalFanout } from "fanout/local";
import type { BenchOptions } from "./options.ts";
import { benchRegistry } from "./registry.ts";
import { quantile } from "./stats.ts";
import { fmt, printTable } from "./table.ts";
import { SMALL_TEXT_BYTES } from "./workloads.ts";

export interface EndToEndResult {
  readonly jobs: number;
  readonly received: number;
  readonly latenciesMs: readonly number[];
}

/** Jobs are published one at a time at this interval, a steady trickle rather than a burst. */
const INTERVAL_MS = 5;

/**
 * The whole local Fanout (emulator, topology, event-source runner, handler in its Lambda sandbox): each job
 * carries its publish time, and the handler logs how long ago that was when its job function starts.
 */
export async function measureEndToEnd(options: BenchOptions): Promise<EndToEndResult> {
  const handlerPath = fileURLToPath(new URL("./handlers/e2e.ts", import.meta.url));
  const fanout = await startLocalFanout({ registry: benchRegistry, port: 0, handlerPath: () => handlerPath });
  const latencies: number[] = [];
  for (const runner of fanout.runners.values()) {
    runner.on("log", (line) => {
      if (!line.includes("bench latency")) return;
      const fields = JSON.parse(line) as { latencyMs?: number };
      if (typeof fields.latencyMs === "number") latencies.push(fields.latencyMs);
    });
  }
  try {
    const publisher = new Publisher({
      registry: benchRegistry,
      sns: fanout.clients.sns,
      payloads: new PayloadStore({ s3: fanout.clients.s3, bucket: fanout.provisioned.bucket }),
      topicArn: fanout.provisioned.topicArn,
    });
    // One job first, to start the sandbox (a cold start is not what this figure measures).
    await publisher.publish("bench-job", { n: -1, sentAt: Date.now(), text: "" });
    for (let waited = 0; latencies.length === 0 && waited < 30_000; waited += 50) await sleep(50);
    latencies.length = 0;
    for (let n = 0; n < options.endToEndJobs; n++) {
      await publisher.publish("bench-job", { n, sentAt: Date.now(), text: "x".repeat(SMALL_TEXT_BYTES) });
      await sleep(INTERVAL_MS);
    }
    for (let waited = 0; latencies.length < options.endToEndJobs && waited < 30_000; waited += 50)
      await sleep(50);
  } finally {
    await fanout.stop();
  }
  return { jobs: options.endToEndJobs, received: latencies.length, latenciesMs: latencies };
}

export function printEndToEnd(result: EndToEndResult): void {
  printTable(
    `Figure 5. End to end, local: publish → start of the job function, ${fmt(result.jobs)} jobs one every ${INTERVAL_MS} ms`,
    ["path", "jobs seen", "median ms", "p99 ms", "max ms"],
    [
      [
        "Fanout publish → SNS → SQS → event source → handler",
        fmt(result.received),
        fmt(quantile(result.latenciesMs, 0.5), 1),
        fmt(quantile(result.latenciesMs, 0.99), 1),
        fmt(Math.max(...result.latenciesMs), 1),
      ],
    ],
  );
}
