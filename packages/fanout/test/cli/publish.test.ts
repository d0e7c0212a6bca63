import type { Message } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { aheadRegistry } from "../fixtures/registry.ts";
import { drain, type Harness, startHarness } from "../support/harness.ts";
import { depth, jobIdOf } from "./queues.ts";
import { fanout, localEnv } from "./run.ts";

describe("fanout publish against the local cloud", () => {
  let h: Harness;
  let env: Record<string, string>;
  const received = (expected: number): Promise<Message[]> =>
    drain(h.fanout.clients.sqs, h.queueUrl("echo"), expected);

  beforeAll(async () => {
    h = await startHarness({ workers: false });
    env = localEnv(h.fanout.cloud.port);
  });
  afterAll(() => h.stop());

  it("validates and publishes one job, printing its id and that it travelled inline", async () => {
    const { code, stdout, stderr } = await fanout(["--local", "publish", "echo", '{"n":1,"text":"hi"}'], {
      env,
    });
    expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
    const [, jobId] = /^published echo job (\S+) \(inline\)\n$/.exec(stdout) ?? [];
    const messages = await received(1);
    expect(messages.map((m) => jobIdOf(m.Body))).toEqual([jobId]);
  });

  it("refuses a type the running local cloud has no queue for, unsent, and says to restart it", async () => {
    const payload = '{"image":"a.png","width":10}';
    for (const argv of [[payload], ["--count", "3", payload]]) {
      const { code, stdout, stderr } = await fanout(["--local", "publish", "resize-image", ...argv], {
        env,
        registry: aheadRegistry,
      });
      expect({ code, stdout }).toEqual({ code: 69, stdout: "" });
      expect(stderr).toMatch(
        /has no queue for resize-image \(fanout-test-resize-image\): it was provisioned before resize-image was in the registry\. Restart fanout start; nothing was published\./,
      );
    }
    expect(await depth(h.fanout.clients.sqs, h.fanout.provisioned.unrouted.queueUrl)).toEqual({
      visible: 0,
      inFlight: 0,
    });
  });

  it("offloads a payload above 256 KiB to S3 and says so, in JSON for scripts", async () => {
    const payload = JSON.stringify({ n: 2, text: "x".repeat(300_000) });
    const { code, stdout } = await fanout(["--local", "--json", "publish", "echo", "-"], {
      env,
      stdin: payload,
    });
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ type: "echo", offloaded: true, jobId: expect.any(String) });
    const [message] = await received(1);
    expect(message?.Body).toContain("software.amazon.payloadoffloading.PayloadS3Pointer");
  });

  it("--count N publishes N jobs through PublishBatch and prints the summary", async () => {
    const { code, stdout } = await fanout(["--local", "publish", "echo", "--count", "25", '{"n":3}'], {
      env,
    });
    expect(code).toBe(0);
    expect(stdout).toBe("echo: sent 25, offloaded 0, failed 0\n");
    const ids = (await received(25)).map((m) => jobIdOf(m.Body));
    expect(new Set(ids).size).toBe(25);
  });

  it("NDJSON on stdin: sends the valid lines, refuses the others by line with the reason, exits 65", async () => {
    const stdin = ['{"n":10}', '{"n":"eleven"}', "", "{not json", '{"n":13}', '{"n":14}'].join("\n");
    const { code, stdout, stderr } = await fanout(["--local", "--json", "publish", "echo", "-"], {
      env,
      stdin,
    });
    expect(code).toBe(65);
    expect(stderr).toBe(
      "fanout: 2 of 5 jobs were refused as invalid and not sent (reasons above); fix them and publish those again.\n",
    );
    const summary = JSON.parse(stdout);
    expect(summary).toMatchObject({ sent: 3, offloaded: 0, failed: 2 });
    expect(summary.failures).toEqual([
      expect.objectContaining({ label: "line 2", reason: expect.stringMatching(/^fails the schema: n: /) }),
      expect.objectContaining({ label: "line 4", reason: expect.stringMatching(/^not valid JSON/) }),
    ]);
    const sent = (await received(3)).map((m) => JSON.parse(m.Body ?? "").payload.n).sort();
    expect(sent).toEqual([10, 13, 14]);
  });

  it("groups identical failure reasons in the human summary", async () => {
    const stdin = ['{"n":"a"}', '{"n":"b"}', '{"n":20}'].join("\n");
    const { stdout } = await fanout(["--local", "publish", "echo", "--ndjson", "-"], { env, stdin });
    expect(stdout).toBe(
      [
        "echo: sent 1, offloaded 0, failed 2",
        "  2 × fails the schema: n: Invalid input: expected number, received string (line 1, line 2)",
        "",
      ].join("\n"),
    );
    await received(1);
  });
});
