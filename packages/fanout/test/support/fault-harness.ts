import type { Message } from "@aws-sdk/client-sqs";
import { decodeRecord } from "../../src/consumer/record-decoder.ts";
import { toSqsRecord } from "../../src/consumer/sqs-record.ts";
import { type AwsClients, createAwsClients, destroyAwsClients } from "../../src/core/aws-clients.ts";
import { PayloadStore } from "../../src/core/payload-store.ts";
import { Publisher, type PublisherOptions, type PublishOutcome } from "../../src/core/publisher.ts";
import type { Registry } from "../../src/core/registry.ts";
import { type LocalCloud, startLocalCloud } from "../../src/local/cloud.ts";
import { LOCAL_CREDENTIALS, LOCAL_REGION } from "../../src/local/endpoint.ts";
import { type LocalFanout, startLocalFanout } from "../../src/local/local-fanout.ts";
import { type ReliabilityRegistry, reliabilityRegistry } from "../reliability/fixtures/registry.ts";
import { FaultProxy } from "./fault-proxy.ts";
import type { Outcome } from "./harness.ts";
import {
  checkInvariant,
  type DeadLetter,
  drainAll,
  type InvariantReport,
  readDeadLetters,
} from "./invariant.ts";
import { reliabilityHandler } from "./reliability-handlers.ts";

export interface FaultHarness {
  readonly cloud: LocalCloud;
  readonly proxy: FaultProxy;
  /** Provisioned and run through the proxy: every client, the runners' and the workers' alike. */
  readonly fanout: LocalFanout;
  /** Straight to the cloud, for the checks, which faults must not disturb. */
  readonly direct: AwsClients;
  readonly outcomes: Outcome[];
  publisher(options?: Partial<PublisherOptions<ReliabilityRegistry>>): Publisher<ReliabilityRegistry>;
  waitFor(predicate: (outcomes: readonly Outcome[]) => boolean, ms?: number): Promise<void>;
  /**
   * Waits until every successful publish is processed or in its DLQ (collecting dead letters and audit
   * entries as it goes), then checks the invariant for these publishes.
   */
  settle(published: readonly PublishOutcome[], ms?: number): Promise<InvariantReport>;
  readonly deadLetters: readonly DeadLetter[];
  queueUrl(consumer: string): string;
  dlqUrl(consumer: string): string;
  stop(): Promise<void>;
}

/** The local cloud, a fault proxy in front of it, and Fanout (the reliability registry) behind the proxy. */
export async function startFaultHarness(
  options: { registry?: Registry; workers?: boolean } = {},
): Promise<FaultHarness> {
  const cloud = await startLocalCloud({ port: 0 });
  const proxy = await FaultProxy.start(cloud.endpoint);
  const fanout = await startLocalFanout({
    registry: options.registry ?? reliabilityRegistry,
    endpoint: proxy.url,
    handlerPath: reliabilityHandler,
    workers: options.workers ?? true,
  });
  const direct = createAwsClients({
    endpoint: cloud.endpoint,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
  });
  const { topicArn, bucket } = fanout.provisioned;
  const directPayloads = new PayloadStore({ s3: direct.s3, bucket });
  const outcomes: Outcome[] = [];
  for (const runner of fanout.runners.values())
    runner.on("outcome", (fields) => outcomes.push(fields as Outcome));
  const deadLetters: DeadLetter[] = [];
  const unreadable: string[] = [];
  const audited: string[] = [];
  const queue = (consumer: string) => {
    const q = fanout.provisioned.queues.get(consumer);
    if (!q) throw new Error(`no queue for ${consumer}`);
    return q;
  };

  async function collect(): Promise<void> {
    for (const worker of fanout.topology.workers) {
      const read = await readDeadLetters(await drainAll(direct.sqs, queue(worker.consumer).dlqUrl), {
        payloads: directPayloads,
        topicArn,
      });
      deadLetters.push(...read.deadLetters);
      unreadable.push(...read.unreadable);
    }
    const audit: Message[] = await drainAll(direct.sqs, queue("audit").queueUrl);
    for (const message of audit) {
      const { envelope } = await decodeRecord(toSqsRecord(message), { payloads: directPayloads, topicArn });
      audited.push(envelope.id);
    }
  }

  async function waitFor(predicate: (o: readonly Outcome[]) => boolean, ms = 30_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!predicate(outcomes)) {
      if (Date.now() > deadline) throw new Error(`condition not met within ${ms} ms`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  return {
    cloud,
    proxy,
    fanout,
    direct,
    outcomes,
    deadLetters,
    publisher: (overrides = {}) =>
      new Publisher({
        registry: reliabilityRegistry,
        sns: fanout.clients.sns,
        payloads: new PayloadStore({ s3: fanout.clients.s3, bucket }),
        topicArn,
        ...overrides,
      }),
    waitFor,
    async settle(published, ms = 45_000) {
      const ids = published.filter((p) => p.ok).map((p) => p.jobId);
      const deadline = Date.now() + ms;
      for (;;) {
        await collect();
        const done = new Set([
          ...outcomes.filter((o) => o.outcome === "processed").map((o) => o.jobId),
          ...deadLetters.map((d) => d.jobId),
        ]);
        const pending = ids.filter((id) => !done.has(id));
        if (pending.length === 0 || Date.now() > deadline) break;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      const mine = new Set(published.map((p) => p.jobId));
      return checkInvariant(
        {
          published,
          outcomes: outcomes.filter((o) => mine.has(o.jobId)),
          deadLetters: deadLetters.filter((d) => mine.has(d.jobId)),
          audited,
          exchanges: proxy.exchanges,
        },
        unreadable,
      );
    },
    queueUrl: (consumer) => queue(consumer).queueUrl,
    dlqUrl: (consumer) => queue(consumer).dlqUrl,
    stop: async () => {
      await fanout.stop();
      destroyAwsClients(direct);
      await proxy.close();
      await cloud.stop();
    },
  };
}

/** Prints a scenario's figures in the test output, so duplicates are seen, not hidden. */
export function report(scenario: string, result: InvariantReport): void {
  const duplicates = Object.values(result.duplicates);
  console.warn(
    `[reliability] ${scenario}: published ${result.published}, processed ${result.processed}, dead-lettered ${result.deadLettered} (${result.redrivenWithoutReason.length} by redrive), duplicates ${duplicates.length} jobs / ${duplicates.reduce((a, b) => a + b - 1, 0)} extra runs, failed-but-sent ${result.failedButSent}`,
  );
}

/** The parts of the report that must be empty whatever the scenario. */
export function violations(result: InvariantReport) {
  return {
    lost: result.lost,
    successNotSent: result.successNotSent,
    unreadableDeadLetters: result.unreadableDeadLetters,
    pointerBeforeObject: result.pointerBeforeObject,
  };
}

export const NO_VIOLATIONS = {
  lost: [],
  successNotSent: [],
  unreadableDeadLetters: [],
  pointerBeforeObject: [],
};
