import { defineJob, defineRegistry } from "fanout";
import { z } from "zod";

export const registry = defineRegistry({
  app: "shop",
  jobs: [
    defineJob({
      type: "resize-image",
      description: "Makes a thumbnail of an uploaded image.",
      schema: z.object({ url: z.url(), width: z.number().int().positive() }),
    }),
    defineJob({
      type: "send-receipt",
      description: "Mails the receipt of an order.",
      schema: z.object({ orderId: z.string().min(1), email: z.email() }),
      worker: { batchSize: 5 },
    }),
  ],
});
