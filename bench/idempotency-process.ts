/**
 * One consumer of figure 7, alone in a fresh process: the bench job type plain or idempotent, invoked in-process
 * with batches of 10 records. A warm-up pass over other records, then two timed passes over the same records:
 * the first runs every job (an idempotent type claims and completes each id), the second delivers them again
 * (an idempotent type finds each id completed and skips its function).
 */
import { subscribe } from "node:diagnostics_channel";
import { readFileSync } from "node:fs";
import type { ClientRequest } from "node:http";
import type { Context, SQSRecord } from "aws-lambda";
import { createJobHandler, type FunctionResources } from "fanout";
import { benchClients } from "./clients.ts";
import { work } from "./handlers/work.ts";
import { idempotentBenchRegistry } from "./idempotent-registry.ts";
import { benchRegistry } from "./registry.ts";

export interface IdempotencyBenchJob {
  readonly idempotent: boolean;
  readonly endpoint: string;
  readonly warmUpFile: string;
  readonly recordsFile: string;
  /** With `idempotencyTable` for the idempotent consumer: a table of its own, so every id is new to it. */
  readonly resources: FunctionResources;
}

export interface PassTimes {
  readonly msPerRecord: number;
  readonly cpuMsPerRecord: number;
  readonly failed: number;
  /** DynamoDB requests per record, by operation. */
  readonly requests: Record<string, number>;
}

export interface IdempotencyReport {
  readonly records: number;
  readonly first: PassTimes;
  readonly again: PassTimes;
}

const job = JSON.parse(process.argv[2] ?? "{}") as IdempotencyBenchJob;
const read = (file: string) => JSON.parse(readFileSync(file, "utf8")) as SQSRecord[];
const warmUp = read(job.warmUpFile);
const records = read(job.recordsFile);
const context = {
  functionName: "bench-job",
  awsRequestId: "bench",
  getRemainingTimeInMillis: () => 30_000,
} as unknown as Context;
const options = { clients: benchClients(job.endpoint), resources: job.resources };
const run = async (payload: Parameters<typeof work>[0]) => {
  work(payload);
};
const handler = job.idempotent
  ? createJobHandler(idempotentBenchRegistry, "bench-job", run, options)
  : createJobHandler(benchRegistry, "bench-job", run, options);

/** The DynamoDB requests of this process by operation (Node publishes every HTTP client request on this channel). */
const dynamoDbPort = new URL(process.env.AWS_ENDPOINT_URL_DYNAMODB ?? "http://127.0.0.1:0").port;
let requests: Record<string, number> = {};
subscribe("http.client.request.start", (message) => {
  const { request } = message as { request: ClientRequest };
  if (request.host !== "127.0.0.1" || !request.getHeader("host")?.toString().endsWith(`:${dynamoDbPort}`))
    return;
  const operation = String(request.getHeader("x-amz-target") ?? "").split(".")[1] ?? "unknown";
  requests[operation] = (requests[operation] ?? 0) + 1;
});

async function pass(list: readonly SQSRecord[]): Promise<PassTimes> {
  requests = {};
  const cpu = process.cpuUsage();
  const started = performance.now();
  let failed = 0;
  for (let i = 0; i < list.length; i += 10) {
    const response = await handler({ Records: list.slice(i, i + 10) }, context);
    failed += response.batchItemFailures.length;
  }
  const ms = performance.now() - started;
  const used = process.cpuUsage(cpu);
  return {
    msPerRecord: ms / list.length,
    cpuMsPerRecord: (used.user + used.system) / 1000 / list.length,
    failed,
    requests: Object.fromEntries(
      Object.entries(requests).map(([operation, n]) => [operation, n / list.length]),
    ),
  };
}

await pass(warmUp);
const first = await pass(records);
const again = await pass(records);
const report: IdempotencyReport = { records: records.length, first, again };
process.send?.(report, () => process.exit(0));
