import { defineJob } from "fanout";
import { z } from "zod";

export const salesRow = z.object({
  region: z.string().min(1).max(64),
  product: z.string().min(1).max(128),
  units: z.number().int().nonnegative(),
  unitPrice: z.number().nonnegative(),
});

/** Renders a sales report from a large dataset; its payloads are often far above 256 KiB. */
export const renderReport = defineJob({
  type: "render-report",
  description: "Aggregates sales rows by region and product, then notifies the requester.",
  schema: z.object({
    title: z.string().min(1).max(200),
    currency: z.string().length(3).default("EUR"),
    requestedBy: z.email(),
    rows: z.array(salesRow).min(1),
  }),
  worker: { timeoutSeconds: 60, memoryMb: 1024, batchSize: 5, publishes: ["send-notification"] },
});
