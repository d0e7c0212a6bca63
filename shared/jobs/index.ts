import { defineRegistry } from "fanout";
import { checkOrder } from "./check-order.ts";
import { renderReport } from "./render-report.ts";
import { sendNotification } from "./send-notification.ts";

/**
 * The job registry: the one place a job type exists. The cdktf stack, the local cloud, the CLI and the
 * types of `publish()` are all derived from it.
 */
export const registry = defineRegistry({
  app: process.env.FANOUT_APP ?? "fanout",
  jobs: [checkOrder, renderReport, sendNotification],
  subscribers: [{ name: "audit", jobTypes: "*", description: "Keeps a copy of every job for auditing." }],
});

export type AppRegistry = typeof registry;
