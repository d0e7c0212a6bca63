import { fileURLToPath } from "node:url";
import { type Message, ReceiveMessageCommand, type SQSClient } from "@aws-sdk/client-sqs";
import { type LocalFanout, startLocalFanout } from "../../src/local/local-fanout.ts";
import { type TestRegistry, testRegistry } from "../fixtures/registry.ts";
import { type LocalFanoutKit, localFanoutKit } from "./local-fanout-kit.ts";

export interface Harness extends LocalFanoutKit<TestRegistry> {
  readonly fanout: LocalFanout;
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
  return { ...localFanoutKit(fanout, testRegistry), fanout, stop: () => fanout.stop() };
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
