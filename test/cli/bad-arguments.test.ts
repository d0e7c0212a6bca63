import { createServer } from "node:net";
import { GetQueueAttributesCommand, type SQSClient } from "@aws-sdk/client-sqs";
import { type LocalFanout, startLocalFanout } from "fanout/local";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registry } from "../../shared/jobs/index.ts";
import { spawnFanout } from "../support/fanout-bin.ts";

const VALID_ORDER = '{"orderId":"o-1","items":[{"sku":"a","quantity":2,"unitPrice":1.5}],"total":3}';

async function depth(sqs: SQSClient, queueUrl: string) {
  const { Attributes = {} } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    }),
  );
  return {
    visible: Number(Attributes.ApproximateNumberOfMessages),
    inFlight: Number(Attributes.ApproximateNumberOfMessagesNotVisible),
  };
}

/** A port nothing listens on: taken from the OS, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe("the installed fanout command: bad arguments give one line, a non-zero exit code, and send nothing", () => {
  let fanout: LocalFanout;
  let env: Record<string, string>;

  beforeAll(async () => {
    fanout = await startLocalFanout({ registry, port: 0, workers: false });
    env = { FANOUT_LOCAL_PORT: String(fanout.cloud.port) };
  });
  afterAll(() => fanout.stop());

  async function nothingSent() {
    for (const queue of fanout.provisioned.queues.values()) {
      expect(await depth(fanout.clients.sqs, queue.queueUrl)).toEqual({ visible: 0, inFlight: 0 });
    }
  }

  it.each([
    {
      name: "an unknown job type",
      argv: ["--local", "publish", "check-ordr", VALID_ORDER],
      code: 64,
      line: /^fanout: Unknown job type "check-ordr"\. Known types: check-order, render-report, send-notification, summarize-sales, update-order-status\.$/,
    },
    {
      name: "invalid JSON",
      argv: ["--local", "publish", "check-order", '{"orderId": o-1}'],
      code: 65,
      line: /^fanout: the argument is not valid JSON \(.+\); pass a JSON object, @file or -\.$/,
    },
    {
      name: "a payload failing the schema",
      argv: ["--local", "publish", "check-order", '{"orderId":"o-1","items":[],"total":-1}'],
      code: 65,
      line: /^fanout: Payload for job type "check-order" is invalid: items: .+; total: .+\. Fix the payload to match the job's schema\.$/,
    },
    {
      name: "a file that does not exist",
      argv: ["--local", "publish", "check-order", "@no-such-order.json"],
      code: 65,
      line: /^fanout: Cannot read no-such-order\.json: ENOENT; check the path after @\.$/,
    },
  ])("$name: exit $code", async ({ argv, code, line }) => {
    const result = await spawnFanout(argv, { env });
    expect(result.stdout).toBe("");
    expect(result.stderr.split("\n")).toEqual([expect.stringMatching(line), ""]);
    expect(result.code).toBe(code);
    await nothingSent();
  });

  it("an unreachable endpoint: exit 69 within the test's time, with what to do next", async () => {
    const port = await closedPort();
    const result = await spawnFanout(
      ["--endpoint", `http://127.0.0.1:${port}`, "publish", "check-order", VALID_ORDER],
      {
        env: { AWS_REGION: "us-east-1", AWS_ACCESS_KEY_ID: "local", AWS_SECRET_ACCESS_KEY: "local" },
      },
    );
    expect(result.stdout).toBe("");
    expect(result.stderr.split("\n")).toEqual([
      `fanout: connect ECONNREFUSED 127.0.0.1:${port}. The endpoint is unreachable: for the local cloud run \`fanout start\` and pass --local; for AWS check the network and AWS_REGION.`,
      "",
    ]);
    expect(result.code).toBe(69);
    await nothingSent();
  });

  it("a queue that is not deployed: exit 69, telling how to create it", async () => {
    const result = await spawnFanout(["--local", "status"], { env: { ...env, FANOUT_APP: "not-deployed" } });
    expect(result.stderr).toMatch(
      /^fanout: Queue not-deployed-check-order does not exist here: deploy the stack \(npx cdktf deploy\), or start the local cloud \(fanout start\) and pass --local\.\n$/,
    );
    expect(result.code).toBe(69);
  });

  it("a valid job through the real process: exit 0, and exactly that job arrives", async () => {
    const result = await spawnFanout(["--local", "publish", "check-order", VALID_ORDER], { env });
    expect(result.stderr).toBe("");
    expect(result.stdout).toMatch(/^published check-order job [0-9a-f-]{36} \(inline\)\n$/);
    expect(result.code).toBe(0);
    const queue = fanout.provisioned.queues.get("check-order");
    expect(await depth(fanout.clients.sqs, queue?.queueUrl ?? "")).toEqual({ visible: 1, inFlight: 0 });
  });
});
