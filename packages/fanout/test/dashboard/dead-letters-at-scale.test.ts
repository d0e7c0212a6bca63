import { randomUUID } from "node:crypto";
import { SendMessageBatchCommand } from "@aws-sdk/client-sqs";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEAD_LETTER_ATTRIBUTES } from "../../src/consumer/dead-letter.ts";
import { JOB_TYPE_ATTRIBUTE } from "../../src/core/claim-check.ts";
import { encodeEnvelope } from "../../src/core/envelope.ts";
import type { Dashboard } from "../../src/dashboard/dashboard.ts";
import { startLocalDashboard } from "../../src/dashboard/local.ts";
import { type Harness, startHarness } from "../support/harness.ts";
import { type Browser, browserSuiteNote, launchBrowser, skipBrowserTests } from "./browser.ts";
import { backgrounds, isOpen, pageWidths, wordsCutByWrapping } from "./layout-probes.js";
import { figure, openDashboard, SHOWN_WITHIN_MS, waitForText } from "./page.ts";

const SCREENSHOTS = process.env.DASHBOARD_SCREENSHOTS ?? "/tmp";
const DECLINED = (n: number) =>
  `Order ${n} could not be charged: the payment provider answered 402 Payment Required for card ending 4242; PermanentJobError means it will not be retried.`;
const TIMED_OUT = (n: number) => `Upstream inventory service timed out after ${3000 + n} ms`;

/** Dead letters as the consumer writes them: an echo job's envelope, its reason, its attempts. */
async function seedDeadLetters(h: Harness, count: number): Promise<string[]> {
  const ids: string[] = [];
  const entries = Array.from({ length: count }, (_, n) => {
    const id = randomUUID();
    ids.push(id);
    const declined = n % 5 < 3;
    return {
      Id: String(n),
      MessageBody: encodeEnvelope({
        v: 1,
        id,
        type: "echo",
        createdAt: new Date().toISOString(),
        payload: { n, text: declined ? "card" : "inventory" },
      }),
      MessageAttributes: {
        [JOB_TYPE_ATTRIBUTE]: { DataType: "String", StringValue: "echo" },
        [DEAD_LETTER_ATTRIBUTES.code]: {
          DataType: "String",
          StringValue: declined ? "PermanentJobError" : "TimeoutError",
        },
        [DEAD_LETTER_ATTRIBUTES.message]: {
          DataType: "String",
          StringValue: declined ? DECLINED(n) : TIMED_OUT(n),
        },
        [DEAD_LETTER_ATTRIBUTES.receiveCount]: { DataType: "Number", StringValue: declined ? "1" : "5" },
        [DEAD_LETTER_ATTRIBUTES.failedAt]: { DataType: "String", StringValue: new Date().toISOString() },
      },
    };
  });
  for (let start = 0; start < entries.length; start += 10) {
    const batch = entries.slice(start, start + 10).map((e, i) => ({ ...e, Id: String(i) }));
    const sent = await h.fanout.clients.sqs.send(
      new SendMessageBatchCommand({ QueueUrl: h.dlqUrl("echo"), Entries: batch }),
    );
    expect(sent.Failed ?? []).toEqual([]);
  }
  return ids;
}

const letters = (page: Page) => page.locator("#dead-letters li.letter");
const groups = (page: Page) => page.locator("#dead-letters li.group");

async function confirm(page: Page, text: string | RegExp, label: string): Promise<void> {
  await expect(page.locator("#confirm-text").textContent()).resolves.toMatch(text);
  await expect(page.locator("#confirm-ok").textContent()).resolves.toBe(label);
  await page.locator("#confirm-ok").click();
}

describe.skipIf(skipBrowserTests)(
  `a DLQ of a thousand dead letters in headless Chromium${browserSuiteNote}`,
  () => {
    let h: Harness;
    let dashboard: Dashboard;
    let browser: Browser;
    let page: Page;
    let ids: string[];

    beforeAll(async () => {
      h = await startHarness();
      ids = await seedDeadLetters(h, 1_000);
      dashboard = await startLocalDashboard(h.fanout, { port: 0, sampleIntervalMs: 500, allowActions: true });
      browser = await launchBrowser();
      page = await browser.newPage();
      await page.setViewportSize({ width: 1280, height: 900 });
      await openDashboard(page, `${dashboard.url}#/dlq/echo`);
    }, 120_000);
    afterAll(async () => {
      await browser?.close();
      await dashboard?.close();
      await h?.stop();
    });

    it("shows the queue's 1,000, its two reason groups with their counts, a second page, and finds a letter by job id", async () => {
      await waitForText(
        page.locator('#dead-letters [data-field="depth"]'),
        "1,000 dead letters in fanout-test-echo-dlq",
      );
      await expect(groups(page).count()).resolves.toBe(2);
      const counted = await groups(page).evaluateAll((items) =>
        items.map((item) => [
          item.querySelector('[data-field="count"]')?.textContent,
          item.querySelector(".group-label")?.textContent,
        ]),
      );
      expect(counted).toEqual([
        [
          "600",
          "PermanentJobError: Order # could not be charged: the payment provider answered # Payment Required for card ending #; PermanentJobError means it will not be retried.",
        ],
        ["400", "TimeoutError: Upstream inventory service timed out after # ms"],
      ]);
      const shownIds = () =>
        letters(page).evaluateAll((items) => items.map((i) => i.getAttribute("data-job-id")));
      await waitForText(page.locator('#dead-letters [data-field="range"]'), "1–50 of 1,000");
      const first = await shownIds();
      expect(new Set(first).size).toBe(50);

      await page.getByRole("button", { name: "Next →" }).click();
      await waitForText(page.locator('#dead-letters [data-field="range"]'), "51–100 of 1,000");
      const second = await shownIds();
      expect(new Set([...first, ...second]).size).toBe(100);
      await page.getByRole("button", { name: "← Previous" }).click();
      await waitForText(page.locator('#dead-letters [data-field="range"]'), "1–50 of 1,000");
      await expect(shownIds()).resolves.toEqual(first);

      // A group narrows the list to its letters.
      await groups(page).nth(1).locator(".group-name").click();
      await waitForText(page.locator('#dead-letters [data-field="range"]'), "1–50 of 400 matching");
      await page.getByRole("button", { name: "Show all" }).click();
      await waitForText(page.locator('#dead-letters [data-field="range"]'), "1–50 of 1,000");

      const sought = ids[778] ?? "";
      await page.getByRole("searchbox", { name: "Search dead letters" }).fill(sought);
      await page.getByRole("button", { name: "Search", exact: true }).click();
      await waitForText(page.locator('#dead-letters [data-field="range"]'), "1–1 of 1 matching");
      await expect(letters(page).getAttribute("data-job-id")).resolves.toBe(sought);
      await expect(letters(page).locator('[data-field="reason"]').textContent()).resolves.toBe(
        TIMED_OUT(778),
      );
      await page.screenshot({ path: `${SCREENSHOTS}/fanout-dashboard-desktop.png`, fullPage: false });
      await page.getByRole("button", { name: "Show all" }).click();
      await waitForText(page.locator('#dead-letters [data-field="range"]'), "1–50 of 1,000");
    });

    it("runs a search submitted while the list is still being read after that read, rather than dropping it", async () => {
      const range = page.locator('#dead-letters [data-field="range"]');
      await openDashboard(page, `${dashboard.url}#/dlq/echo`);
      await waitForText(range, "1–50 of 1,000");
      // The next unfiltered read is held until the search has been submitted behind it.
      let release = () => {};
      const released = new Promise<void>((resolve) => {
        release = resolve;
      });
      let held = false;
      const unfiltered = /\/api\/dlq\/echo\?(?!.*\bq=)/;
      await page.route(unfiltered, async (route) => {
        if (!held) {
          held = true;
          await released;
        }
        await route.continue();
      });
      try {
        const reading = page.waitForRequest(unfiltered);
        await page.getByRole("button", { name: "Reload" }).click();
        await reading;
        const sought = ids[123] ?? "";
        await page.getByRole("searchbox", { name: "Search dead letters" }).fill(sought);
        await page.getByRole("button", { name: "Search", exact: true }).click();
        release();
        await waitForText(range, "1–1 of 1 matching");
        await expect(letters(page).getAttribute("data-job-id")).resolves.toBe(sought);
      } finally {
        release();
        await page.unroute(unfiltered);
      }
    });

    it("at 390 px the page does not scroll sideways, and a reason wraps between words", async () => {
      await page.setViewportSize({ width: 390, height: 844 });
      const widths = await page.evaluate(pageWidths);
      expect(widths).toEqual({ scroll: 390, client: 390, wide: [] });
      // Every line break of a long reason falls at a space: no word is cut in two.
      const brokenWords = await letters(page)
        .first()
        .locator('[data-field="reason"]')
        .evaluate(wordsCutByWrapping);
      expect(brokenWords).toEqual([]);
      await page.screenshot({ path: `${SCREENSHOTS}/fanout-dashboard-390.png`, fullPage: false });
      await page.setViewportSize({ width: 1280, height: 900 });
    });

    it("follows a dark colour-scheme preference", async () => {
      const colours = () => page.evaluate(backgrounds);
      const light = await colours();
      await page.emulateMedia({ colorScheme: "dark" });
      const dark = await colours();
      const brightness = (rgb: string) =>
        (rgb.match(/\d+/g) ?? []).slice(0, 3).reduce((sum, c) => sum + Number(c), 0) / 3;
      expect(brightness(light.body)).toBeGreaterThan(200);
      expect(brightness(dark.body)).toBeLessThan(40);
      expect(brightness(dark.card)).toBeLessThan(60);
      await page.screenshot({ path: `${SCREENSHOTS}/fanout-dashboard-dark.png`, fullPage: false });
      await page.emulateMedia({ colorScheme: "light" });
    });

    it("redrive all names the queue's 1,000 and moves exactly 1,000, which the worker then processes", async () => {
      const processedBefore = h.outcomes.filter((o) => o.jobType === "echo" && o.kind === "processed").length;
      await page.getByRole("button", { name: "Redrive all" }).click();
      await confirm(page, /^All 1,000 dead letters of echo \(the queue's count/, "Redrive 1,000");
      await waitForText(
        page.locator("#dead-letters .flash-ok"),
        "Moved 1,000 dead letters back to fanout-test-echo.",
      );
      await waitForText(figure(page, "echo", "dlqDepth"), "0");
      const redriven = new Set(ids);
      await h.waitFor(
        (outcomes) =>
          outcomes.filter((o) => o.kind === "processed" && redriven.has(o.jobId ?? "")).length === 1_000,
        SHOWN_WITHIN_MS * 2,
      );
      const processed = h.outcomes.filter((o) => o.jobType === "echo" && o.kind === "processed").length;
      expect(processed - processedBefore).toBe(1_000);
    });

    it("a letter edited in its detail view is checked against the schema, then redriven and processed", async () => {
      const [wrong, fixed] = await seedDeadLetters(h, 2);
      await page.getByRole("button", { name: "Reload" }).click();
      await waitForText(
        page.locator('#dead-letters [data-field="depth"]'),
        "2 dead letters in fanout-test-echo-dlq",
      );
      await page
        .locator(`#dead-letters li.letter[data-job-id="${fixed}"]`)
        .getByRole("button", { name: "Details" })
        .click();
      const detail = page.locator("#detail");
      await waitForText(detail.locator('[data-field="jobId"]'), fixed ?? "");
      await expect(detail.locator('[data-field="attempts"]').first().textContent()).resolves.toBe("1");
      await expect(detail.locator('[data-field="payload"]').textContent()).resolves.toContain(
        '"text": "card"',
      );

      await detail.getByRole("button", { name: "Edit and redrive…" }).click();
      const editor = detail.getByRole("textbox", { name: "Payload as JSON" });
      await editor.fill('{"n": "one", "text": "card"}');
      await detail.getByRole("button", { name: "Validate and redrive" }).click();
      await waitForText(
        detail.locator(".issues li"),
        /^n\s+Invalid input: expected number, received string$/,
      );
      await expect(page.locator("#detail").evaluate(isOpen)).resolves.toBe(true);

      await editor.fill('{"n": 1, "text": "card replaced"}');
      await detail.getByRole("button", { name: "Validate and redrive" }).click();
      await waitForText(
        page.locator("#dead-letters .flash-ok"),
        `Moved job ${fixed} back to fanout-test-echo with the edited payload.`,
      );
      await h.waitFor((outcomes) => outcomes.some((o) => o.jobId === fixed && o.kind === "processed"));
      await waitForText(
        page.locator('#dead-letters [data-field="depth"]'),
        "1 dead letter in fanout-test-echo-dlq",
      );
      await expect(letters(page).getAttribute("data-job-id")).resolves.toBe(wrong);
    });

    it("purge asks with the queue's name and count, then empties the DLQ", async () => {
      await seedDeadLetters(h, 9);
      await page.getByRole("button", { name: "Reload" }).click();
      await waitForText(
        page.locator('#dead-letters [data-field="depth"]'),
        "10 dead letters in fanout-test-echo-dlq",
      );
      await page.getByRole("button", { name: "Purge…" }).click();
      await expect(page.locator("#confirm-title").textContent()).resolves.toBe("Purge fanout-test-echo-dlq?");
      await confirm(page, /^All 10 dead letters in fanout-test-echo-dlq are deleted for good/, "Purge 10");
      await waitForText(page.locator("#dead-letters .flash-ok"), /^Purged fanout-test-echo-dlq/);
      await waitForText(figure(page, "echo", "dlqDepth"), "0");
      await waitForText(page.locator("#dead-letters .empty"), "The DLQ of echo is empty.");
    });
  },
);
