import { type Message, ReceiveMessageCommand } from "@aws-sdk/client-sqs";
import { destroyAwsClients } from "fanout";
import { runChild } from "./child.ts";
import { benchClients } from "./clients.ts";
import { startEmulator } from "./emulator.ts";
import type { MemoryReport, MemoryTask } from "./memory-process.ts";
import type { BenchOptions } from "./options.ts";
import { provisionBench } from "./sqs-records.ts";
import { fmt, note, printTable } from "./table.ts";
import { createBenchTopic } from "./topic.ts";

export interface MemoryResult {
  readonly side: "publish" | "consume";
  readonly name: string;
  readonly mib: number;
  readonly report?: MemoryReport;
  readonly error?: string;
}

/** Large strings, several copies of them, well above Node's default heap limit. */
const CHILD_HEAP = ["--max-old-space-size=8192"];

type Publisher = Extract<MemoryTask, { role: "publish" }>["publisher"];
const PUBLISHERS: [Publisher, string][] = [
  ["fanout", "Fanout"],
  ["big-payload", "sns-sqs-big-payload"],
  ["message-queue-toolkit", "message-queue-toolkit"],
];
const CONSUMERS = new Set(["fanout", "big-payload"]);

async function receiveOne(sqs: ReturnType<typeof benchClients>["sqs"], queueUrl: string): Promise<Message> {
  const { Messages = [] } = await sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: queueUrl,
      MaxNumberOfMessages: 1,
      WaitTimeSeconds: 5,
      MessageAttributeNames: ["All"],
      MessageSystemAttributeNames: ["All"],
    }),
  );
  const message = Messages[0];
  if (!message) throw new Error("the published message never reached its queue");
  return message;
}

function oneLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split("\n")[0]?.slice(0, 160) ?? "";
}

/** Each publisher, then its own consumer where it has one, in fresh processes; one emulator per size. */
export async function measureMemory(options: BenchOptions): Promise<MemoryResult[]> {
  const results: MemoryResult[] = [];
  for (const mib of options.largePayloadsMiB) {
    const emulator = await startEmulator();
    const clients = benchClients(emulator.endpoint);
    try {
      const { resources } = await provisionBench(clients);
      let serial = 0;
      for (const [publisher, name] of PUBLISHERS) {
        const topic =
          publisher === "fanout"
            ? { topicArn: resources.topicArn, bucket: resources.bucket, queueUrl: resources.queueUrl }
            : await createBenchTopic(clients, `bench-memory-${mib}-${serial++}`);
        const task: MemoryTask = {
          role: "publish",
          publisher,
          endpoint: emulator.endpoint,
          topicArn: topic.topicArn,
          bucket: topic.bucket,
          payloadBytes: mib * 1024 * 1024,
        };
        try {
          results.push({
            side: "publish",
            name,
            mib,
            report: await runChild("./memory-process.ts", [JSON.stringify(task)], CHILD_HEAP),
          });
        } catch (error) {
          results.push({ side: "publish", name, mib, error: oneLine(error) });
          if (CONSUMERS.has(publisher))
            results.push({ side: "consume", name, mib, error: "nothing was published" });
          continue;
        }
        if (!CONSUMERS.has(publisher)) continue;
        try {
          const message = await receiveOne(clients.sqs, topic.queueUrl);
          const consume: MemoryTask = {
            role: "consume",
            consumer: publisher as "fanout" | "big-payload",
            endpoint: emulator.endpoint,
            message,
            resources: { ...resources, bucket: topic.bucket },
          };
          results.push({
            side: "consume",
            name,
            mib,
            report: await runChild("./memory-process.ts", [JSON.stringify(consume)], CHILD_HEAP),
          });
        } catch (error) {
          results.push({ side: "consume", name, mib, error: oneLine(error) });
        }
      }
    } finally {
      destroyAwsClients(clients);
      await emulator.stop();
    }
  }
  return results;
}

export function printMemory(results: readonly MemoryResult[]): void {
  printTable(
    "Figure 4. Peak resident memory (maxRSS) of one fresh process publishing or consuming one large payload",
    [
      "side",
      "library",
      "payload MiB",
      "start MiB",
      "peak MiB",
      "peak / payload",
      "(peak − start) / payload",
      "seconds",
    ],
    results.map((r) => {
      const payload = r.mib * 1024 * 1024;
      const rep = r.report;
      return [
        r.side,
        r.name,
        fmt(r.mib),
        rep ? fmt(rep.startRssBytes / 2 ** 20) : "",
        rep ? fmt(rep.maxRssBytes / 2 ** 20) : "failed",
        rep ? `${fmt(rep.maxRssBytes / payload, 2)}×` : "",
        rep ? `${fmt((rep.maxRssBytes - rep.startRssBytes) / payload, 2)}×` : "",
        rep ? fmt(rep.ms / 1000, 1) : "",
      ];
    }),
  );
  for (const r of results.filter((x) => x.error)) note(`${r.side} ${r.name} ${r.mib} MiB failed: ${r.error}`);
  note(
    "message-queue-toolkit's consumer is a polling class (AbstractSnsSqsConsumer) with no single-message entry point; only its publisher is measured.",
  );
}
