import { createJobHandler } from "fanout";
import { registry } from "../shared/jobs/index.ts";

export const handler = createJobHandler(registry, "update-order-status", async (change, { logger }) => {
  // A real app writes the status to its order store; the jobs of one order arrive here one at a time, in order.
  logger.info("order status changed", { orderId: change.orderId, status: change.status, at: change.at });
});
