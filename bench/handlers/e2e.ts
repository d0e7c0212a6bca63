import { createJobHandler } from "fanout";
import { benchRegistry } from "../registry.ts";

/** Logs how long ago the job was published, as the first thing the job function does. */
export const handler = createJobHandler(benchRegistry, "bench-job", async (payload, { logger }) => {
  logger.info("bench latency", { latencyMs: Date.now() - payload.sentAt, n: payload.n });
});
