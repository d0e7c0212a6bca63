import { createJobHandler } from "fanout";
import { registry } from "../shared/jobs/index.ts";
import { salesOfDay } from "../shared/sales-ledger.ts";
import { summarizeSales } from "./sales-summary.ts";

/** The day before the run's scheduled time (the envelope's `createdAt`), in UTC. */
function previousDay(scheduledAt: string): string {
  const day = new Date(scheduledAt);
  day.setUTCDate(day.getUTCDate() - 1);
  return day.toISOString().slice(0, 10);
}

export const handler = createJobHandler(
  registry,
  "summarize-sales",
  async (request, { logger, publish, createdAt }) => {
    const day = previousDay(createdAt);
    const summary = summarizeSales(salesOfDay(day), request.currency);
    logger.info("sales summarized", { day, regions: summary.byRegion.length, revenue: summary.revenue });
    await publish("send-notification", {
      to: request.recipient,
      subject: `Sales of ${day}`,
      lines: summary.lines,
    });
  },
);
