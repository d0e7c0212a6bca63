import type { JobOutcome } from "../../src/consumer/outcome.ts";
import { PayloadStore } from "../../src/core/payload-store.ts";
import { Publisher, type PublisherOptions } from "../../src/core/publisher.ts";
import type { Registry } from "../../src/core/registry.ts";
import type { LocalFanout } from "../../src/local/local-fanout.ts";
import type { ProvisionedQueue } from "../../src/local/provision.ts";

/** What both harnesses give a test over a running local Fanout: its outcomes, its queues, a publisher. */
export interface LocalFanoutKit<R extends Registry> {
  /** Every outcome the runners reported, in order. */
  readonly outcomes: JobOutcome[];
  readonly payloads: PayloadStore;
  publisher(options?: Partial<PublisherOptions<R>>): Publisher<R>;
  /** Resolves once `predicate` holds over the outcomes seen so far; fails the test after `ms`. */
  waitFor(predicate: (outcomes: readonly JobOutcome[]) => boolean, ms?: number): Promise<void>;
  queue(consumer: string): ProvisionedQueue;
  queueUrl(consumer: string): string;
  dlqUrl(consumer: string): string;
}

/** Polls `condition` every 50 ms until it holds; fails with `describe()` after `ms`. */
export async function waitUntil(condition: () => boolean, ms: number, describe: () => string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${ms} ms; ${describe()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export function localFanoutKit<R extends Registry>(fanout: LocalFanout, registry: R): LocalFanoutKit<R> {
  const outcomes: JobOutcome[] = [];
  for (const runner of fanout.runners.values()) runner.on("outcome", (outcome) => outcomes.push(outcome));
  const payloads = new PayloadStore({ s3: fanout.clients.s3, bucket: fanout.provisioned.bucket });
  const queue = (consumer: string) => {
    const found = fanout.provisioned.queues.get(consumer);
    if (!found) throw new Error(`no queue for ${consumer}`);
    return found;
  };
  return {
    outcomes,
    payloads,
    publisher: (overrides = {}) =>
      new Publisher({
        registry,
        sns: fanout.clients.sns,
        payloads,
        topicArn: fanout.provisioned.topicArn,
        ...overrides,
      }),
    waitFor: (predicate, ms = 30_000) =>
      waitUntil(
        () => predicate(outcomes),
        ms,
        () => `outcomes so far: ${JSON.stringify(outcomes, null, 1)}`,
      ),
    queue,
    queueUrl: (consumer) => queue(consumer).queueUrl,
    dlqUrl: (consumer) => queue(consumer).dlqUrl,
  };
}
