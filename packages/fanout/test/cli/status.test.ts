import { ReceiveMessageCommand, SendMessageBatchCommand, SendMessageCommand } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Dashboard } from "../../src/dashboard/dashboard.ts";
import { startLocalDashboard } from "../../src/dashboard/local.ts";
import { type Harness, startHarness } from "../support/harness.ts";
import { fanout, localEnv } from "./run.ts";

describe("fanout status against the local cloud", () => {
  let h: Harness;
  let env: Record<string, string>;

  beforeAll(async () => {
    h = await startHarness({ workers: false });
    env = localEnv(h.fanout.cloud.port);
    const sqs = h.fanout.clients.sqs;
    // echo: 3 waiting, of which 1 is then received (in flight); 2 dead letters.
    await fanout(["--local", "publish", "echo", "--count", "3", '{"n":1}'], { env });
    await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: h.queueUrl("echo"),
        MaxNumberOfMessages: 1,
        VisibilityTimeout: 300,
      }),
    );
    await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: h.dlqUrl("echo"),
        Entries: [0, 1].map((i) => ({ Id: String(i), MessageBody: `{"dead":${i}}` })),
      }),
    );
    // fails-first-time: one delayed message.
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: h.queueUrl("fails-first-time"),
        MessageBody: "{}",
        DelaySeconds: 600,
      }),
    );
  });
  afterAll(() => h.stop());

  it("reports, for every job type and subscriber, visible, in flight, delayed, DLQ depth and ages as JSON", async () => {
    const { code, stdout } = await fanout(["--local", "--json", "status"], { env });
    expect(code).toBe(0);
    const report = JSON.parse(stdout);
    expect(report.ageSource).toBe("dlq-peek");
    expect(report.queues).toEqual([
      expect.objectContaining({
        consumer: "echo",
        kind: "worker",
        visible: 2,
        inFlight: 1,
        delayed: 0,
        dlqDepth: 2,
      }),
      expect.objectContaining({ consumer: "always-fails", visible: 0, inFlight: 0, delayed: 0, dlqDepth: 0 }),
      expect.objectContaining({
        consumer: "fails-first-time",
        visible: 0,
        inFlight: 0,
        delayed: 1,
        dlqDepth: 0,
      }),
      expect.objectContaining({ consumer: "audit", kind: "subscriber", visible: 3, dlqDepth: 0 }),
      expect.objectContaining({ consumer: "catch-all", kind: "catch-all", dlqDepth: 0 }),
      expect.objectContaining({ consumer: "unrouted", kind: "unrouted", visible: 0, dlqDepth: null }),
    ]);
    expect(report.queues.map((q: { undelivered: number }) => q.undelivered)).toEqual([0, 0, 0, 0, 0, 0]);
    const echo = report.queues[0];
    expect(echo.oldestDeadLetterAgeSeconds).toBeGreaterThanOrEqual(0);
    expect(echo.oldestAgeSeconds).toBeNull();
    expect(report.queues[1].oldestDeadLetterAgeSeconds).toBeNull();
  });

  it("takes a loopback --endpoint alone: no region and no credentials needed, as with --local", async () => {
    const endpoint = `http://127.0.0.1:${h.fanout.cloud.port}`;
    const { code, stdout, stderr } = await fanout(["--endpoint", endpoint, "--json", "status"], { env: {} });
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(JSON.parse(stdout).queues[0]).toMatchObject({ consumer: "echo", dlqDepth: 2 });
  });

  it("prints a table, and reading the ages leaves the dead letters where they were", async () => {
    const { code, stdout } = await fanout(["--local", "status"], { env });
    expect(code).toBe(0);
    const lines = stdout.trimEnd().split("\n");
    expect(lines[0]?.split(/\s{2,}/)).toEqual([
      "JOB TYPE",
      "VISIBLE",
      "IN FLIGHT",
      "DELAYED",
      "DLQ",
      "UNDELIVERED",
      "OLDEST",
      "OLDEST DEAD",
      "PROCESSED",
      "FAILED",
      "DEAD-LETTERED",
    ]);
    // Without a running fanout start there are no job counts to show.
    expect(lines[1]).toMatch(/^echo\s+2\s+1\s+0\s+2\s+0\s+-\s+\d+s\s+-\s+-\s+-$/);
    expect(lines[2]).toMatch(/^always-fails\s+0\s+0\s+0\s+0\s+0\s+-\s+-\s+-\s+-\s+-$/);
    expect(lines[3]).toMatch(/^fails-first-time\s+0\s+0\s+1\s+0\s+0\s+-\s+-\s+-\s+-\s+-$/);
    expect(lines[4]).toMatch(/^audit \(subscriber\)\s+3\s+0\s+0\s+0\s+0\s+-\s+-\s+-\s+-\s+-$/);
    expect(lines[5]).toMatch(/^catch-all \(sorter\)\s+\d+\s+\d+\s+0\s+0\s+0\s+-\s+-\s+-\s+-\s+-$/);
    expect(lines[6]).toMatch(/^unrouted \(no worker\)\s+0\s+0\s+0\s+-\s+0\s+-\s+-\s+-\s+-\s+-$/);
    expect(lines[7]).toBe("(OLDEST needs CloudWatch (AWS only); OLDEST DEAD from a peek of the DLQ)");
    expect(lines[8]).toMatch(
      /^\(no job counts: no fanout start answered at http:\/\/127\.0\.0\.1:\d+\/api\/jobs \(.+\)\)$/,
    );
    const again = JSON.parse((await fanout(["--local", "--json", "status"], { env })).stdout);
    expect(again.queues[0]).toMatchObject({ dlqDepth: 2 });
  });
});

describe("fanout status beside a running fanout start", () => {
  let h: Harness;
  let dashboard: Dashboard;
  let env: Record<string, string>;

  beforeAll(async () => {
    h = await startHarness();
    dashboard = await startLocalDashboard(h.fanout, { port: 0 });
    env = { ...localEnv(h.fanout.cloud.port), FANOUT_DASHBOARD_PORT: String(dashboard.port) };
  });
  afterAll(async () => {
    await dashboard.close();
    await h.stop();
  });

  it("counts each worker's jobs from the runners' outcome events, the figures the dashboard shows", async () => {
    const publisher = h.publisher();
    await publisher.publishMany([1, 2, 3].map((n) => ({ type: "echo" as const, payload: { n } })));
    await publisher.publish("fails-first-time", { n: 4, fail: true });
    await h.waitFor((o) => o.filter((x) => x.kind === "processed").length === 4);
    const { code, stdout } = await fanout(["--local", "--json", "status"], { env });
    expect(code).toBe(0);
    const { jobs } = JSON.parse(stdout);
    expect(jobs).toMatchObject({ windowMinutes: 10, source: "runner", note: null });
    expect(jobs.byType).toEqual({
      echo: { processed: 3, failed: 0, deadLettered: 0 },
      "always-fails": { processed: 0, failed: 0, deadLettered: 0 },
      "fails-first-time": { processed: 1, failed: 1, deadLettered: 0 },
    });
    const page = (await (await fetch(new URL("/api/queues", dashboard.url))).json()) as {
      queues: { consumer: string; kind: string; jobs: unknown }[];
    };
    const shown = Object.fromEntries(
      page.queues
        .filter((q: { kind: string }) => q.kind === "worker")
        .map((q: { consumer: string; jobs: unknown }) => [q.consumer, q.jobs]),
    );
    expect(shown).toEqual(jobs.byType);
    const table = (await fanout(["--local", "status"], { env })).stdout.split("\n");
    expect(table[1]).toMatch(/^echo\s.*\s3\s+0\s+0$/);
    expect(table.at(-2)).toBe("(jobs of the last 10 minutes, from the running fanout start)");
  });
});
