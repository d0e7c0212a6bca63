import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { destroyAwsClients } from "fanout";
import { localAwsEnvironment } from "fanout/local";
import { runChild } from "./child.ts";
import { benchClients } from "./clients.ts";
import type { ConsumeJob, ConsumeReport } from "./consume-process.ts";
import { startEmulator } from "./emulator.ts";
import type { BenchOptions } from "./options.ts";
import { rotated } from "./run-order.ts";
import { publishAndReceive } from "./sqs-records.ts";
import { median } from "./stats.ts";
import { fmt, note, printTable, ratio } from "./table.ts";
import { mixedJobs, mixedRowJobs, smallJobs } from "./workloads.ts";

/** Small records raw, the same inside SNS's notification envelope, and the two mixed loads (raw). */
export type ConsumeWorkload = "small" | "small-sns" | "mixed" | "mixed-rows";

const TITLES: Record<ConsumeWorkload, [string, string]> = {
  small: ["2a", "small records (raw delivery)"],
  "small-sns": ["2b", "small records inside SNS's notification envelope"],
  mixed: ["2c", "mixed records (10 % offloaded, read from S3, each one 300 KiB text; raw delivery)"],
  "mixed-rows": [
    "2d",
    "mixed records (10 % offloaded, read from S3, each 300 KiB of short values in rows; raw delivery)",
  ],
};

export interface ConsumeResult {
  readonly consumer: ConsumeJob["consumer"];
  readonly workload: ConsumeWorkload;
  readonly records: number;
  readonly failed: number;
  readonly msPerRecord: number;
  readonly cpuMsPerRecord: number;
  readonly calls: Record<string, number>;
}

const CONSUMERS: readonly ConsumeJob["consumer"][] = ["fanout", "fanout-without-metrics", "powertools"];
export const CONSUMER_NAMES = {
  fanout: "Fanout createJobHandler",
  "fanout-without-metrics": "Fanout createJobHandler, metrics: false",
  powertools: "Powertools batch, full event schema (docs) + S3 GetObject",
};

/** Each consumer reads the same records, published by Fanout and received off its queue, in fresh processes. */
export async function measureConsume(options: BenchOptions): Promise<ConsumeResult[]> {
  const emulator = await startEmulator();
  const clients = benchClients(emulator.endpoint);
  const dir = mkdtempSync(join(tmpdir(), "fanout-bench-"));
  const results: ConsumeResult[] = [];
  try {
    const workloads: [ConsumeWorkload, ReturnType<typeof smallJobs>][] = [
      ["small", smallJobs(options.consumeRecords)],
      ["small-sns", smallJobs(options.consumeRecords)],
      // Each offloaded record is an S3 read of 300 KiB: the mixed load is as many records as figure 1b publishes.
      ["mixed", mixedJobs(options.mixedJobs)],
      ["mixed-rows", mixedRowJobs(options.mixedJobs)],
    ];
    for (const [workload, jobs] of workloads) {
      const snsEnvelope = workload === "small-sns";
      const { records, resources } = await publishAndReceive(clients, jobs, { snsEnvelope });
      const recordsFile = join(dir, `${workload}.json`);
      writeFileSync(recordsFile, JSON.stringify(records));
      // The job and the environment are the same for every consumer: the baseline's own S3 client reads the
      // standard environment, pointed at the local cloud.
      const env = { ...process.env, ...localAwsEnvironment(emulator.endpoint) };
      const reports = new Map<ConsumeJob["consumer"], ConsumeReport[]>(CONSUMERS.map((c) => [c, []]));
      // Processes are interleaved, the order rotated at each repeat, so no consumer always runs first or last.
      for (let r = 0; r < options.repeats; r++) {
        for (const consumer of rotated(CONSUMERS, r)) {
          const job: ConsumeJob = {
            consumer,
            endpoint: emulator.endpoint,
            recordsFile,
            snsEnvelope,
            resources,
          };
          const report = await runChild<ConsumeReport>(
            "./consume-process.ts",
            [JSON.stringify(job)],
            [],
            env,
          );
          reports.get(consumer)?.push(report);
        }
      }
      for (const consumer of CONSUMERS) {
        const runs = reports.get(consumer) ?? [];
        results.push({
          consumer,
          workload,
          records: records.length,
          failed: runs[0]?.failed ?? 0,
          msPerRecord: median(runs.map((r) => r.msPerRecord)),
          cpuMsPerRecord: median(runs.map((r) => r.cpuMsPerRecord)),
          calls: runs[0]?.calls ?? {},
        });
      }
    }
  } finally {
    destroyAwsClients(clients);
    rmSync(dir, { recursive: true, force: true });
    await emulator.stop();
  }
  return results;
}

export function printConsume(results: readonly ConsumeResult[], options: BenchOptions): void {
  for (const workload of Object.keys(TITLES) as ConsumeWorkload[]) {
    const rows = results.filter((r) => r.workload === workload);
    const baseline = rows.find((r) => r.consumer === "powertools");
    const [figure, what] = TITLES[workload];
    printTable(
      `Figure ${figure}. Consume ${fmt(rows[0]?.records ?? 0)} ${what} in-process, batches of 10, median of ${options.repeats} processes × 3 passes`,
      ["consumer", "µs/record", "CPU µs/record", "failed records", "S3 GET/record", "vs baseline"],
      rows.map((r) => [
        CONSUMER_NAMES[r.consumer],
        fmt(r.msPerRecord * 1000, 1),
        fmt(r.cpuMsPerRecord * 1000, 1),
        fmt(r.failed),
        fmt((r.calls["S3:GetObject"] ?? 0) / r.records, 3),
        r === baseline ? "" : ratio(r.msPerRecord, baseline?.msPerRecord ?? Number.NaN),
      ]),
    );
    const withMetrics = rows.find((r) => r.consumer === "fanout");
    const withoutMetrics = rows.find((r) => r.consumer === "fanout-without-metrics");
    if (withMetrics && withoutMetrics) {
      note(
        `Fanout's metrics (EMF, one document per batch of 10) cost ${fmt((withMetrics.msPerRecord - withoutMetrics.msPerRecord) * 1000, 1)} µs per record: ${ratio(withMetrics.msPerRecord, withoutMetrics.msPerRecord)} the time without them.`,
      );
    }
    if (workload === "mixed" || workload === "mixed-rows")
      note("The baseline reads an offloaded record's payload with one GetObject, without Fanout's checks.");
  }
}
