import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PayloadStore } from "../../src/core/payload-store.ts";
import { type JobRequest, Publisher } from "../../src/core/publisher.ts";
import { type LocalFanout, startLocalFanout } from "../../src/local/local-fanout.ts";
import { drainAll, readDeadLetters } from "../support/invariant.ts";
import { type MemorySample, type RunnerChild, startRunnerChild } from "../support/runner-child.ts";
import { type ReliabilityRegistry, soakRegistry } from "./fixtures/registry.ts";

/** CI runs 10,000 jobs; `SOAK_JOBS=100000 npx vitest run test/reliability/soak.test.ts` is the full run. */
const JOBS = Number(process.env.SOAK_JOBS ?? 10_000);
const CHUNK = 1_000;
/** Just over what SNS takes inline, so the job is offloaded. */
const OVER_THRESHOLD = "o".repeat(262_200);

/** The same mix on every run: about 1 % offloaded, about 1 % failing permanently, the rest 0–8 KiB. */
function job(n: number): JobRequest<ReliabilityRegistry> {
  const roll = (n * 2_654_435_761) % 1_000;
  if (roll < 10) return { type: "work", payload: { n, text: OVER_THRESHOLD } };
  if (roll < 20) return { type: "work", payload: { n, mode: "permanent" } };
  return { type: "work", payload: { n, text: "s".repeat((n * 7_919) % 8_192) } };
}

const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;

function memoryFigures(samples: readonly MemorySample[]) {
  const rss = samples.map((s) => s.rss);
  const sorted = [...rss].sort((a, b) => a - b);
  // Least-squares slope of RSS over time, in MB per minute.
  const t0 = samples[0]?.at ?? 0;
  const xs = samples.map((s) => (s.at - t0) / 60_000);
  const meanX = xs.reduce((a, b) => a + b, 0) / xs.length;
  const meanY = rss.reduce((a, b) => a + b, 0) / rss.length;
  const slope =
    xs.reduce((acc, x, i) => acc + (x - meanX) * ((rss[i] ?? 0) - meanY), 0) /
    (xs.reduce((acc, x) => acc + (x - meanX) ** 2, 0) || 1);
  return {
    samples: samples.length,
    firstRssMb: mb(rss[0] ?? 0),
    medianRssMb: mb(sorted[Math.floor(sorted.length / 2)] ?? 0),
    maxRssMb: mb(sorted.at(-1) ?? 0),
    lastRssMb: mb(rss.at(-1) ?? 0),
    slopeMbPerMin: mb(slope),
    heapUsedMb: samples.map((s) => mb(s.heapUsed)),
  };
}

describe(`soak: ${JOBS.toLocaleString("en")} jobs through the local cloud`, () => {
  let fanout: LocalFanout;
  let runner: RunnerChild;
  beforeAll(async () => {
    fanout = await startLocalFanout({ registry: soakRegistry, port: 0, workers: false });
    runner = startRunnerChild(fanout.cloud.endpoint, {
      registry: "soak",
      sampleMs: JOBS > 20_000 ? 5_000 : 1_000,
    });
    await runner.ready;
  });
  afterAll(async () => {
    await runner?.stop();
    await fanout?.stop();
  });

  it("balances: published = processed + dead-lettered, duplicates reported, the runner's memory sampled", async () => {
    const processed = new Map<string, number>();
    const deadLettered = new Set<string>();
    runner.onOutcome((o) => {
      const id = String(o.jobId);
      if (o.kind === "processed") processed.set(id, (processed.get(id) ?? 0) + 1);
      if (o.kind === "dead-lettered") deadLettered.add(id);
    });
    const publisher = new Publisher({
      registry: soakRegistry,
      sns: fanout.clients.sns,
      payloads: new PayloadStore({ s3: fanout.clients.s3, bucket: fanout.provisioned.bucket }),
      topicArn: fanout.provisioned.topicArn,
    });
    const started = Date.now();
    const published: string[] = [];
    let offloaded = 0;
    let failedToPublish = 0;
    for (let start = 0; start < JOBS; start += CHUNK) {
      const outcomes = await publisher.publishMany(
        Array.from({ length: Math.min(CHUNK, JOBS - start) }, (_, i) => job(start + i)),
      );
      for (const o of outcomes) {
        if (!o.ok) failedToPublish++;
        else {
          published.push(o.jobId);
          if (o.offloaded) offloaded++;
        }
      }
    }
    const publishedMs = Date.now() - started;
    const deadline = started + Math.max(120_000, JOBS * 20);
    while (published.some((id) => !processed.has(id) && !deadLettered.has(id))) {
      if (Date.now() > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    const settledMs = Date.now() - started;

    const queue = fanout.provisioned.queues.get("work");
    if (!queue) throw new Error("no work queue");
    const read = await readDeadLetters(await drainAll(fanout.clients.sqs, queue.dlqUrl), {
      payloads: new PayloadStore({ s3: fanout.clients.s3, bucket: fanout.provisioned.bucket }),
      topicArn: fanout.provisioned.topicArn,
    });
    const inDlq = new Set(read.deadLetters.map((d) => d.jobId));
    const duplicates = [...processed.values()].filter((count) => count > 1);
    const figures = {
      jobs: JOBS,
      published: published.length,
      failedToPublish,
      offloaded,
      processed: published.filter((id) => processed.has(id)).length,
      deadLettered: published.filter((id) => inDlq.has(id)).length,
      duplicates: { jobs: duplicates.length, extraRuns: duplicates.reduce((a, b) => a + b - 1, 0) },
      publishSeconds: Math.round(publishedMs / 100) / 10,
      totalSeconds: Math.round(settledMs / 100) / 10,
      jobsPerSecond: Math.round(published.length / (settledMs / 1000)),
      runnerMemory: memoryFigures(runner.memory),
    };
    console.warn(`[soak] ${JSON.stringify(figures)}`);

    expect(failedToPublish).toBe(0);
    expect(figures.published).toBe(JOBS);
    expect(figures.processed + figures.deadLettered).toBe(figures.published);
    expect(published.filter((id) => processed.has(id) && inDlq.has(id))).toEqual([]);
    expect(read.unreadable).toEqual([]);
    expect(read.deadLetters.every((d) => d.code === "PermanentJobError" && d.reason)).toBe(true);
    expect(figures.deadLettered).toBe(published.length - figures.processed);
    expect(offloaded).toBeGreaterThan(0);
    expect(figures.deadLettered).toBeGreaterThan(0);
  });
});
