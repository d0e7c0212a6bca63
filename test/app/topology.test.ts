import { describeTopology } from "fanout";
import { describe, expect, it } from "vitest";
import { registry } from "../../shared/jobs/index.ts";

describe("the example app's topology", () => {
  it("derives one queue, DLQ and filter policy per job type, and a subscriber receiving all types", () => {
    const topology = describeTopology(registry, { accountId: "111122223333", region: "eu-west-1" });
    expect(topology.workers.map((w) => [w.queueName, w.dlqName, w.filterPolicy])).toEqual([
      ["fanout-check-order", "fanout-check-order-dlq", '{"jobType":["check-order"]}'],
      ["fanout-render-report", "fanout-render-report-dlq", '{"jobType":["render-report"]}'],
      ["fanout-send-notification", "fanout-send-notification-dlq", '{"jobType":["send-notification"]}'],
      ["fanout-summarize-sales", "fanout-summarize-sales-dlq", '{"jobType":["summarize-sales"]}'],
      [
        "fanout-update-order-status.fifo",
        "fanout-update-order-status-dlq.fifo",
        '{"jobType":["update-order-status"]}',
      ],
    ]);
    expect(topology.fifoTopicName).toBe("fanout-jobs.fifo");
    expect(JSON.parse(topology.subscribers[0]?.filterPolicy ?? "")).toEqual({ jobType: [{ exists: true }] });
    for (const worker of topology.workers) {
      expect(worker.visibilityTimeoutSeconds).toBeGreaterThanOrEqual(6 * worker.job.worker.timeoutSeconds);
      expect(worker.dlqRetentionSeconds).toBeGreaterThanOrEqual(worker.retentionSeconds);
    }
    // Half a day of delay, 4 days in the queue, 14 in a DLQ, 7 to redrive, and a day before a receive
    // refreshes an old object; rounded up to whole days.
    expect(topology.payloadExpirationDays).toBe(Math.ceil(0.5 + 4 + 14 + 7 + 1));
  });
});
