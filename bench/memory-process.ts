/**
 * One publisher or consumer of one large payload, alone in a fresh process, so that its peak resident
 * memory (`maxRSS`) is its own. Reports over IPC.
 */
import type { Message } from "@aws-sdk/client-sqs";
import type { Context } from "aws-lambda";
import type { FunctionResources } from "fanout";
import { LOCAL_REGION } from "fanout/local";
import { toSqsRecord } from "fanout/testing";
import { SqsConsumer, SqsConsumerEvents } from "sns-sqs-big-payload";
import { benchClients } from "./clients.ts";
import { RequestCounter } from "./counter.ts";
import { fanoutHandler } from "./handlers/fanout.ts";
import { bigPayload, bigPayloadServices } from "./publishers/big-payload.ts";
import { fanout } from "./publishers/fanout.ts";
import { messageQueueToolkit } from "./publishers/message-queue-toolkit.ts";

export type MemoryTask =
  | {
      readonly role: "publish";
      readonly publisher: "fanout" | "big-payload" | "message-queue-toolkit";
      readonly endpoint: string;
      readonly topicArn: string;
      readonly bucket: string;
      readonly payloadBytes: number;
    }
  | {
      readonly role: "consume";
      readonly consumer: "fanout" | "big-payload";
      readonly endpoint: string;
      readonly message: Message;
      readonly resources: FunctionResources;
    };

export interface MemoryReport {
  /** Resident memory once the libraries are loaded, before the payload exists. */
  readonly startRssBytes: number;
  readonly maxRssBytes: number;
  readonly ms: number;
}

const task = JSON.parse(process.argv[2] ?? "{}") as MemoryTask;
const PUBLISHERS = { fanout, "big-payload": bigPayload, "message-queue-toolkit": messageQueueToolkit };

async function publish(t: Extract<MemoryTask, { role: "publish" }>): Promise<void> {
  const publisher = await PUBLISHERS[t.publisher].create({ ...t, counter: new RequestCounter() });
  await publisher.publishAll([{ n: 0, sentAt: Date.now(), text: "x".repeat(t.payloadBytes) }]);
  await publisher.close();
}

async function consume(t: Extract<MemoryTask, { role: "consume" }>): Promise<void> {
  if (t.consumer === "fanout") {
    // The default cap (256 MiB) would refuse the 500 MiB payload before reading it; lift it to measure.
    const handler = fanoutHandler({
      clients: benchClients(t.endpoint),
      resources: t.resources,
      maxPayloadBytes: 1024 * 1024 * 1024,
    });
    const context = { getRemainingTimeInMillis: () => 900_000 } as unknown as Context;
    const response = await handler(
      {
        Records: [
          toSqsRecord(t.message, {
            queueArn: "arn:aws:sqs:us-east-1:000000000000:bench",
            region: LOCAL_REGION,
          }),
        ],
      },
      context,
    );
    if (response.batchItemFailures.length > 0) throw new Error("the Fanout handler failed the record");
    return;
  }
  const { s3 } = bigPayloadServices(t.endpoint);
  let failure: unknown;
  let size = 0;
  const consumer = SqsConsumer.create({
    // Its Lambda guide leaves the queue out: `processMessage` does no polling.
    queueUrl: "",
    region: LOCAL_REGION,
    getPayloadFromS3: true,
    s3,
    parsePayload: (raw: string) => JSON.parse(raw),
    handleMessage: async ({ payload }) => {
      size = (payload as { text: string }).text.length;
    },
  });
  consumer.on(SqsConsumerEvents.processingError, ({ err }: { err: unknown }) => {
    failure = err;
  });
  await consumer.processMessage(t.message as never, { deleteAfterProcessing: false });
  if (failure || size === 0) throw failure ?? new Error("sns-sqs-big-payload consumed no payload");
}

const startRssBytes = process.memoryUsage.rss();
const started = performance.now();
await (task.role === "publish" ? publish(task) : consume(task));
const report: MemoryReport = {
  startRssBytes,
  maxRssBytes: process.resourceUsage().maxRSS * 1024,
  ms: performance.now() - started,
};
process.send?.(report, () => process.exit(0));
