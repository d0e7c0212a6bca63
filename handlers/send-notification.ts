import { createJobHandler } from "fanout";
import { registry } from "../shared/jobs/index.ts";

/** Plain-text mail bodies wrap at 78 characters (RFC 5322). */
function wrap(line: string, width = 78): string[] {
  const out: string[] = [];
  let current = "";
  for (const word of line.split(/\s+/)) {
    if (current && current.length + word.length + 1 > width) {
      out.push(current);
      current = word;
    } else {
      current = current ? `${current} ${word}` : word;
    }
  }
  if (current) out.push(current);
  return out;
}

export const handler = createJobHandler(
  registry,
  "send-notification",
  async (notification, { logger, correlationId }) => {
    const text = [
      `To: ${notification.to}`,
      `Subject: ${notification.subject}`,
      "",
      ...notification.lines.flatMap((l) => wrap(l)),
    ];
    logger.info("notification rendered", {
      to: notification.to,
      bytes: Buffer.byteLength(text.join("\n")),
      correlationId,
    });
  },
);
