import { describe, expect, it } from "vitest";
import { formatDeadLetters } from "../../src/cli/commands/dlq.ts";
import { wrapText } from "../../src/cli/table.ts";
import type { DeadLetter } from "../../src/operations/dead-letters.ts";
import type { HoldingQueue } from "../../src/operations/holding-queues.ts";

const REASON =
  "Order 7 could not be charged: the payment provider answered 402 Payment Required for card ending 4242, and PermanentJobError means it will not be retried; fix the card, then redrive this job.";

const letter: DeadLetter = {
  messageId: "m-1",
  jobId: "job-1",
  type: "check-order",
  correlationId: null,
  createdAt: null,
  errorCode: "PermanentJobError",
  reason: REASON,
  attempts: 1,
  receiveCount: 1,
  failedAt: null,
  ageSeconds: 30,
  offloaded: false,
  payload: { orderId: 7 },
  decodeError: null,
};
const holding: HoldingQueue = {
  kind: "dead-letters",
  consumer: "check-order",
  queueName: "x-dlq",
  redriveTo: "x",
};

describe("fanout dlq peek's table", () => {
  it("shows the whole reason beneath its row, wrapped to the terminal's width, words unbroken", () => {
    const lines = formatDeadLetters("x-dlq", [letter], holding, { wide: false, columns: 60 }).split("\n");
    const reasonLines = lines.slice(2, -1);
    expect(reasonLines.length).toBeGreaterThan(2);
    for (const line of reasonLines) {
      expect(line.startsWith("    ")).toBe(true);
      expect(line.length).toBeLessThanOrEqual(60);
    }
    expect(reasonLines.map((l) => l.trim()).join(" ")).toBe(`PermanentJobError: ${REASON}`);
  });

  it("with --wide keeps every letter on one line, the whole reason in it", () => {
    const lines = formatDeadLetters("x-dlq", [letter], holding, { wide: true, columns: 60 }).split("\n");
    expect(lines).toHaveLength(3);
    expect(lines[1]).toContain(`PermanentJobError: ${REASON}`);
  });

  it("cuts a word longer than a line, and loses no character", () => {
    const word = "x".repeat(25);
    expect(wrapText(`a ${word} b`, 10)).toEqual(["a", "xxxxxxxxxx", "xxxxxxxxxx", "xxxxx b"]);
  });
});
