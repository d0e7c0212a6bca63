import { PublishCommand } from "@aws-sdk/client-sns";
import { DeleteQueueCommand, PurgeQueueCommand } from "@aws-sdk/client-sqs";
import { SnsProducer } from "sns-sqs-big-payload";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { JobOutcome } from "../../src/consumer/outcome.ts";
import { Publisher } from "../../src/core/publisher.ts";
import { LOCAL_REGION } from "../../src/local/endpoint.ts";
import { type LocalFanout, startLocalFanout } from "../../src/local/local-fanout.ts";
import { provisionTopology } from "../../src/local/provision.ts";
import { depth } from "../cli/queues.ts";
import { fanout as cli, localEnv } from "../cli/run.ts";
import { aheadRegistry } from "../fixtures/registry.ts";
import { bigPayloadServices } from "../support/big-payload.ts";
import { fixtureHandler, type Harness, startHarness } from "../support/harness.ts";

/** Polls a queue's depth (visible and in flight) until it is `expected`; SNS delivers asynchronously. */
async function untilDepth(h: Harness, url: string, expected: number): Promise<void> {
  for (const deadline = Date.now() + 20_000; Date.now() < deadline; ) {
    const { visible, inFlight } = await depth(h.fanout.clients.sqs, url);
    if (visible + inFlight === expected) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${url} never held ${expected} messages`);
}

describe("jobs SNS cannot route to a worker are kept where an operator can peek and redrive them", () => {
  let h: Harness;
  let env: Record<string, string>;
  beforeAll(async () => {
    h = await startHarness();
    env = localEnv(h.fanout.cloud.port);
  });
  afterAll(() => h.stop());

  it("a job of a type the running topology lacks waits in the unrouted queue, and runs once its worker is deployed", async () => {
    // A producer whose registry is one type ahead of what is deployed.
    const ahead = new Publisher({
      registry: aheadRegistry,
      sns: h.fanout.clients.sns,
      payloads: h.payloads,
      topicArn: h.fanout.provisioned.topicArn,
    });
    const job = await ahead.publish("resize-image", { image: "cat.png", width: 320 });
    await untilDepth(h, h.fanout.provisioned.unrouted.queueUrl, 1);

    const peeked = await cli(["--local", "--json", "dlq", "peek", "unrouted"], {
      env,
      registry: aheadRegistry,
    });
    expect(peeked.code).toBe(0);
    expect(JSON.parse(peeked.stdout).deadLetters).toEqual([
      expect.objectContaining({
        jobId: job.jobId,
        type: "resize-image",
        payload: { image: "cat.png", width: 320 },
      }),
    ]);

    // Redriven before the worker exists, it stays where it is.
    const early = await cli(["--local", "--json", "dlq", "redrive", "unrouted"], { env });
    expect(JSON.parse(early.stdout)).toMatchObject({ moved: 0, left: 1 });

    // The next deploy: the same cloud, provisioned from the newer registry, with the new worker running.
    let deployed: LocalFanout | undefined;
    try {
      deployed = await startLocalFanout({
        registry: aheadRegistry,
        endpoint: h.fanout.cloud.endpoint,
        handlerPath: fixtureHandler,
      });
      const outcomes: JobOutcome[] = [];
      deployed.runners.get("resize-image")?.on("outcome", (o) => outcomes.push(o));
      const redriven = await cli(["--local", "--json", "dlq", "redrive", "unrouted"], {
        env,
        registry: aheadRegistry,
      });
      expect(JSON.parse(redriven.stdout)).toMatchObject({ moved: 1, left: 0 });
      for (const deadline = Date.now() + 20_000; !outcomes.some((o) => o.jobId === job.jobId); ) {
        if (Date.now() > deadline) throw new Error("the redriven job was never processed");
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(outcomes).toEqual([expect.objectContaining({ jobId: job.jobId, kind: "processed" })]);
      expect(await depth(h.fanout.clients.sqs, h.fanout.provisioned.unrouted.queueUrl)).toEqual({
        visible: 0,
        inFlight: 0,
      });
    } finally {
      await deployed?.stop();
    }
  });

  it("a message with attributes but no jobType waits in the unrouted queue too", async () => {
    await h.fanout.clients.sns.send(
      new PublishCommand({
        TopicArn: h.fanout.provisioned.topicArn,
        Message: JSON.stringify({ n: 1 }),
        MessageAttributes: { source: { DataType: "String", StringValue: "a raw publish" } },
      }),
    );
    await untilDepth(h, h.fanout.provisioned.unrouted.queueUrl, 1);
    const peeked = await cli(["--local", "--json", "dlq", "peek", "unrouted"], { env });
    expect(JSON.parse(peeked.stdout).deadLetters).toEqual([
      expect.objectContaining({
        payload: '{"n":1}',
        decodeError: expect.stringMatching(/no jobType attribute/),
      }),
    ]);
    const redriven = await cli(["--local", "--json", "dlq", "redrive", "unrouted"], { env });
    expect(JSON.parse(redriven.stdout)).toMatchObject({ moved: 0, left: 1 });
    await h.fanout.clients.sqs.send(
      new PurgeQueueCommand({ QueueUrl: h.fanout.provisioned.unrouted.queueUrl }),
    );
  });

  it("a message published with no attribute at all (sns-sqs-big-payload's) waits in the unrouted queue, found by the catch-all", async () => {
    const { sns, s3 } = bigPayloadServices(h.fanout.cloud.endpoint);
    const producer = SnsProducer.create({
      topicArn: h.fanout.provisioned.topicArn,
      region: LOCAL_REGION,
      largePayloadThoughS3: true,
      s3Bucket: h.fanout.provisioned.bucket,
      sns,
      s3,
    });
    await producer.publishJSON({ orderId: "from a client that cannot set attributes" });
    await untilDepth(h, h.fanout.provisioned.unrouted.queueUrl, 1);
    const peeked = await cli(["--local", "--json", "dlq", "peek", "unrouted"], { env });
    expect(JSON.parse(peeked.stdout).deadLetters).toEqual([
      expect.objectContaining({ payload: '{"orderId":"from a client that cannot set attributes"}' }),
    ]);
    await h.fanout.clients.sqs.send(
      new PurgeQueueCommand({ QueueUrl: h.fanout.provisioned.unrouted.queueUrl }),
    );
  });

  it("a job SNS cannot deliver (its queue deleted) waits in the subscription's DLQ, and runs once the queue is back and it is redriven", async () => {
    const echo = h.fanout.provisioned.queues.get("echo");
    if (!echo) throw new Error("no echo queue");
    await h.fanout.clients.sqs.send(new DeleteQueueCommand({ QueueUrl: echo.queueUrl }));
    const job = await h.publisher().publish("echo", { n: 404, text: "nowhere to go" });
    await untilDepth(h, echo.deliveryDlqUrl, 1);

    const peeked = await cli(["--local", "--json", "dlq", "peek", "echo", "--undelivered"], { env });
    expect(JSON.parse(peeked.stdout)).toMatchObject({
      dlq: "fanout-test-echo-undelivered",
      kind: "undelivered",
      deadLetters: [
        expect.objectContaining({ jobId: job.jobId, payload: { n: 404, text: "nowhere to go" } }),
      ],
    });

    // The cause fixed (the next deploy recreates the queue), the job is redriven into it and processed.
    await provisionTopology(h.fanout.clients, h.fanout.topology);
    const redriven = await cli(["--local", "--json", "dlq", "redrive", "echo", "--undelivered"], { env });
    expect(JSON.parse(redriven.stdout)).toMatchObject({ moved: 1, to: "fanout-test-echo" });
    await h.waitFor((outcomes) => outcomes.some((o) => o.jobId === job.jobId && o.kind === "processed"));
    expect(await depth(h.fanout.clients.sqs, echo.deliveryDlqUrl)).toEqual({ visible: 0, inFlight: 0 });
  });
});
