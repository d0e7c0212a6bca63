import { defineJob } from "fanout";
import { z } from "zod";

/** Formats a notification for delivery, once per job id; the follow-up of other jobs. */
export const sendNotification = defineJob({
  type: "send-notification",
  description: "Renders a plain-text notification to a recipient.",
  schema: z.object({
    to: z.email(),
    subject: z.string().min(1).max(200),
    lines: z.array(z.string().max(1_000)).max(200),
  }),
  // A notification must not reach its recipient twice: a duplicate delivery, a redrive or a producer's retry of
  // the same job id within a week is acknowledged without sending again.
  idempotency: { ttlSeconds: 7 * 24 * 3600 },
});
