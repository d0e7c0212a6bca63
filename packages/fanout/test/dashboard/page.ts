import type { Locator, Page } from "playwright-core";

/** Upper bound for anything the page shows after the next sample; not a timing assertion. */
export const SHOWN_WITHIN_MS = 30_000;

/** A figure cell of the queues table, by job type and field (`visible`, `dlqDepth`, `processed`...). */
export function figure(page: Page, consumer: string, field: string): Locator {
  return page.locator(`#queues tr[data-consumer="${consumer}"] [data-field="${field}"]`);
}

/** Waits until the element's whole text matches. */
export async function waitForText(locator: Locator, text: string | RegExp): Promise<void> {
  const pattern =
    typeof text === "string" ? new RegExp(`^\\s*${text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\s*$`) : text;
  await locator.filter({ hasText: pattern }).first().waitFor({ timeout: SHOWN_WITHIN_MS });
}

/** The page once its first figures are in. */
export async function openDashboard(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await page.locator("body[data-ready]").waitFor({ timeout: SHOWN_WITHIN_MS });
}

/** Waits until the queue of `consumer` holds `count` jobs, visible or in flight, as the table shows them. */
export async function waitForQueued(page: Page, consumer: string, count: number): Promise<void> {
  const deadline = Date.now() + SHOWN_WITHIN_MS;
  let shown = "";
  for (;;) {
    const [visible, inFlight] = await Promise.all([
      figure(page, consumer, "visible").textContent(),
      figure(page, consumer, "inFlight").textContent(),
    ]);
    shown = `${visible} visible, ${inFlight} in flight`;
    if (Number(visible) + Number(inFlight) === count) return;
    if (Date.now() > deadline) {
      throw new Error(`the queue of ${consumer} shows ${shown}, not ${count} jobs in all`);
    }
    await page.waitForTimeout(200);
  }
}
