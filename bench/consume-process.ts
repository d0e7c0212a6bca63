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

export interface ConsumeJob {
  readonly consumer: "fanout" | "fanout-without-metrics" | "powertools";
  readonly endpoint: string;
  readonly recordsFile: string;
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
  handler = (await import("./handlers/powertools.ts")).handler;
}

async function pass(list: readonly SQSRecord[]): Promise<number> {
  let failed = 0;
  for (let i = 0; i < list.length; i += 10) {
    const response = await handler({ Records: list.slice(i, i + 10) }, context);
    failed += response.batchItemFailures.length;
  }
  return failed;
}

// Warm-up on the first tenth, then the timed pass over all of them.
await pass(records.slice(0, Math.ceil(records.length / 10)));
counter.reset();
const cpu = process.cpuUsage();
const started = performance.now();
const failed = await pass(records);
const elapsed = performance.now() - started;
const used = process.cpuUsage(cpu);
const report: ConsumeReport = {
  records: records.length,
  failed,
  msPerRecord: elapsed / records.length,
  cpuMsPerRecord: (used.user + used.system) / 1000 / records.length,
  calls: counter.reset().calls,
};
process.send?.(report, () => process.exit(0));
