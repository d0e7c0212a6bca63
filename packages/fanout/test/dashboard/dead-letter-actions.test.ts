import { randomUUID } from "node:crypto";
import { PurgeQueueCommand, SendMessageCommand } from "@aws-sdk/client-sqs";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { DEAD_LETTER_ATTRIBUTES } from "../../src/consumer/dead-letter.ts";
import { JOB_TYPE_ATTRIBUTE } from "../../src/core/claim-check.ts";
import { encodeEnvelope } from "../../src/core/envelope.ts";
import type { Dashboard } from "../../src/dashboard/dashboard.ts";
import { startLocalDashboard } from "../../src/dashboard/local.ts";
import { depth } from "../cli/queues.ts";
import { drain, type Harness, startHarness } from "../support/harness.ts";

interface Listed {
  readonly messageId: string;
  readonly jobId: string | null;
  readonly dlqReads: number;
  readonly attempts: number | null;
  readonly groupId: string;
}
interface Page {
  readonly depth: number;
  readonly groups: { id: string; count: number; errorCode: string }[];
  readonly deadLetters: Listed[];
  readonly [key: string]: unknown;
}

describe("the dashboard's dead-letter actions and job detail, over its API", () => {
  let h: Harness;
  let dashboard: Dashboard;

  const api = async (path: string, init: { method?: string; body?: unknown } = {}) => {
    const response = await fetch(new URL(path, dashboard.url), {
      method: init.method ?? "GET",
      headers: {
        "X-Fanout-Dashboard": "1",
        ...(init.body === undefined ? {} : { "Content-Type": "application/json" }),
      },
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const page = async (query = "") => (await api(`/api/dlq/echo${query}`)).body as unknown as Page;

  /** A dead letter of echo as the consumer writes it. */
  async function deadLetter(code: string, reason: string, payload: unknown = { n: 1 }): Promise<string> {
    const id = randomUUID();
    await h.fanout.clients.sqs.send(
      new SendMessageCommand({
        QueueUrl: h.dlqUrl("echo"),
        MessageBody: encodeEnvelope({
          v: 1,
          id,
          type: "echo",
          createdAt: new Date().toISOString(),
          correlationId: "order-7",
          payload,
        }),
        MessageAttributes: {
          [JOB_TYPE_ATTRIBUTE]: { DataType: "String", StringValue: "echo" },
          [DEAD_LETTER_ATTRIBUTES.code]: { DataType: "String", StringValue: code },
          [DEAD_LETTER_ATTRIBUTES.message]: { DataType: "String", StringValue: reason },
          [DEAD_LETTER_ATTRIBUTES.receiveCount]: { DataType: "Number", StringValue: "4" },
        },
      }),
    );
    return id;
  }

  beforeAll(async () => {
    h = await startHarness({ workers: false });
    dashboard = await startLocalDashboard(h.fanout, { port: 0, sampleIntervalMs: 300, allowActions: true });
  });
  afterEach(async () => {
    for (const url of [h.dlqUrl("echo"), h.queueUrl("echo")]) {
      await h.fanout.clients.sqs.send(new PurgeQueueCommand({ QueueUrl: url }));
    }
    // As the page's Reload does: the next test's letters are new ones at the same depth.
    await api("/api/dlq/echo?refresh=1");
  });
  afterAll(async () => {
    await dashboard?.close();
    await h?.stop();
  });

  it("reads a DLQ once for any number of looks, and again on Reload: attempts stay what they were", async () => {
    await deadLetter("PermanentJobError", "declined 1");
    await deadLetter("PermanentJobError", "declined 2");
    const first = await page();
    const again = await page();
    expect(first.deadLetters.map((l) => l.dlqReads)).toEqual([1, 1]);
    expect(again.deadLetters.map((l) => l.dlqReads)).toEqual([1, 1]);
    const reloaded = await page("?refresh=1");
    expect(reloaded.deadLetters.map((l) => [l.attempts, l.dlqReads])).toEqual([
      [4, 2],
      [4, 2],
    ]);
  });

  it("deletes one dead letter, then a whole reason group, and redrives a group to its queue", async () => {
    const doomed = await deadLetter("PermanentJobError", "Order 1 declined");
    await deadLetter("PermanentJobError", "Order 2 declined");
    const timedOut = [
      await deadLetter("TimeoutError", "timed out after 31 s"),
      await deadLetter("TimeoutError", "timed out after 32 s"),
    ];
    await deadLetter("ValidationError", "field missing");
    const before = await page();
    expect(before.groups.map((g) => [g.errorCode, g.count])).toEqual([
      ["PermanentJobError", 2],
      ["TimeoutError", 2],
      ["ValidationError", 1],
    ]);

    const letter = before.deadLetters.find((l) => l.jobId === doomed);
    const deleted = await api(`/api/dlq/echo/delete/${letter?.messageId}`, { method: "POST" });
    expect(deleted).toMatchObject({ status: 200, body: { deleted: 1 } });
    expect((await page()).depth).toBe(4);

    const declined = before.groups[0]?.id;
    const groupDeleted = await api(`/api/dlq/echo/groups/${declined}/delete`, { method: "POST" });
    // The letter deleted a moment ago is no longer the group's: one left to delete.
    expect(groupDeleted.body).toMatchObject({ deleted: 1, missing: [] });

    const timeouts = before.groups[1]?.id;
    const moved = await api(`/api/dlq/echo/groups/${timeouts}/redrive`, { method: "POST" });
    expect(moved.body).toMatchObject({ moved: 2 });
    const redriven = await drain(h.fanout.clients.sqs, h.queueUrl("echo"), 2);
    expect(redriven.map((m) => (JSON.parse(m.Body ?? "") as { id: string }).id).sort()).toEqual(
      timedOut.sort(),
    );
    expect(redriven.every((m) => !m.MessageAttributes?.[DEAD_LETTER_ATTRIBUTES.message])).toBe(true);
    const after = await page();
    expect(after.groups.map((g) => [g.errorCode, g.count])).toEqual([["ValidationError", 1]]);
    expect(await depth(h.fanout.clients.sqs, h.dlqUrl("echo"))).toEqual({ visible: 1, inFlight: 0 });
  });

  it("an edited payload is checked against the job's schema: refused with each issue, or sent as the same job", async () => {
    const jobId = await deadLetter("JobValidationError", "n must be a number", { n: "seven" });
    const [letter] = (await page()).deadLetters;
    const refused = await api(`/api/dlq/echo/edit/${letter?.messageId}`, {
      method: "POST",
      body: { payload: { n: "7" } },
    });
    expect(refused.status).toBe(422);
    expect(refused.body).toMatchObject({
      error: expect.stringMatching(/^Payload for job type "echo" is invalid: n: /),
      issues: [{ path: "n", message: expect.stringContaining("expected number") }],
    });
    expect(await depth(h.fanout.clients.sqs, h.dlqUrl("echo"))).toEqual({ visible: 1, inFlight: 0 });

    const sent = await api(`/api/dlq/echo/edit/${letter?.messageId}`, {
      method: "POST",
      body: { payload: { n: 7 } },
    });
    expect(sent).toMatchObject({ status: 200, body: { to: "fanout-test-echo", duplicate: false } });
    const [redriven] = await drain(h.fanout.clients.sqs, h.queueUrl("echo"), 1);
    expect(JSON.parse(redriven?.Body ?? "")).toMatchObject({
      id: jobId,
      type: "echo",
      correlationId: "order-7",
      payload: { n: 7 },
    });
    expect(redriven?.MessageAttributes?.[DEAD_LETTER_ATTRIBUTES.code]).toBeUndefined();
    expect((await page()).depth).toBe(0);
  });

  it("shows a job in full: its envelope, dead letter, payload and the chain of its correlation id", async () => {
    const jobId = await deadLetter("PermanentJobError", "declined", { n: 3, text: "<b>not markup</b>" });
    const sibling = await deadLetter("PermanentJobError", "declined too");
    const [letter] = (await page()).deadLetters.filter((l) => l.jobId === jobId);
    const { status, body } = await api(`/api/dlq/echo/letters/${letter?.messageId}`);
    expect(status).toBe(200);
    expect(body).toMatchObject({
      jobId,
      envelope: { id: jobId, type: "echo", correlationId: "order-7" },
      deadLetter: { reason: "declined", attempts: 4, dlqReads: 1, dlq: "fanout-test-echo-dlq" },
      chain: { id: "order-7" },
      attempts: null,
      attemptsNote: expect.stringContaining("local runners"),
    });
    expect(JSON.parse((body.deadLetter as { payloadText: string }).payloadText)).toEqual({
      n: 3,
      text: "<b>not markup</b>",
    });
    expect((body.chain as { jobs: { jobId: string }[] }).jobs.map((j) => j.jobId).sort()).toEqual(
      [jobId, sibling].sort(),
    );
    expect((await api(`/api/jobs/${jobId}`)).body).toMatchObject({
      jobId,
      deadLetter: { reason: "declined" },
    });
    const unknown = await api("/api/jobs/no-such-job");
    expect(unknown).toMatchObject({
      status: 404,
      body: { error: expect.stringMatching(/open its DLQ first/) },
    });
  });
});
