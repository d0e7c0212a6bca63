import { request } from "node:http";
import { SendMessageCommand } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEAD_LETTER_ATTRIBUTES } from "../../src/consumer/dead-letter.ts";
import type { Dashboard } from "../../src/dashboard/dashboard.ts";
import { startLocalDashboard } from "../../src/dashboard/local.ts";
import { depth } from "../cli/queues.ts";
import { testRegistry } from "../fixtures/registry.ts";
import { drain, type Harness, startHarness } from "../support/harness.ts";

interface Answer {
  readonly status: number;
  readonly body: { error?: string; [key: string]: unknown };
}

/** A raw HTTP request, so that the Host and Origin headers are exactly what a hostile page would send. */
function call(
  url: string,
  path: string,
  method: string,
  headers: Record<string, string> = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, url), { method, headers }, (res) => {
      let text = "";
      res.on("data", (chunk) => {
        text += chunk;
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text || "{}") }));
    });
    req.on("error", reject);
    req.end();
  });
}

const PAGE = { "X-Fanout-Dashboard": "1" };

describe("the dashboard's API and its guards", () => {
  let h: Harness;
  let dashboard: Dashboard;
  let readOnly: Dashboard;

  beforeAll(async () => {
    h = await startHarness({ workers: false });
    dashboard = await startLocalDashboard(h.fanout, { port: 0, sampleIntervalMs: 300 });
    readOnly = await startLocalDashboard(h.fanout, { port: 0, allowActions: false });
  });
  afterAll(async () => {
    await dashboard?.close();
    await readOnly?.close();
    await h?.stop();
  });

  it("listens on loopback only, and describes the registry's topology", async () => {
    expect(dashboard.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const { status, body } = await call(dashboard.url, "/api/topology", "GET");
    expect(status).toBe(200);
    expect((body.workers as { type: string }[]).map((w) => w.type)).toEqual(
      testRegistry.jobList.map((j) => j.type),
    );
    expect(body).toMatchObject({ topic: "fanout-test-jobs", subscribers: [{ name: "audit" }] });
  });

  it("refuses a request addressed to another host name (DNS rebinding) with 421", async () => {
    const { status, body } = await call(dashboard.url, "/api/queues", "GET", { Host: "evil.example:80" });
    expect(status).toBe(421);
    expect(body.error).toMatch(/answers only on http:\/\/127\.0\.0\.1:\d+/);
  });

  it("read-only: every action answers 403 and says how to allow actions", async () => {
    const { status, body } = await call(readOnly.url, "/api/dlq/echo/redrive", "POST", PAGE);
    expect(status).toBe(403);
    expect(body.error).toBe(
      "Actions are disabled: this dashboard is read-only. Restart it with --allow-actions to redrive dead letters.",
    );
  });

  it("with actions allowed, a POST without the page's header, or from another origin, is refused (CSRF)", async () => {
    const bare = await call(dashboard.url, "/api/dlq/echo/redrive", "POST");
    expect(bare.status).toBe(403);
    expect(bare.body.error).toMatch(/cross-site request refused/);
    const foreign = await call(dashboard.url, "/api/dlq/echo/redrive", "POST", {
      ...PAGE,
      Origin: "http://evil.example",
    });
    expect(foreign.status).toBe(403);
    expect(foreign.body.error).toMatch(/only from the dashboard's own page/);
  });

  it("gives the DLQ's own count beside a page of its dead letters, which is what redriving all moves", async () => {
    for (const body of ["one", "two", "three"]) {
      await h.fanout.clients.sqs.send(
        new SendMessageCommand({ QueueUrl: h.dlqUrl("always-fails"), MessageBody: body }),
      );
    }
    const { status, body } = await call(dashboard.url, "/api/dlq/always-fails?size=1", "GET", PAGE);
    expect(status).toBe(200);
    expect({ depth: body.depth, shown: (body.deadLetters as unknown[]).length }).toEqual({
      depth: 3,
      shown: 1,
    });
    await drain(h.fanout.clients.sqs, h.dlqUrl("always-fails"), 3);
  });

  it("redrives one dead letter by its message id, without its failure attributes, and leaves the others", async () => {
    const send = (body: string) =>
      h.fanout.clients.sqs.send(
        new SendMessageCommand({
          QueueUrl: h.dlqUrl("fails-first-time"),
          MessageBody: body,
          MessageAttributes: {
            [DEAD_LETTER_ATTRIBUTES.message]: { DataType: "String", StringValue: "it broke" },
          },
        }),
      );
    const first = await send("first");
    await send("second");
    const url = new URL(dashboard.url);
    const origin = { ...PAGE, Origin: url.origin };
    const moved = await call(
      dashboard.url,
      `/api/dlq/fails-first-time/redrive/${first.MessageId}`,
      "POST",
      origin,
    );
    expect(moved).toMatchObject({
      status: 200,
      body: { messageId: first.MessageId, to: "fanout-test-fails-first-time", duplicate: false },
    });
    expect(await depth(h.fanout.clients.sqs, h.queueUrl("fails-first-time"))).toEqual({
      visible: 1,
      inFlight: 0,
    });
    expect(await depth(h.fanout.clients.sqs, h.dlqUrl("fails-first-time"))).toEqual({
      visible: 1,
      inFlight: 0,
    });
    const [redriven] = await drain(h.fanout.clients.sqs, h.queueUrl("fails-first-time"), 1);
    expect(redriven?.Body).toBe("first");
    expect(redriven?.MessageAttributes ?? {}).toEqual({});

    const again = await call(
      dashboard.url,
      `/api/dlq/fails-first-time/redrive/${first.MessageId}`,
      "POST",
      origin,
    );
    expect(again.status).toBe(404);
    expect(again.body.error).toMatch(/is not in fanout-test-fails-first-time-dlq .*reload the dead letters/);
  });

  it("shows undelivered and unrouted jobs beside the dead letters, and redrives undelivered ones to their queue", async () => {
    const echo = h.fanout.provisioned.queues.get("echo");
    const send = (QueueUrl: string | undefined, MessageBody: string) =>
      h.fanout.clients.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody }));
    await send(echo?.deliveryDlqUrl, "undelivered one");
    await send(h.fanout.provisioned.unrouted.queueUrl, "unrouted one");
    const url = new URL(dashboard.url);
    const origin = { ...PAGE, Origin: url.origin };
    for (let tries = 0; tries < 50; tries++) {
      const { body } = await call(dashboard.url, "/api/queues", "GET");
      const rows = body.queues as {
        consumer: string;
        figures: { undelivered: number; visible: number } | null;
      }[];
      const undelivered = rows.find((q) => q.consumer === "echo")?.figures?.undelivered;
      const unrouted = rows.find((q) => q.consumer === "unrouted")?.figures?.visible;
      if (undelivered === 1 && unrouted === 1) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
      if (tries === 49) throw new Error(`figures never showed them: ${JSON.stringify(rows)}`);
    }
    const undelivered = await call(dashboard.url, "/api/dlq/echo?source=undelivered", "GET");
    expect(undelivered.body).toMatchObject({
      kind: "undelivered",
      dlq: "fanout-test-echo-undelivered",
      queue: "fanout-test-echo",
      deadLetters: [expect.objectContaining({ payloadPreview: "undelivered one" })],
    });
    const unrouted = await call(dashboard.url, "/api/dlq/unrouted", "GET");
    expect(unrouted.body).toMatchObject({
      kind: "unrouted",
      deadLetters: [expect.objectContaining({ payloadPreview: "unrouted one" })],
    });
    const moved = await call(dashboard.url, "/api/dlq/echo/redrive?source=undelivered", "POST", origin);
    expect(moved.body).toMatchObject({ moved: 1, to: "fanout-test-echo" });
    const [redriven] = await drain(h.fanout.clients.sqs, h.queueUrl("echo"), 1);
    expect(redriven?.Body).toBe("undelivered one");
    await drain(h.fanout.clients.sqs, h.fanout.provisioned.unrouted.queueUrl);
  });

  it("answers 404 with the known job types for an unknown one", async () => {
    const { status, body } = await call(dashboard.url, "/api/dlq/nope", "GET");
    expect(status).toBe(404);
    expect(body.error).toBe(
      'Unknown job type "nope". Known: echo, always-fails, fails-first-time, audit, catch-all, unrouted.',
    );
  });

  it("serves the page with a Content-Security-Policy that allows only its own scripts", async () => {
    const response = await fetch(dashboard.url);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-security-policy")).toContain("script-src 'self'");
    expect(await response.text()).toContain('<script type="module" src="/app.js"></script>');
    expect((await fetch(new URL("/../package.json", dashboard.url))).status).toBe(404);
  });
});
