import { defineJob } from "fanout";
import { z } from "zod";

export const ORDER_STATUSES = ["placed", "paid", "packed", "shipped", "delivered", "cancelled"] as const;

/**
 * One change of an order's status. Changes of one order must apply in the order they happened (a "shipped"
 * before its "paid" would be wrong), so the type is ordered by `orderId`; different orders run side by side.
 */
export const updateOrderStatus = defineJob({
  type: "update-order-status",
  description: "Applies one status change of an order, in the order the changes were published.",
  schema: z.object({
    orderId: z.string().min(1).max(64),
    status: z.enum(ORDER_STATUSES),
    at: z.iso.datetime(),
  }),
  ordering: { groupBy: "orderId" },
  worker: { timeoutSeconds: 10 },
});
