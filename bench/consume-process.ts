/**
 * One consumer, alone in a fresh process (its stdout, the handler's log lines, goes nowhere): invokes the
 * handler in-process with Lambda-shaped events of 10 records, as the SQS event source would, and reports
 * the time per record and the requests it made over IPC.
 */
import { readFileSync } from "node:fs";
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";
import type { FunctionResources } from "fanout";
import { benchClients } from "./clients.ts";
import { RequestCounter } from "./counter.ts";
import { median } from "./stats.ts";

export interface ConsumeJob {
  readonly consumer: "fanout" | "fanout-without-metrics" | "powertools";
  readonly endpoint: string;
  readonly recordsFile: string;
  /** Whether the records come inside SNS's notification envelope (the baseline needs its schema for them). */
  readonly snsEnvelope: boolean;
  readonly resources: FunctionResources;
}

export interface ConsumeReport {
  readonly records: number;
  readonly failed: number;
  readonly msPerRecord: number;
  readonly cpuMsPerRecord: number;
  readonly calls: Record<string, number>;
}

const job = JSON.parse(process.argv[2] ?? "{}") as ConsumeJob;
const records = JSON.parse(readFileSync(job.recordsFile, "utf8")) as SQSRecord[];
const counter = new RequestCounter();
const context = {
  functionName: "bench-job",
  awsRequestId: "bench",
  getRemainingTimeInMillis: () => 30_000,
} as unknown as Context;

type Handler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;
let handler: Handler;
if (job.consumer === "fanout" || job.consumer === "fanout-without-metrics") {
  const { fanoutHandler } = await import("./handlers/fanout.ts");
  handler = fanoutHandler({
    clients: benchClients(job.endpoint, counter),
    resources: job.resources,
    ...(job.consumer === "fanout-without-metrics" ? { metrics: false } : {}),
  });
} else {
  const baseline = await import("./handlers/powertools.ts");
  handler = job.snsEnvelope ? baseline.snsHandler : baseline.handler;
}

async function pass(list: readonly SQSRecord[]): Promise<number> {
  let failed = 0;
  for (let i = 0; i < list.length; i += 10) {
    const response = await handler({ Records: list.slice(i, i + 10) }, context);
    failed += response.batchItemFailures.length;
  }
  return failed;
}

/** Timed passes over every record, after a warm-up pass (JIT, connections); each figure is their median. */
const TIMED_PASSES = 3;

await pass(records);
const passes: { ms: number; cpuMs: number; failed: number; calls: Record<string, number> }[] = [];
for (let p = 0; p < TIMED_PASSES; p++) {
  counter.reset();
  const cpu = process.cpuUsage();
  const started = performance.now();
  const failed = await pass(records);
  const ms = performance.now() - started;
  const used = process.cpuUsage(cpu);
  passes.push({ ms, cpuMs: (used.user + used.system) / 1000, failed, calls: counter.reset().calls });
}
const report: ConsumeReport = {
  records: records.length,
  failed: passes[0]?.failed ?? 0,
  msPerRecord: median(passes.map((p) => p.ms)) / records.length,
  cpuMsPerRecord: median(passes.map((p) => p.cpuMs)) / records.length,
  calls: passes[0]?.calls ?? {},
};
process.send?.(report, () => process.exit(0));
