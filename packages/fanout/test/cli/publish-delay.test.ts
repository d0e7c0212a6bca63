import { GetQueueAttributesCommand } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseDelay } from "../../src/cli/duration.ts";
import { type Harness, startHarness } from "../support/harness.ts";
import { depth } from "./queues.ts";
import { fanout, localEnv } from "./run.ts";

describe("--delay", () => {
  it.each([
    ["90", 90],
    ["90s", 90],
    ["10m", 600],
    ["1h30m", 5400],
    ["12h", 43_200],
  ])("reads %s as %i seconds", (text, seconds) => {
    expect(parseDelay(text)).toBe(seconds);
  });

  it.each(["0", "12h1s", "10 minutes", "m", "-5", "1.5m", "10x"])("refuses %j", (text) => {
    expect(() => parseDelay(text)).toThrow("give 1 second to 12 hours, like 90s, 10m, 1h30m or 600");
  });
});

describe("fanout publish --delay against the local cloud", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ workers: false });
  });
  afterAll(() => h.stop());

  const delayedCount = async (queueUrl: string) => {
    const { Attributes = {} } = await h.fanout.clients.sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: queueUrl,
        AttributeNames: ["ApproximateNumberOfMessagesDelayed"],
      }),
    );
    return Number(Attributes.ApproximateNumberOfMessagesDelayed);
  };

  it("holds the job in the delay queue, not yet in its worker's queue, and says when it is due", async () => {
    const env = localEnv(h.fanout.cloud.port);
    const one = await fanout(["--local", "publish", "echo", "--delay", "10m", '{"n":1}'], { env });
    expect({ code: one.code, stderr: one.stderr }).toEqual({ code: 0, stderr: "" });
    expect(one.stdout).toMatch(/^published echo job \S+ \(inline\), due in 600 s\n$/);
    const bulk = await fanout(["--local", "publish", "echo", "--delay", "1h", "--count", "3", '{"n":2}'], {
      env,
    });
    expect(bulk.stdout).toBe("echo: sent 3, offloaded 0, failed 0\n");
    expect(await delayedCount(h.fanout.provisioned.delayed.queueUrl)).toBe(4);
    expect(await depth(h.fanout.clients.sqs, h.queueUrl("echo"))).toEqual({ visible: 0, inFlight: 0 });
  });

  it("refuses a delay it cannot keep, before connecting", async () => {
    const { code, stderr } = await fanout(["--local", "publish", "echo", "--delay", "13h", '{"n":1}']);
    expect(code).toBe(64);
    expect(stderr).toContain('--delay "13h" is not a delay Fanout takes');
  });
});
