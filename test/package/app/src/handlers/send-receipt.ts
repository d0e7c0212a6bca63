import { createJobHandler } from "fanout";
import { registry } from "../jobs.ts";

export const handler = createJobHandler(registry, "send-receipt", async (receipt, { logger }) => {
  logger.info("receipt sent", { orderId: receipt.orderId });
});
