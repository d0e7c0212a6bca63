import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { drain, type Harness, startHarness } from "../support/harness.ts";
import { depth } from "./queues.ts";
import { fanout, localEnv } from "./run.ts";

describe("fanout dlq peek against the local cloud", () => {
  let h: Harness;
  let env: Record<string, string>;
  let inlineJob: string;
  let offloadedJob: string;

  beforeAll(async () => {
    h = await startHarness();
    env = localEnv(h.fanout.cloud.port);
    inlineJob = (await h.publisher().publish("always-fails", { n: 7 })).jobId;
    offloadedJob = (await h.publisher({ alwaysOffload: true }).publish("always-fails", { n: 8 })).jobId;
    await h.waitFor((o) => o.filter((x) => x.kind === "dead-lettered").length === 2);
  });
  afterAll(() => h.stop());

  it("shows each dead letter decoded, its pointer resolved, with reason, receives and age", async () => {
    const { code, stdout } = await fanout(["--local", "--json", "dlq", "peek", "always-fails"], { env });
    expect(code).toBe(0);
    const { dlq, shown, deadLetters } = JSON.parse(stdout);
    expect({ dlq, shown }).toEqual({ dlq: "fanout-test-always-fails-dlq", shown: 2 });
    const byJob = Object.fromEntries(deadLetters.map((d: { jobId: string }) => [d.jobId, d]));
    expect(byJob[inlineJob]).toMatchObject({
      type: "always-fails",
      errorCode: "Error",
      reason: "job 7 cannot be done",
      attempts: 3,
      offloaded: false,
      payload: { n: 7 },
      decodeError: null,
    });
    expect(byJob[offloadedJob]).toMatchObject({
      reason: "job 8 cannot be done",
      offloaded: true,
      payload: { n: 8 },
    });
    expect(byJob[offloadedJob].ageSeconds).toBeGreaterThanOrEqual(0);
  });

  it("prints a table with each whole reason beneath its row, and -n limits how many", async () => {
    const { stdout } = await fanout(["--local", "dlq", "peek", "always-fails", "-n", "1"], { env });
    const lines = stdout.trimEnd().split("\n");
    expect(lines).toHaveLength(4);
    expect(lines[0]?.split(/\s{2,}/)).toEqual(["JOB ID", "ATTEMPTS", "AGE", "PAYLOAD IN", "PAYLOAD"]);
    expect(lines[1]).toMatch(/^[0-9a-f-]{36}\s+3\s+\d+s\s+(message|S3)\s+\{"n":[78]\}$/);
    expect(lines[2]).toMatch(/^ {4}Error: job [78] cannot be done$/);
    expect(lines[3]).toBe(
      "(1 dead letter of fanout-test-always-fails-dlq, left in place; full payloads with --json)",
    );
  });

  it("with --wide, puts each whole reason in an ERROR column, one line per dead letter", async () => {
    const { stdout } = await fanout(["--local", "dlq", "peek", "always-fails", "--wide"], { env });
    const lines = stdout.trimEnd().split("\n");
    expect(lines[0]?.split(/\s{2,}/)).toEqual([
      "JOB ID",
      "ATTEMPTS",
      "AGE",
      "PAYLOAD IN",
      "ERROR",
      "PAYLOAD",
    ]);
    expect(lines.slice(1, -1)).toHaveLength(2);
    for (const line of lines.slice(1, -1))
      expect(line).toMatch(/\sError: job [78] cannot be done\s+\{"n":[78]\}$/);
  });

  it("leaves the DLQ holding exactly what it held before", async () => {
    const sqs = h.fanout.clients.sqs;
    const before = await depth(sqs, h.dlqUrl("always-fails"));
    const { stdout } = await fanout(["--local", "--json", "dlq", "peek", "always-fails"], { env });
    expect(await depth(sqs, h.dlqUrl("always-fails"))).toEqual(before);
    expect(before).toEqual({ visible: 2, inFlight: 0 });
    const peeked = JSON.parse(stdout)
      .deadLetters.map((d: { messageId: string }) => d.messageId)
      .sort();
    const held = (await drain(sqs, h.dlqUrl("always-fails"))).map((m) => m.MessageId).sort();
    expect(held).toEqual(peeked);
  });

  it("says so when the DLQ is empty", async () => {
    const { code, stdout } = await fanout(["--local", "dlq", "peek", "echo"], { env });
    expect(code).toBe(0);
    expect(stdout).toBe("fanout-test-echo-dlq is empty.\n");
  });
});
