import { fileURLToPath } from "node:url";
import { type Message, ReceiveMessageCommand, type SQSClient } from "@aws-sdk/client-sqs";
import { PayloadStore } from "../../src/core/payload-store.ts";
import { Publisher, type PublisherOptions } from "../../src/core/publisher.ts";
import { type LocalFanout, startLocalFanout } from "../../src/local/local-fanout.ts";
import { type TestRegistry, testRegistry } from "../fixtures/registry.ts";

export interface Outcome {
  readonly jobType: string;
  readonly jobId: string;
  readonly outcome: string;
  readonly attempt?: number;
  readonly errorCode?: string;
  readonly reason?: string;
  readonly [key: string]: unknown;
}

export interface Harness {
  readonly fanout: LocalFanout;
  readonly outcomes: Outcome[];
  readonly payloads: PayloadStore;
  publisher(options?: Partial<PublisherOptions<TestRegistry>>): Publisher<TestRegistry>;
  /** Resolves once `predicate` holds over the outcomes seen so far; fails the test after `ms`. */
  waitFor(predicate: (outcomes: readonly Outcome[]) => boolean, ms?: number): Promise<void>;
  queueUrl(consumer: string): string;
  dlqUrl(consumer: string): string;
  stop(): Promise<void>;
}

export function fixtureHandler(jobType: string): string {
  return fileURLToPath(new URL(`../fixtures/handlers/${jobType}.ts`, import.meta.url));
}

/** The local cloud on a free port with the test registry, its workers started, and every outcome recorded. */
export async function startHarness(options: { workers?: boolean } = {}): Promise<Harness> {
  const fanout = await startLocalFanout({
    registry: testRegistry,
    port: 0,
    handlerPath: fixtureHandler,
    workers: options.workers ?? true,
  });
  const outcomes: Outcome[] = [];
  for (const runner of fanout.runners.values())
    runner.on("outcome", (fields) => outcomes.push(fields as Outcome));
  const payloads = new PayloadStore({ s3: fanout.clients.s3, bucket: fanout.provisioned.bucket });
  const queue = (consumer: string) => {
    const q = fanout.provisioned.queues.get(consumer);
    if (!q) throw new Error(`no queue for ${consumer}`);
    return q;
  };
  return {
    fanout,
    outcomes,
    payloads,
    publisher: (overrides = {}) =>
      new Publisher({
        registry: testRegistry,
        sns: fanout.clients.sns,
        payloads,
        topicArn: fanout.provisioned.topicArn,
        ...overrides,
      }),
    waitFor: async (predicate, ms = 30_000) => {
      const deadline = Date.now() + ms;
      while (!predicate(outcomes)) {
        if (Date.now() > deadline) {
          throw new Error(
            `condition not met within ${ms} ms; outcomes so far: ${JSON.stringify(outcomes, null, 1)}`,
          );
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    queueUrl: (consumer) => queue(consumer).queueUrl,
    dlqUrl: (consumer) => queue(consumer).dlqUrl,
    stop: () => fanout.stop(),
  };
}

/** Receives until the queue answers empty, leaving the messages in flight (invisible) for the visibility timeout. */
export async function drain(sqs: SQSClient, queueUrl: string, expected?: number): Promise<Message[]> {
  const messages: Message[] = [];
  for (let emptyAnswers = 0; emptyAnswers < 2 && (expected === undefined || messages.length < expected); ) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 1,
        MessageAttributeNames: ["All"],
        MessageSystemAttributeNames: ["All"],
        VisibilityTimeout: 60,
      }),
    );
    messages.push(...Messages);
    emptyAnswers = Messages.length === 0 ? emptyAnswers + 1 : 0;
  }
  return messages;
}
