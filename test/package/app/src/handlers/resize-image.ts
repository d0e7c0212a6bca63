import { createJobHandler } from "fanout";
import { registry } from "../jobs.ts";

export const handler = createJobHandler(registry, "resize-image", async (image, { logger }) => {
  logger.info("thumbnail made", { url: image.url, width: image.width });
});
