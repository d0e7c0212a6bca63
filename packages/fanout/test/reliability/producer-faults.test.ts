import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PublishError } from "../../src/core/errors.ts";
import type { JobRequest } from "../../src/core/publisher.ts";
import { type FaultHarness, startFaultHarness } from "../support/fault-harness.ts";
import type { ReliabilityRegistry } from "./fixtures/registry.ts";

/** Big enough to be offloaded: its publish writes to S3 first. */
const LARGE = "x".repeat(300 * 1024);
const fast = { retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 5 } };

function jobs(count: number, text = ""): JobRequest<ReliabilityRegistry>[] {
  return Array.from({ length: count }, (_, n) => ({ type: "work", payload: { n, text } }));
}

describe("producer faults: S3 and SNS errors between the publisher and the cloud", () => {
  let h: FaultHarness;
  beforeAll(async () => {
    h = await startFaultHarness();
  });
  afterAll(() => h.stop());

  it.each([
    { status: 500, code: "InternalError" },
    { status: 503, code: "ServiceUnavailable" },
    { status: 503, code: "SlowDown" },
  ])("S3 PutObject $status $code once: the SDK retries and the offloaded job is published", async (fault) => {
    const rule = h.proxy.inject({ service: "s3", action: "PutObject", fault: { kind: "error", ...fault } });
    const published = await h.publisher().publish("work", { n: 1, text: LARGE });
    expect(rule.hits).toBe(1);
    expect(published.offloaded).toBe(true);
    const result = await h.settleAndCheck(`PutObject ${fault.code} once`, [published]);
    expect(result.processed).toBe(1);
  });

  it("S3 PutObject SlowDown past the SDK's retries: publish throws a PublishError and sends nothing", async () => {
    h.proxy.inject({
      service: "s3",
      action: "PutObject",
      times: 3,
      fault: { kind: "error", status: 503, code: "SlowDown" },
    });
    const publish = h.publisher().publish("work", { n: 2, text: LARGE }, { jobId: "put-fails-1" });
    await expect(publish).rejects.toBeInstanceOf(PublishError);
    await expect(publish).rejects.toThrow(/put-fails-1.*nothing was published/);
    const result = await h.settleAndCheck("PutObject SlowDown ×3", []);
    expect(result.failedButSent).toBe(0);
    expect(h.outcomes.some((o) => o.jobId === "put-fails-1")).toBe(false);
  });

  it("S3 PutObject 500 for one job of publishMany: only that job fails, with its id, and nothing is sent for it", async () => {
    const requests = jobs(6);
    requests[3] = { type: "work", payload: { n: 3, text: LARGE } };
    h.proxy.inject({
      service: "s3",
      action: "PutObject",
      times: 3,
      fault: { kind: "error", status: 500, code: "InternalError" },
    });
    const outcomes = await h.publisher(fast).publishMany(requests);
    expect(outcomes.map((o) => o.ok)).toEqual([true, true, true, false, true, true]);
    const failed = outcomes[3];
    expect(failed?.jobId).toMatch(/^[0-9a-f-]{36}$/);
    expect(failed?.ok === false && failed.error).toBeInstanceOf(PublishError);
    const result = await h.settleAndCheck("PutObject 500 for one of six", outcomes);
    expect(result.processed).toBe(5);
    expect(result.failedButSent).toBe(0);
  });

  it.each([
    { status: 400, code: "Throttling" },
    { status: 500, code: "InternalError" },
  ])("SNS Publish $code twice: the SDK retries and the job arrives once", async (fault) => {
    h.proxy.inject({ service: "sns", action: "Publish", times: 2, fault: { kind: "error", ...fault } });
    const published = await h.publisher().publish("work", { n: 4 });
    const result = await h.settleAndCheck(`Publish ${fault.code} ×2`, [published]);
    expect(result.processed).toBe(1);
    expect(result.duplicates).toEqual({});
  });

  it("SNS Publish InternalError past the SDK's retries: a PublishError, and nothing reaches any queue", async () => {
    h.proxy.inject({
      service: "sns",
      action: "Publish",
      times: 3,
      fault: { kind: "error", status: 500, code: "InternalError" },
    });
    const publish = h.publisher().publish("work", { n: 5 }, { jobId: "publish-fails-1" });
    await expect(publish).rejects.toBeInstanceOf(PublishError);
    const result = await h.settleAndCheck("Publish InternalError ×3", [
      { ok: false, jobId: "publish-fails-1", type: "work", error: new PublishError("expected") },
    ]);
    expect(result.failedButSent).toBe(0);
  });

  it.each([
    { status: 400, code: "Throttling" },
    { status: 500, code: "InternalError" },
  ])(
    "SNS PublishBatch $code for the whole request, past the SDK's retries: Fanout's retry sends every job once",
    async (fault) => {
      const rule = h.proxy.inject({
        service: "sns",
        action: "PublishBatch",
        times: 3,
        fault: { kind: "error", ...fault },
      });
      const outcomes = await h.publisher(fast).publishMany(jobs(10));
      expect(rule.hits).toBe(3);
      expect(outcomes.every((o) => o.ok)).toBe(true);
      const result = await h.settleAndCheck(`PublishBatch ${fault.code} ×3`, outcomes);
      expect(result.processed).toBe(10);
      expect(result.duplicates).toEqual({});
    },
  );

  it("SNS PublishBatch InternalError on every attempt: every job reports failure and none was sent", async () => {
    h.proxy.inject({
      service: "sns",
      action: "PublishBatch",
      times: 9,
      fault: { kind: "error", status: 500, code: "InternalError" },
    });
    const outcomes = await h.publisher(fast).publishMany(jobs(4));
    expect(outcomes.every((o) => !o.ok && o.error instanceof PublishError)).toBe(true);
    const result = await h.settleAndCheck("PublishBatch InternalError always", outcomes);
    expect(result.failedButSent).toBe(0);
  });

  it.each([{ code: "Throttling" }, { code: "InternalError" }])(
    "SNS PublishBatch fails single entries with $code once: only those are retried, each job arrives once",
    async ({ code }) => {
      h.proxy.inject({
        service: "sns",
        action: "PublishBatch",
        fault: { kind: "fail-entries", code, choose: (ids) => ids.filter((_, i) => i % 3 === 0) },
      });
      const outcomes = await h.publisher(fast).publishMany(jobs(10));
      expect(outcomes.every((o) => o.ok)).toBe(true);
      const result = await h.settleAndCheck(`PublishBatch entry ${code}`, outcomes);
      expect(result.processed).toBe(10);
      expect(result.duplicates).toEqual({});
    },
  );

  it("SNS PublishBatch fails one entry on every attempt: that job alone reports failure and was not sent", async () => {
    const rule = h.proxy.inject({
      service: "sns",
      action: "PublishBatch",
      times: 3,
      fault: { kind: "fail-entries", code: "InternalError", choose: (ids) => ids.slice(0, 1) },
    });
    const outcomes = await h.publisher(fast).publishMany(jobs(5));
    expect(rule.hits).toBe(3);
    expect(outcomes.map((o) => o.ok)).toEqual([false, true, true, true, true]);
    const result = await h.settleAndCheck("PublishBatch entry InternalError always", outcomes);
    expect(result.processed).toBe(4);
    expect(result.failedButSent).toBe(0);
  });

  it("SNS PublishBatch answers without mentioning some entries: they are retried, never reported as outcome-less", async () => {
    h.proxy.inject({
      service: "sns",
      action: "PublishBatch",
      fault: { kind: "fail-entries", code: "", omit: true, choose: (ids) => ids.slice(-2) },
    });
    const outcomes = await h.publisher(fast).publishMany(jobs(6));
    expect(outcomes).toHaveLength(6);
    expect(outcomes.every((o) => o?.ok)).toBe(true);
    const result = await h.settleAndCheck("PublishBatch omits entries", outcomes);
    expect(result.processed).toBe(6);
  });

  it("SNS PublishBatch response lost after SNS took the batch: the retry duplicates it, and the duplicates are counted", async () => {
    h.proxy.inject({
      service: "sns",
      action: "PublishBatch",
      fault: { kind: "lost-response", status: 500, code: "InternalError" },
    });
    const outcomes = await h.publisher(fast).publishMany(jobs(5));
    expect(outcomes.every((o) => o.ok)).toBe(true);
    await h.waitFor((o) =>
      outcomes.every((p) => o.filter((x) => x.jobId === p.jobId && x.kind === "processed").length === 2),
    );
    const result = await h.settleAndCheck("PublishBatch response lost", outcomes);
    expect(Object.keys(result.duplicates)).toHaveLength(5);
  });
});
