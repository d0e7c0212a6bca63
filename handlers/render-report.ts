import { createJobHandler } from "fanout";
import { registry } from "../shared/jobs/index.ts";
import { summarizeSales } from "./sales-summary.ts";

export const handler = createJobHandler(registry, "render-report", async (report, { logger, publish }) => {
  const summary = summarizeSales(report.rows, report.currency);
  logger.info("report rendered", {
    title: report.title,
    rows: report.rows.length,
    regions: summary.byRegion.length,
  });
  await publish("send-notification", {
    to: report.requestedBy,
    subject: `Report ready: ${report.title}`,
    lines: summary.lines,
  });
});
