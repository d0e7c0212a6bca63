import { defineRegistry } from "fanout";
import { checkOrder } from "./check-order.ts";
import { renderReport } from "./render-report.ts";
import { sendNotification } from "./send-notification.ts";
import { summarizeSales } from "./summarize-sales.ts";
import { updateOrderStatus } from "./update-order-status.ts";

/**
 * The job registry: the one place a job type exists. The cdktf stack, the local cloud, the CLI and the
 * types of `publish()` are all derived from it.
 */
export const registry = defineRegistry({
  app: process.env.FANOUT_APP ?? "fanout",
  jobs: [checkOrder, renderReport, sendNotification, summarizeSales, updateOrderStatus],
  subscribers: [{ name: "audit", jobTypes: "*", description: "Keeps a copy of every job for auditing." }],
  schedules: [
    {
      name: "nightly-sales-summary",
      description: "Yesterday's sales, summarized for the sales team at 03:00 Berlin time.",
      expression: "cron(0 3 * * ? *)",
      timeZone: "Europe/Berlin",
      jobType: "summarize-sales",
      payload: { currency: "EUR", recipient: "sales@example.com" },
      flexibleWindowMinutes: 15,
    },
  ],
});

export type AppRegistry = typeof registry;
