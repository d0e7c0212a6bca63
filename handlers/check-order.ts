import { createJobHandler, PermanentJobError } from "fanout";
import { registry } from "../shared/jobs/index.ts";

/** Cents avoid floating-point drift when summing prices. */
function toCents(amount: number): number {
  return Math.round(amount * 100);
}

export const handler = createJobHandler(registry, "check-order", async (order, { logger }) => {
  const expected = order.items.reduce((sum, item) => sum + item.quantity * toCents(item.unitPrice), 0);
  if (expected !== toCents(order.total)) {
    throw new PermanentJobError(
      `Order ${order.orderId}: total ${order.total} does not equal the sum of its lines ${(expected / 100).toFixed(2)}.`,
    );
  }
  logger.info("order total verified", {
    orderId: order.orderId,
    lines: order.items.length,
    total: order.total,
  });
});
