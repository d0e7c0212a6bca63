import type { SNSClient } from "@aws-sdk/client-sns";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { JobOutcome } from "../../src/consumer/outcome.ts";
import { OutcomeTally } from "../../src/consumer/outcome-metrics.ts";
import { FANOUT_METRICS } from "../../src/core/metric-names.ts";
import { countPublishes } from "../../src/core/publish-metrics.ts";
import { Publisher } from "../../src/core/publisher.ts";
import { testRegistry } from "../fixtures/registry.ts";

const outcome = (overrides: Partial<JobOutcome>): JobOutcome => ({
  kind: "processed",
  jobType: "echo",
  jobId: "j-1",
  messageId: "m-1",
  attempt: 1,
  durationMs: 12,
  ...overrides,
});
const named = (values: ReturnType<OutcomeTally["take"]>) =>
  values.map(([metric, value]) => [metric.name, value]);

describe("an invocation's metric values", () => {
  it("count the outcomes once, keep each job's duration, and add up their payloads' bytes", () => {
    const tally = new OutcomeTally();
    tally.add(outcome({ payloadBytes: 80, offloaded: false }));
    tally.add(
      outcome({ kind: "failed", attempt: 2, durationMs: 30, payloadBytes: 300_000, offloaded: true }),
    );
    tally.add(outcome({ kind: "dead-lettered", jobId: null, durationMs: 1 }));
    expect(named(tally.take())).toEqual([
      ["JobsProcessed", 1],
      ["JobsFailed", 1],
      ["JobsDeadLettered", 1],
      ["JobsRetried", 1],
      ["PayloadsOffloaded", 1],
      ["PayloadBytes", 300_080],
      ["JobDuration", 12],
      ["JobDuration", 30],
      ["JobDuration", 1],
    ]);
  });

  it("report zero failures beside the processed jobs, so a dashboard's lines do not break", () => {
    const tally = new OutcomeTally();
    tally.add(outcome({}));
    expect(named(tally.take())).toEqual([
      ["JobsProcessed", 1],
      ["JobsFailed", 0],
      ["JobsDeadLettered", 0],
      ["JobDuration", 12],
    ]);
  });

  it("start again empty after each invocation", () => {
    const tally = new OutcomeTally();
    tally.add(outcome({}));
    tally.take();
    expect(tally.take()).toEqual([]);
  });
});

describe("the publisher's metrics", () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it("count per job type what SNS took, what was offloaded, and what failed", () => {
    const counts = countPublishes([
      { ok: true, jobId: "a", type: "echo", offloaded: false, messageId: "1" },
      { ok: true, jobId: "b", type: "echo", offloaded: true, messageId: "2" },
      { ok: false, jobId: "c", type: "always-fails", error: new (class extends Error {})() as never },
    ]);
    expect(Object.fromEntries(counts)).toEqual({
      echo: { published: 2, offloaded: 1, failed: 0 },
      "always-fails": { published: 0, offloaded: 0, failed: 1 },
    });
  });

  it("are written as one EMF document per job type when turned on", async () => {
    const written: string[] = [];
    vi.spyOn(process.stdout, "write").mockImplementation((chunk) => {
      written.push(String(chunk));
      return true;
    });
    const send = vi.fn(async () => ({
      Successful: [
        { Id: "0", MessageId: "m-1" },
        { Id: "1", MessageId: "m-2" },
      ],
    }));
    const publisher = new Publisher({
      registry: testRegistry,
      sns: { send } as unknown as SNSClient,
      payloads: { bucket: "unused", put: () => Promise.reject(new Error("nothing is offloaded here")) },
      topicArn: "arn:aws:sns:us-east-1:123456789012:fanout-test-jobs",
      metrics: true,
    });
    await publisher.publishMany([
      { type: "echo", payload: { n: 1 } },
      { type: "echo", payload: { n: 2 } },
      { type: "echo", payload: { n: "not a number" } as never },
    ]);
    const documents = written.filter((line) => line.includes('"_aws"')).map((line) => JSON.parse(line));
    expect(documents).toHaveLength(1);
    expect(documents[0]).toMatchObject({
      _aws: {
        CloudWatchMetrics: [
          {
            Namespace: "Fanout/fanout-test",
            Dimensions: [["service", "jobType"]],
            Metrics: [
              { Name: FANOUT_METRICS.published.name, Unit: "Count" },
              { Name: FANOUT_METRICS.publishedOffloaded.name, Unit: "Count" },
              { Name: FANOUT_METRICS.publishFailed.name, Unit: "Count" },
            ],
          },
        ],
      },
      service: "fanout-test",
      jobType: "echo",
      JobsPublished: 2,
      JobsPublishedOffloaded: 0,
      PublishFailures: 1,
    });
  });
});
