import { CreateTopicCommand, SubscribeCommand } from "@aws-sdk/client-sns";
import { CreateQueueCommand, GetQueueAttributesCommand, PurgeQueueCommand } from "@aws-sdk/client-sqs";
import {
  type AwsClients,
  defineJob,
  defineRegistry,
  destroyAwsClients,
  PayloadStore,
  Publisher,
} from "fanout";
import { z } from "zod";
import { benchClients } from "./clients.ts";
import { startEmulator } from "./emulator.ts";
import type { BenchOptions } from "./options.ts";
import { PEER_CONCURRENCY } from "./publishers/types.ts";
import { median } from "./stats.ts";
import { fmt, note, printTable, ratio } from "./table.ts";
import { smallJobs } from "./workloads.ts";

const schema = z.object({ n: z.number().int(), sentAt: z.number(), text: z.string(), group: z.string() });
const registry = defineRegistry({
  app: "fanout-bench",
  jobs: [
    defineJob({ type: "standard-job", description: "A standard job.", schema }),
    defineJob({
      type: "ordered-job",
      description: "An ordered job.",
      schema,
      ordering: { groupBy: "group" },
    }),
  ],
});

export interface FifoPublishResult {
  /** `standard`, or the number of groups the ordered jobs are spread over. */
  readonly run: string;
  readonly jobs: number;
  readonly jobsPerSecond: number;
  readonly failed: number;
}

/** A topic (FIFO or not) with one raw-delivery queue of the same kind, as the stack subscribes one. */
async function topicWithQueue(clients: AwsClients, name: string, fifo: boolean) {
  const fifoAttributes = fifo ? { FifoQueue: "true", ContentBasedDeduplication: "false" } : undefined;
  const { TopicArn } = await clients.sns.send(
    new CreateTopicCommand({
      Name: name,
      ...(fifo ? { Attributes: { FifoTopic: "true", ContentBasedDeduplication: "false" } } : {}),
    }),
  );
  const { QueueUrl } = await clients.sqs.send(
    new CreateQueueCommand({ QueueName: name, ...(fifoAttributes ? { Attributes: fifoAttributes } : {}) }),
  );
  const { Attributes } = await clients.sqs.send(
    new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }),
  );
  await clients.sns.send(
    new SubscribeCommand({
      TopicArn,
      Protocol: "sqs",
      Endpoint: Attributes?.QueueArn,
      Attributes: { RawMessageDelivery: "true" },
    }),
  );
  return { topicArn: TopicArn as string, queueUrl: QueueUrl as string };
}

/**
 * Figure 8: `publishMany` of small jobs to the FIFO topic against the standard topic. An ordered group's next
 * job is sent only once its previous one was taken, so the rate depends on how many groups the jobs spread
 * over; each run publishes the same jobs, to a fresh queue.
 */
export async function measureFifoPublish(options: BenchOptions): Promise<FifoPublishResult[]> {
  const emulator = await startEmulator();
  const clients = benchClients(emulator.endpoint);
  const jobs = Math.min(options.smallJobs, 5_000);
  const results: FifoPublishResult[] = [];
  try {
    const standard = await topicWithQueue(clients, "fanout-bench-jobs", false);
    const fifo = await topicWithQueue(clients, "fanout-bench-jobs.fifo", true);
    const publisher = new Publisher({
      registry,
      sns: clients.sns,
      payloads: new PayloadStore({ s3: clients.s3, bucket: "unused" }),
      topicArn: standard.topicArn,
      fifoTopicArn: fifo.topicArn,
      concurrency: PEER_CONCURRENCY,
    });
    const runs: { run: string; type: "standard-job" | "ordered-job"; groups: number; queueUrl: string }[] = [
      { run: "standard", type: "standard-job", groups: 1, queueUrl: standard.queueUrl },
      ...[1, 10, 100, 1_000].map((groups) => ({
        run: `ordered, ${fmt(groups)} group${groups === 1 ? "" : "s"}`,
        type: "ordered-job" as const,
        groups,
        queueUrl: fifo.queueUrl,
      })),
    ];
    const rates = new Map<string, number[]>(runs.map((r) => [r.run, []]));
    const failed = new Map<string, number>(runs.map((r) => [r.run, 0]));
    // An untimed warm-up of each run first, then the repeats with the runs interleaved, so that neither
    // topic is always measured first or on a cold process.
    for (let r = -1; r < options.repeats; r++) {
      for (const { run, type, groups, queueUrl } of runs) {
        // Fresh job ids each time: the FIFO topic would drop the same ids as duplicates.
        const requests = smallJobs(r < 0 ? Math.min(jobs, 500) : jobs).map((p) => ({
          type,
          jobId: `${run.replaceAll(/\W/g, "")}-${r}-${p.n}`,
          payload: { ...p, group: `g${p.n % groups}` },
        }));
        const started = performance.now();
        const outcomes = await publisher.publishMany(requests);
        const seconds = (performance.now() - started) / 1000;
        await clients.sqs.send(new PurgeQueueCommand({ QueueUrl: queueUrl }));
        if (r < 0) continue;
        rates.get(run)?.push(jobs / seconds);
        failed.set(run, (failed.get(run) ?? 0) + outcomes.filter((o) => !o.ok).length);
      }
    }
    for (const { run } of runs) {
      results.push({ run, jobs, jobsPerSecond: median(rates.get(run) ?? []), failed: failed.get(run) ?? 0 });
    }
  } finally {
    destroyAwsClients(clients);
    await emulator.stop();
  }
  return results;
}

export function printFifoPublish(results: readonly FifoPublishResult[], options: BenchOptions): void {
  const standard = results.find((r) => r.run === "standard");
  printTable(
    `Figure 8: publishMany to the FIFO topic against the standard one (${fmt(results[0]?.jobs ?? 0)} small jobs, median of ${options.repeats})`,
    ["run", "jobs/s", "vs standard", "failed"],
    results.map((r) => [
      r.run,
      fmt(r.jobsPerSecond),
      ratio(r.jobsPerSecond, standard?.jobsPerSecond ?? Number.NaN),
      fmt(r.failed),
    ]),
  );
  note(
    "An ordered group's next job waits for its previous one's answer (one job per group and request), so one group publishes a request round trip at a time; ten groups or more fill the requests.",
  );
}
