import { callsMatching } from "./counter.ts";
import { type PublishResult, s3Puts } from "./fig1-publish.ts";
import type { ConsumeResult } from "./fig2-consume.ts";
import { PRICE_SOURCE, PRICES_USD } from "./prices.ts";
import { fmt, note, printTable, ratio } from "./table.ts";

/**
 * Lambda's SQS event source receives up to 10 messages per `ReceiveMessage` and deletes them with one
 * `DeleteMessageBatch`; a batch of small jobs or pointers stays under 64 KB, so each is one request.
 */
const SQS_REQUESTS_PER_JOB = 2 / 10;

export interface CostRow {
  readonly name: string;
  readonly workload: "small" | "mixed";
  readonly snsBilledPerJob: number;
  readonly s3PutPerJob: number;
  readonly s3GetPerJob: number;
  readonly sqsPerJob: number;
  readonly usdPerMillionJobs: number;
}

export function costRows(published: readonly PublishResult[], consumed: readonly ConsumeResult[]): CostRow[] {
  return published
    .filter((r) => !r.error)
    .map((r) => {
      const offloadedPerJob =
        callsMatching(r.counts, (k) => k === "S3:PutObject" || k === "S3:CreateMultipartUpload") / r.jobs;
      // Fanout's GETs are counted in figure 2; a peer's consumer reads each offloaded payload once too.
      const fanoutConsumer = consumed.find((c) => c.consumer === "fanout" && c.workload === r.workload);
      const s3GetPerJob =
        r.contender.kind === "fanout" && fanoutConsumer
          ? (fanoutConsumer.calls["S3:GetObject"] ?? 0) / fanoutConsumer.records
          : offloadedPerJob;
      const snsBilledPerJob = r.counts.snsBilled / r.jobs;
      const s3PutPerJob = s3Puts(r.counts) / r.jobs;
      const usdPerJob =
        (snsBilledPerJob * PRICES_USD.snsPublishPerMillion) / 1e6 +
        (SQS_REQUESTS_PER_JOB * PRICES_USD.sqsRequestPerMillion) / 1e6 +
        (s3PutPerJob * PRICES_USD.s3PutPerThousand) / 1e3 +
        (s3GetPerJob * PRICES_USD.s3GetPerThousand) / 1e3;
      return {
        name: r.contender.name,
        workload: r.workload,
        snsBilledPerJob,
        s3PutPerJob,
        s3GetPerJob,
        sqsPerJob: SQS_REQUESTS_PER_JOB,
        usdPerMillionJobs: usdPerJob * 1e6,
      };
    });
}

export function printCost(rows: readonly CostRow[]): void {
  for (const workload of ["small", "mixed"] as const) {
    const list = rows.filter((r) => r.workload === workload);
    const fanoutRow = list.find((r) => r.name.startsWith("Fanout"));
    printTable(
      `Figure 6${workload === "small" ? "a" : "b"}. AWS request cost per million ${workload === "small" ? "small" : "mixed"} jobs (publish + consume)`,
      [
        "publisher",
        "SNS billed/job",
        "SQS req/job",
        "S3 PUT/job",
        "S3 GET/job",
        "USD per million jobs",
        "peer / Fanout",
      ],
      list.map((r) => [
        r.name,
        fmt(r.snsBilledPerJob, 3),
        fmt(r.sqsPerJob, 3),
        fmt(r.s3PutPerJob, 3),
        fmt(r.s3GetPerJob, 3),
        fmt(r.usdPerMillionJobs, 2),
        r === fanoutRow ? "" : ratio(r.usdPerMillionJobs, fanoutRow?.usdPerMillionJobs ?? Number.NaN),
      ]),
    );
  }
  note(
    `Prices: ${PRICE_SOURCE}. SNS requests and S3 PUTs as counted in figure 1 (SNS billed per started 64 KB of each request); S3 GETs as counted in figure 2 (peers: one per offloaded job); SQS: deliveries from SNS are free, Lambda's event source makes one ReceiveMessage and one DeleteMessageBatch per 10 jobs (empty long polls and Lambda compute not included).`,
  );
}
