import { defineJob } from "fanout";
import { z } from "zod";

/** Checks an order's arithmetic; an order whose total does not add up is rejected for good. */
export const checkOrder = defineJob({
  type: "check-order",
  description: "Verifies that an order's total equals the sum of its lines.",
  schema: z.object({
    orderId: z.string().min(1).max(64),
    items: z
      .array(
        z.object({
          sku: z.string().min(1).max(64),
          quantity: z.number().int().positive(),
          unitPrice: z.number().nonnegative(),
        }),
      )
      .min(1),
    total: z.number().nonnegative(),
  }),
  worker: { timeoutSeconds: 10, batchSize: 10 },
});
