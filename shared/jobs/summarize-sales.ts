import { defineJob } from "fanout";
import { z } from "zod";

/** A summary of one day's sales, published every night by the registry's schedule. */
export const summarizeSales = defineJob({
  type: "summarize-sales",
  description: "Summarizes the previous day's sales by region and mails the summary.",
  schema: z.object({
    currency: z.string().length(3).default("EUR"),
    recipient: z.email(),
  }),
  worker: { timeoutSeconds: 60, publishes: ["send-notification"] },
});
