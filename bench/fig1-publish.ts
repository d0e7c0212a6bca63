import { destroyAwsClients } from "fanout";
import { benchClients } from "./clients.ts";
import { callsMatching, RequestCounter, type RequestCounts } from "./counter.ts";
import { startEmulator } from "./emulator.ts";
import type { BenchOptions } from "./options.ts";
import { bareBatch, barePublish } from "./publishers/bare-sdk.ts";
import { bigPayload } from "./publishers/big-payload.ts";
import { fanout } from "./publishers/fanout.ts";
import { messageQueueToolkit } from "./publishers/message-queue-toolkit.ts";
import type { Contender } from "./publishers/types.ts";
import type { BenchPayload } from "./registry.ts";
import { rotated } from "./run-order.ts";
import { settle } from "./settle.ts";
import { median } from "./stats.ts";
import { fmt, note, printTable, ratio } from "./table.ts";
import { createBenchTopic, deleteBenchTopic } from "./topic.ts";
import { mixedJobs, smallJobs } from "./workloads.ts";

export const CONTENDERS: readonly Contender[] = [
  fanout,
  bigPayload,
  messageQueueToolkit,
  barePublish,
  bareBatch,
];

export type Workload = "small" | "mixed";

export interface PublishResult {
  readonly contender: Contender;
  readonly workload: Workload;
  readonly jobs: number;
  readonly jobsPerSecond: number;
  readonly cpuMsPerJob: number;
  /** Requests of one run (they do not vary between runs). */
  readonly counts: RequestCounts;
  readonly error?: string;
}

let topicSerial = 0;

async function runOnce(endpoint: string, contender: Contender, jobs: readonly BenchPayload[]) {
  const setup = benchClients(endpoint);
  const topic = await createBenchTopic(setup, `bench-publish-${topicSerial++}`);
  try {
    const counter = new RequestCounter();
    const publisher = await contender.create({ endpoint, ...topic, counter });
    counter.reset();
    settle();
    const cpu = process.cpuUsage();
    const started = performance.now();
    try {
      await publisher.publishAll(jobs);
    } finally {
      await publisher.close();
    }
    const seconds = (performance.now() - started) / 1000;
    const used = process.cpuUsage(cpu);
    return {
      jobsPerSecond: jobs.length / seconds,
      cpuMsPerJob: (used.user + used.system) / 1000 / jobs.length,
      counts: counter.reset(),
    };
  } finally {
    await deleteBenchTopic(setup, topic);
    destroyAwsClients(setup);
  }
}

/**
 * Each contender publishes the same jobs to its own fresh topic, removed after the run; runs are interleaved,
 * in an order rotated at each repeat, so that drift and whatever a run leaves behind hit all alike.
 */
export async function measurePublish(options: BenchOptions): Promise<PublishResult[]> {
  const emulator = await startEmulator();
  const results: PublishResult[] = [];
  try {
    const workloads: [Workload, BenchPayload[]][] = [
      ["small", smallJobs(options.smallJobs)],
      ["mixed", mixedJobs(options.mixedJobs)],
    ];
    // Warm-up: load each library, open connections and let V8 compile the hot paths before timing. As many
    // small jobs as a timed run: a library with more code of its own takes more calls to reach its steady
    // state than a bare loop, and a shorter warm-up left the first timed run of it short of that.
    const warmUp = [...smallJobs(options.smallJobs), ...mixedJobs(100)];
    for (const contender of CONTENDERS) {
      await runOnce(emulator.endpoint, contender, warmUp).catch(() => undefined);
    }
    for (const [workload, jobs] of workloads) {
      const runs = new Map<Contender, Awaited<ReturnType<typeof runOnce>>[]>();
      const errors = new Map<Contender, string>();
      for (let r = 0; r < options.repeats; r++) {
        for (const contender of rotated(CONTENDERS, r)) {
          if (errors.has(contender)) continue;
          try {
            const run = await runOnce(emulator.endpoint, contender, jobs);
            runs.set(contender, [...(runs.get(contender) ?? []), run]);
          } catch (error) {
            errors.set(contender, (error as Error).message.split("\n")[0] ?? String(error));
          }
        }
      }
      for (const contender of CONTENDERS) {
        const list = runs.get(contender) ?? [];
        const error = errors.get(contender);
        results.push({
          contender,
          workload,
          jobs: jobs.length,
          jobsPerSecond: list.length ? median(list.map((r) => r.jobsPerSecond)) : Number.NaN,
          cpuMsPerJob: list.length ? median(list.map((r) => r.cpuMsPerJob)) : Number.NaN,
          counts: list[0]?.counts ?? { calls: {}, snsBilled: 0 },
          ...(error ? { error } : {}),
        });
      }
    }
  } finally {
    await emulator.stop();
  }
  return results;
}

export function snsRequests(counts: RequestCounts): number {
  return callsMatching(counts, (k) => k === "SNS:Publish" || k === "SNS:PublishBatch");
}

export function s3Puts(counts: RequestCounts): number {
  return callsMatching(counts, (k) =>
    /^S3:(PutObject|UploadPart|CreateMultipartUpload|CompleteMultipartUpload)$/.test(k),
  );
}

export function printPublish(results: readonly PublishResult[], options: BenchOptions): void {
  for (const workload of ["small", "mixed"] as const) {
    const rows = results.filter((r) => r.workload === workload);
    const fanoutRow = rows.find((r) => r.contender.kind === "fanout");
    const peers = rows.filter((r) => r.contender.kind === "peer" && Number.isFinite(r.jobsPerSecond));
    const fastestPeer = peers.reduce<PublishResult | undefined>(
      (best, r) => (best === undefined || r.jobsPerSecond > best.jobsPerSecond ? r : best),
      undefined,
    );
    const jobs = rows[0]?.jobs ?? 0;
    printTable(
      `Figure 1${workload === "small" ? "a" : "b"}. Publish ${fmt(jobs)} ${workload === "small" ? "small jobs" : "mixed jobs (10 % of 300 KiB, offloaded)"}, median of ${options.repeats}`,
      ["publisher", "jobs/s", "CPU ms/job", "SNS req/job", "S3 PUT/job", "Fanout speed-up"],
      rows.map((r) => [
        r.contender.name,
        r.error ? `failed: ${r.error}` : fmt(r.jobsPerSecond),
        fmt(r.cpuMsPerJob, 3),
        fmt(snsRequests(r.counts) / r.jobs, 3),
        fmt(s3Puts(r.counts) / r.jobs, 3),
        r === fanoutRow ? "" : ratio(fanoutRow?.jobsPerSecond ?? Number.NaN, r.jobsPerSecond),
      ]),
    );
    if (fanoutRow && fastestPeer) {
      note(
        `Fanout vs fastest peer (${fastestPeer.contender.name}): ${ratio(fanoutRow.jobsPerSecond, fastestPeer.jobsPerSecond)} the throughput, ${ratio(fanoutRow.cpuMsPerJob, fastestPeer.cpuMsPerJob)} the CPU per job.`,
      );
    }
    const floor = rows.find((r) => r.contender.name === "SDK v3 PublishBatch loop");
    if (fanoutRow && floor) {
      note(
        `Fanout vs bare PublishBatch loop: ${ratio(fanoutRow.jobsPerSecond, floor.jobsPerSecond)} the throughput, ${ratio(fanoutRow.cpuMsPerJob, floor.cpuMsPerJob)} the CPU per job.`,
      );
    }
  }
}
