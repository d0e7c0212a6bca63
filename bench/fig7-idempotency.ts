import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { baseClientConfig, destroyAwsClients, idempotencyTable } from "fanout";
import {
  LOCAL_CREDENTIALS,
  LOCAL_REGION,
  localAwsEnvironment,
  provisionIdempotencyTable,
  startLocalDynamoDb,
} from "fanout/local";
import { runChild } from "./child.ts";
import { benchClients } from "./clients.ts";
import { startEmulator } from "./emulator.ts";
import type { IdempotencyBenchJob, IdempotencyReport } from "./idempotency-process.ts";
import type { BenchOptions } from "./options.ts";
import { publishAndReceive } from "./sqs-records.ts";
import { median } from "./stats.ts";
import { fmt, note, printTable, ratio } from "./table.ts";
import { smallJobs } from "./workloads.ts";

export interface IdempotencyResult {
  readonly idempotent: boolean;
  readonly records: number;
  readonly failed: number;
  readonly firstMsPerRecord: number;
  readonly firstCpuMsPerRecord: number;
  readonly againMsPerRecord: number;
  readonly againCpuMsPerRecord: number;
  /** DynamoDB requests per record, by operation, in the first process's timed passes. */
  readonly firstRequests: Record<string, number>;
  readonly againRequests: Record<string, number>;
}

/**
 * Figure 7: the per-record cost of `idempotency`. The same consumer of small raw records, plain and idempotent,
 * each in fresh processes; the idempotent one against dynalite (the local cloud's DynamoDB) on loopback, with
 * a table of its own per process.
 */
export async function measureIdempotency(options: BenchOptions): Promise<IdempotencyResult[]> {
  const emulator = await startEmulator();
  const dynamodbServer = await startLocalDynamoDb();
  const clients = benchClients(emulator.endpoint);
  const dynamodb = new DynamoDBClient(
    baseClientConfig({
      endpoint: dynamodbServer.endpoint,
      region: LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
    }),
  );
  const dir = mkdtempSync(join(tmpdir(), "fanout-bench-idempotency-"));
  const results: IdempotencyResult[] = [];
  try {
    const warmUp = await publishAndReceive(clients, smallJobs(Math.min(1_000, options.consumeRecords)));
    const { records, resources } = await publishAndReceive(clients, smallJobs(options.consumeRecords));
    const warmUpFile = join(dir, "warm-up.json");
    const recordsFile = join(dir, "records.json");
    writeFileSync(warmUpFile, JSON.stringify(warmUp.records));
    writeFileSync(recordsFile, JSON.stringify(records));
    const env = {
      ...process.env,
      ...localAwsEnvironment(emulator.endpoint),
      AWS_ENDPOINT_URL_DYNAMODB: dynamodbServer.endpoint,
    };
    for (const idempotent of [false, true]) {
      const reports: IdempotencyReport[] = [];
      for (let r = 0; r < options.repeats; r++) {
        const table = { ...idempotencyTable("fanout-bench"), name: `fanout-bench-idempotency-${r}` };
        if (idempotent) await provisionIdempotencyTable(dynamodb, table);
        const job: IdempotencyBenchJob = {
          idempotent,
          endpoint: emulator.endpoint,
          warmUpFile,
          recordsFile,
          resources: idempotent ? { ...resources, idempotencyTable: table.name } : resources,
        };
        reports.push(
          await runChild<IdempotencyReport>("./idempotency-process.ts", [JSON.stringify(job)], [], env),
        );
      }
      results.push({
        idempotent,
        records: records.length,
        failed: Math.max(...reports.map((r) => r.first.failed + r.again.failed)),
        firstMsPerRecord: median(reports.map((r) => r.first.msPerRecord)),
        firstCpuMsPerRecord: median(reports.map((r) => r.first.cpuMsPerRecord)),
        againMsPerRecord: median(reports.map((r) => r.again.msPerRecord)),
        againCpuMsPerRecord: median(reports.map((r) => r.again.cpuMsPerRecord)),
        firstRequests: reports[0]?.first.requests ?? {},
        againRequests: reports[0]?.again.requests ?? {},
      });
    }
  } finally {
    dynamodb.destroy();
    destroyAwsClients(clients);
    rmSync(dir, { recursive: true, force: true });
    await dynamodbServer.stop();
    await emulator.stop();
  }
  return results;
}

export function printIdempotency(results: readonly IdempotencyResult[], options: BenchOptions): void {
  const plain = results.find((r) => !r.idempotent);
  const once = results.find((r) => r.idempotent);
  if (!plain || !once) return;
  const row = (what: string, ms: number, cpuMs: number, base: number) => [
    what,
    fmt(ms * 1000, 1),
    fmt(cpuMs * 1000, 1),
    base === ms ? "" : `+${fmt((ms - base) * 1000, 1)}`,
    base === ms ? "" : ratio(ms, base),
  ];
  printTable(
    `Figure 7. Consume ${fmt(plain.records)} small records in-process, batches of 10, with and without idempotency (dynalite on loopback), median of ${options.repeats} processes`,
    ["consumer", "µs/record", "CPU µs/record", "µs added", "vs plain, same pass"],
    [
      row("plain, first pass", plain.firstMsPerRecord, plain.firstCpuMsPerRecord, plain.firstMsPerRecord),
      row(
        "idempotent, first delivery (claim + complete)",
        once.firstMsPerRecord,
        once.firstCpuMsPerRecord,
        plain.firstMsPerRecord,
      ),
      row(
        "plain, the same records again",
        plain.againMsPerRecord,
        plain.againCpuMsPerRecord,
        plain.againMsPerRecord,
      ),
      row(
        "idempotent, delivered again (claim refused: skipped)",
        once.againMsPerRecord,
        once.againCpuMsPerRecord,
        plain.againMsPerRecord,
      ),
    ],
  );
  const perRecord = (requests: Record<string, number>) =>
    Object.entries(requests)
      .map(([operation, n]) => `${operation} ${fmt(n, 2)}`)
      .join(" + ") || "none";
  note(
    `failed records: ${plain.failed} plain, ${once.failed} idempotent. DynamoDB requests per record: first delivery ${perRecord(once.firstRequests)}, delivered again ${perRecord(once.againRequests)}. The records of a batch run in parallel; dynalite serves every request from one Node process, while DynamoDB from Lambda is a network round trip of a few milliseconds per request.`,
  );
}
