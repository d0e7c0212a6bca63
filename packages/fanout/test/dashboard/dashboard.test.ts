import { SendMessageCommand } from "@aws-sdk/client-sqs";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEAD_LETTER_ATTRIBUTES } from "../../src/consumer/dead-letter.ts";
import { JOB_TYPE_ATTRIBUTE } from "../../src/core/claim-check.ts";
import type { Dashboard } from "../../src/dashboard/dashboard.ts";
import { startLocalDashboard } from "../../src/dashboard/local.ts";
import { testRegistry } from "../fixtures/registry.ts";
import { type Harness, startHarness } from "../support/harness.ts";
import { type Browser, browserSuiteNote, launchBrowser, skipBrowserTests } from "./browser.ts";
import { figure, openDashboard, waitForQueued, waitForText } from "./page.ts";

const SCREENSHOT = process.env.DASHBOARD_SCREENSHOT ?? "/tmp/fanout-dashboard.png";

describe.skipIf(skipBrowserTests)(`the dashboard in headless Chromium${browserSuiteNote}`, () => {
  let h: Harness;
  let dashboard: Dashboard;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    h = await startHarness();
    dashboard = await startLocalDashboard(h.fanout, { port: 0, sampleIntervalMs: 500 });
    browser = await launchBrowser();
    page = await browser.newPage();
    const problems: string[] = [];
    page.on("pageerror", (error) => problems.push(error.message));
    await openDashboard(page, dashboard.url);
    expect(problems).toEqual([]);
  });
  afterAll(async () => {
    await browser?.close();
    await dashboard?.close();
    await h?.stop();
  });

  it("shows every job type of the registry: in the topology picture and in the queues table", async () => {
    const picture = page.locator("#topology svg");
    for (const { type } of testRegistry.jobList) {
      await expect(picture.locator(".node-queue", { hasText: type }).count()).resolves.toBe(1);
      await expect(
        picture.locator(".node-consumer", { hasText: `fanout-test-${type}` }).count(),
      ).resolves.toBe(1);
      await expect(
        picture.locator(".node-dlq", { hasText: `fanout-test-${type}-dlq` }).count(),
      ).resolves.toBe(1);
      await waitForText(figure(page, type, "visible"), /^\d+$/);
    }
    await expect(picture.locator(".node-topic").textContent()).resolves.toContain("fanout-test-jobs");
    await expect(picture.locator(".node-external", { hasText: "audit" }).count()).resolves.toBe(1);
    await expect(page.locator('#queues tr[data-consumer="audit"]').textContent()).resolves.toContain(
      "subscriber",
    );
  });

  it("the figures change when jobs are published: throughput, the outcomes list, the subscriber's queue", async () => {
    const auditBefore = Number(await figure(page, "audit", "visible").textContent());
    const published = await h
      .publisher()
      .publishMany(
        Array.from({ length: 5 }, (_, n) => ({ type: "echo" as const, payload: { n, text: "hello" } })),
      );
    await waitForText(figure(page, "echo", "processed"), "5");
    await waitForText(figure(page, "echo", "jobs"), "· 0 failed · 0 dead-lettered");
    await waitForText(figure(page, "audit", "visible"), String(auditBefore + 5));
    const firstId = published[0]?.jobId ?? "";
    const row = page.locator(`#outcomes tr[data-job-id="${firstId}"]`);
    await row.waitFor();
    await expect(row.textContent()).resolves.toContain("processed");
  });

  it("a job that fails permanently shows in its DLQ view with its reason; redrive of one, then all, after confirming, empties the DLQ", async () => {
    await h
      .publisher()
      .publishMany([1, 2, 3].map((n) => ({ type: "always-fails" as const, payload: { n } })));
    await waitForText(figure(page, "always-fails", "dlqDepth"), "3");
    await page.locator('#outcomes tr[data-outcome="dead-lettered"]').first().waitFor();
    // A redriven always-failing job would fail again and return to the DLQ: with its worker stopped, what
    // redrive moved back stays in the queue, where the page can count it. (The stopped worker's last long
    // poll may still take one message in flight: the count is of visible and in-flight jobs together.)
    await h.fanout.runners.get("always-fails")?.stop();

    await page.locator('#queues tr[data-consumer="always-fails"] a', { hasText: "Dead letters" }).click();
    const letters = page.locator("#dead-letters li.letter");
    await waitForText(page.locator("#dlq-title"), "Dead letters of always-fails");
    await letters.nth(2).waitFor();
    const reasons = await letters.locator('[data-field="reason"]').allTextContents();
    expect(reasons.sort()).toEqual(["job 1 cannot be done", "job 2 cannot be done", "job 3 cannot be done"]);
    await expect(letters.first().textContent()).resolves.toContain("3 attempts");
    await page.screenshot({ path: SCREENSHOT, fullPage: true });

    // Its detail: every attempt the runners saw, with outcome and duration, and the reason in full.
    await letters.first().getByRole("button", { name: "Details" }).click();
    const detail = page.locator("#detail");
    const attempts = detail.locator('[data-field="attempts"] tbody tr');
    await attempts.nth(2).waitFor();
    await expect(
      attempts.evaluateAll((rows) => rows.map((r) => r.getAttribute("data-outcome"))),
    ).resolves.toEqual(["failed", "failed", "dead-lettered"]);
    await expect(attempts.first().textContent()).resolves.toMatch(/\d+ ms/);
    await expect(detail.locator('[data-field="reason"]').textContent()).resolves.toMatch(
      /^job \d cannot be done$/,
    );
    await detail.getByRole("button", { name: "Close" }).click();

    // Cancel changes nothing.
    await letters.first().getByRole("button", { name: "Redrive" }).click();
    await page.locator("#confirm").getByRole("button", { name: "Cancel" }).click();
    await expect(page.locator("#confirm").isVisible()).resolves.toBe(false);
    await expect(letters.count()).resolves.toBe(3);

    await letters.first().getByRole("button", { name: "Redrive" }).click();
    await expect(page.locator("#confirm-text").textContent()).resolves.toContain(
      "goes back to the queue of always-fails",
    );
    await page.locator("#confirm-ok").click();
    await waitForText(figure(page, "always-fails", "dlqDepth"), "2");
    await waitForQueued(page, "always-fails", 1);
    await waitForText(
      page.locator("#dead-letters .flash-ok"),
      /^Moved job .+ back to fanout-test-always-fails\.$/,
    );
    await expect(letters.count()).resolves.toBe(2);

    await page.getByRole("button", { name: "Redrive all" }).click();
    await expect(page.locator("#confirm-text").textContent()).resolves.toContain(
      "All 2 dead letters of always-fails (the queue's count",
    );
    await expect(page.locator("#confirm-ok").textContent()).resolves.toBe("Redrive 2");
    await page.locator("#confirm-ok").click();
    await waitForText(figure(page, "always-fails", "dlqDepth"), "0");
    await waitForQueued(page, "always-fails", 3);
    await waitForText(
      page.locator("#dead-letters .flash-ok"),
      "Moved 2 dead letters back to fanout-test-always-fails.",
    );
    await waitForText(page.locator("#dead-letters .empty"), "The DLQ of always-fails is empty.");
  });

  it("a hostile dead letter is shown as text: nothing in it runs or becomes markup", async () => {
    const hostile = `<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>`;
    await h.fanout.clients.sqs.send(
      new SendMessageCommand({
        QueueUrl: h.dlqUrl("echo"),
        MessageBody: hostile,
        MessageAttributes: {
          [JOB_TYPE_ATTRIBUTE]: { DataType: "String", StringValue: "echo" },
          [DEAD_LETTER_ATTRIBUTES.code]: { DataType: "String", StringValue: "<b>Bold</b>" },
          [DEAD_LETTER_ATTRIBUTES.message]: { DataType: "String", StringValue: hostile },
        },
      }),
    );
    await page.goto(`${dashboard.url}#/dlq/echo`);
    const letter = page.locator("#dead-letters li.letter").first();
    await letter.waitFor();
    await expect(letter.locator('[data-field="reason"]').textContent()).resolves.toBe(hostile);
    await expect(letter.locator('[data-field="payload"]').textContent()).resolves.toBe(hostile);
    await letter.getByRole("button", { name: "Details" }).click();
    await expect(page.locator('#detail [data-field="payload"]').textContent()).resolves.toBe(hostile);
    await expect(page.locator('#detail [data-field="reason"]').textContent()).resolves.toBe(hostile);
    await expect(
      page
        .locator(
          "#dead-letters img, #dead-letters script, #dead-letters b, #detail img, #detail script, #detail b",
        )
        .count(),
    ).resolves.toBe(0);
    await page.locator("#detail").getByRole("button", { name: "Close" }).click();
    await expect(page.evaluate(() => (globalThis as { __pwned?: number }).__pwned)).resolves.toBeUndefined();
  });
});

describe.skipIf(skipBrowserTests)(`a read-only dashboard in headless Chromium${browserSuiteNote}`, () => {
  let h: Harness;
  let dashboard: Dashboard;
  let browser: Browser;

  beforeAll(async () => {
    h = await startHarness({ workers: false });
    dashboard = await startLocalDashboard(h.fanout, { port: 0, allowActions: false });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await dashboard?.close();
    await h?.stop();
  });

  it("shows dead letters without redrive buttons, and the server refuses a redrive with 403", async () => {
    await h.fanout.clients.sqs.send(
      new SendMessageCommand({ QueueUrl: h.dlqUrl("echo"), MessageBody: "not a job" }),
    );
    const page = await browser.newPage();
    await openDashboard(page, `${dashboard.url}#/dlq/echo`);
    await page.locator("#dead-letters li.letter").waitFor();
    await expect(page.locator(".badge", { hasText: "read-only" }).count()).resolves.toBe(1);
    await expect(page.locator("#dead-letters button", { hasText: "Redrive" }).count()).resolves.toBe(0);
    await expect(page.locator("#dead-letters").textContent()).resolves.toContain(
      "Read-only: start the dashboard with --allow-actions",
    );
    const refused = await page.evaluate(async () => {
      const response = await fetch("/api/dlq/echo/redrive", {
        method: "POST",
        headers: { "X-Fanout-Dashboard": "1" },
      });
      return { status: response.status, body: (await response.json()) as { error: string } };
    });
    expect(refused.status).toBe(403);
    expect(refused.body.error).toMatch(/read-only\. Restart it with --allow-actions/);
  });
});
