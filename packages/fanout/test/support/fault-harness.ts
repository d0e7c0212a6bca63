import type { Message } from "@aws-sdk/client-sqs";
import { expect } from "vitest";
import { decodeRecord } from "../../src/consumer/record-decoder.ts";
import { toSqsRecord } from "../../src/consumer/sqs-record.ts";
import { type AwsClients, createAwsClients, destroyAwsClients } from "../../src/core/aws-clients.ts";
import { PayloadStore } from "../../src/core/payload-store.ts";
import type { PublishOutcome } from "../../src/core/publisher.ts";
import type { Registry } from "../../src/core/registry.ts";
import { type LocalCloud, startLocalCloud } from "../../src/local/cloud.ts";
import { LOCAL_CREDENTIALS, LOCAL_REGION } from "../../src/local/endpoint.ts";
import { type LocalFanout, startLocalFanout } from "../../src/local/local-fanout.ts";
import { type ReliabilityRegistry, reliabilityRegistry } from "../reliability/fixtures/registry.ts";
import { FaultProxy } from "./fault-proxy.ts";
import {
  checkInvariant,
  type DeadLetter,
  drainAll,
  type InvariantReport,
  readDeadLetters,
} from "./invariant.ts";
import { type LocalFanoutKit, localFanoutKit } from "./local-fanout-kit.ts";
import { reliabilityHandler } from "./reliability-handlers.ts";

export interface FaultHarness extends LocalFanoutKit<ReliabilityRegistry> {
  readonly cloud: LocalCloud;
  readonly proxy: FaultProxy;
  /** Provisioned and run through the proxy: every client, the runners' and the workers' alike. */
  readonly fanout: LocalFanout;
  /** Straight to the cloud, for the checks, which faults must not disturb. */
  readonly direct: AwsClients;
  /**
   * Waits until every successful publish is processed or in its DLQ (collecting dead letters and audit
   * entries as it goes), then checks the invariant for these publishes.
   */
  settle(published: readonly PublishOutcome[], ms?: number): Promise<InvariantReport>;
  /** `settle`, then prints the scenario's figures and fails the test on any violation of the invariant. */
  settleAndCheck(
    scenario: string,
    published: readonly PublishOutcome[],
    ms?: number,
  ): Promise<InvariantReport>;
  readonly deadLetters: readonly DeadLetter[];
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
  const kit = localFanoutKit(fanout, reliabilityRegistry);
  const { outcomes, queue } = kit;
  const deadLetters: DeadLetter[] = [];
  const unreadable: string[] = [];
  const audited: string[] = [];

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

  async function settle(published: readonly PublishOutcome[], ms = 45_000): Promise<InvariantReport> {
    const ids = published.filter((p) => p.ok).map((p) => p.jobId);
    const deadline = Date.now() + ms;
    for (;;) {
      await collect();
      const done = new Set([
        ...outcomes.filter((o) => o.kind === "processed").map((o) => o.jobId),
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
        outcomes: outcomes.filter((o) => o.jobId !== null && mine.has(o.jobId)),
        deadLetters: deadLetters.filter((d) => mine.has(d.jobId)),
        audited,
        exchanges: proxy.exchanges,
      },
      unreadable,
    );
  }

  return {
    ...kit,
    cloud,
    proxy,
    fanout,
    direct,
    deadLetters,
    settle,
    async settleAndCheck(scenario, published, ms) {
      const result = await settle(published, ms);
      report(scenario, result);
      expect(violations(result)).toEqual(NO_VIOLATIONS);
      return result;
    },
    stop: async () => {
      await fanout.stop();
      destroyAwsClients(direct);
      await proxy.close();
      await cloud.stop();
    },
  };
}

/** Prints a scenario's figures in the test output, so duplicates are seen, not hidden. */
function report(scenario: string, result: InvariantReport): void {
  const duplicates = Object.values(result.duplicates);
  console.warn(
    `[reliability] ${scenario}: published ${result.published}, processed ${result.processed}, dead-lettered ${result.deadLettered} (${result.redrivenWithoutReason.length} by redrive), duplicates ${duplicates.length} jobs / ${duplicates.reduce((a, b) => a + b - 1, 0)} extra runs, failed-but-sent ${result.failedButSent}`,
  );
}

/** The parts of the report that must be empty whatever the scenario. */
function violations(result: InvariantReport) {
  return {
    lost: result.lost,
    successNotSent: result.successNotSent,
    unreadableDeadLetters: result.unreadableDeadLetters,
    pointerBeforeObject: result.pointerBeforeObject,
  };
}

const NO_VIOLATIONS = {
  lost: [],
  successNotSent: [],
  unreadableDeadLetters: [],
  pointerBeforeObject: [],
};
