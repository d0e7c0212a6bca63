import { IdempotencyItemAlreadyExistsError } from "@aws-lambda-powertools/idempotency";
import { BasePersistenceLayer, type IdempotencyRecord } from "@aws-lambda-powertools/idempotency/persistence";
import type { Context } from "aws-lambda";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { inProgressDelaySeconds } from "../../src/consumer/in-progress-decision.ts";
import { createRunOnce } from "../../src/consumer/run-once.ts";
import { InvalidIdempotencyError, JobInProgressError, PermanentJobError } from "../../src/core/errors.ts";
import { defineJob } from "../../src/core/registry.ts";

/** DynamoDB's conditional put as Powertools' DynamoDB layer phrases it, over a Map: no network in a unit test. */
class MemoryPersistence extends BasePersistenceLayer {
  readonly records = new Map<string, IdempotencyRecord>();

  protected async _putRecord(record: IdempotencyRecord): Promise<void> {
    const existing = this.records.get(record.idempotencyKey);
    const now = Date.now();
    const free =
      !existing ||
      (existing.expiryTimestamp ?? Number.POSITIVE_INFINITY) < now / 1000 ||
      (existing.getStatus() === "INPROGRESS" &&
        existing.inProgressExpiryTimestamp !== undefined &&
        existing.inProgressExpiryTimestamp < now);
    if (!free) throw new IdempotencyItemAlreadyExistsError("exists", existing);
    this.records.set(record.idempotencyKey, record);
  }

  protected async _getRecord(key: string): Promise<IdempotencyRecord> {
    const record = this.records.get(key);
    if (!record) throw new Error("not found");
    return record;
  }

  protected async _updateRecord(record: IdempotencyRecord): Promise<void> {
    this.records.set(record.idempotencyKey, record);
  }

  protected async _deleteRecord(record: IdempotencyRecord): Promise<void> {
    this.records.delete(record.idempotencyKey);
  }
}

/** A Lambda context whose deadline is `ms` from when it is made, on the (fake) clock. */
function contextFor(ms: number): Context {
  const deadline = Date.now() + ms;
  return { getRemainingTimeInMillis: () => deadline - Date.now() } as Context;
}

const TTL = 3600;
let store: MemoryPersistence;
let runs: string[];
const work = (jobId: string) => async () => {
  runs.push(jobId);
};

beforeEach(() => {
  vi.useFakeTimers({ now: new Date("2026-12-01T10:00:00Z") });
  store = new MemoryPersistence();
  runs = [];
});
afterEach(() => vi.useRealTimers());

describe("an idempotent job type's function runs at most once per job id", () => {
  it("a second delivery of a completed job is acknowledged without running", async () => {
    const runOnce = createRunOnce("check-order", { ttlSeconds: TTL }, store);
    expect(await runOnce("job-1", contextFor(30_000), work("job-1"))).toBe("ran");
    expect(await runOnce("job-1", contextFor(30_000), work("job-1"))).toBe("skipped");
    expect(runs).toEqual(["job-1"]);
  });

  it("keys on the job id alone, per job type", async () => {
    const orders = createRunOnce("check-order", { ttlSeconds: TTL }, store);
    const reports = createRunOnce("render-report", { ttlSeconds: TTL }, store);
    await orders("job-1", contextFor(30_000), work("order job-1"));
    await orders("job-2", contextFor(30_000), work("order job-2"));
    await reports("job-1", contextFor(30_000), work("report job-1"));
    expect(runs).toEqual(["order job-1", "order job-2", "report job-1"]);
    expect([...store.records.keys()].every((key) => /^(check-order|render-report)#/.test(key))).toBe(true);
  });

  it("runs again once the TTL has passed", async () => {
    const runOnce = createRunOnce("check-order", { ttlSeconds: TTL }, store);
    await runOnce("job-1", contextFor(30_000), work("job-1"));
    vi.advanceTimersByTime((TTL + 1) * 1000);
    expect(await runOnce("job-1", contextFor(30_000), work("job-1"))).toBe("ran");
    expect(runs).toHaveLength(2);
  });

  it("refuses a delivery while the first still runs, with JobInProgressError", async () => {
    const runOnce = createRunOnce("check-order", { ttlSeconds: TTL }, store);
    let finish = () => {};
    const first = runOnce(
      "job-1",
      contextFor(30_000),
      () => new Promise<void>((resolve) => (finish = resolve)),
    );
    await vi.waitFor(() => expect(store.records.size).toBe(1));
    await expect(runOnce("job-1", contextFor(30_000), work("duplicate"))).rejects.toBeInstanceOf(
      JobInProgressError,
    );
    finish();
    expect(await first).toBe("ran");
    expect(await runOnce("job-1", contextFor(30_000), work("after"))).toBe("skipped");
    expect(runs).toEqual([]);
  });

  it("a claim expires with the invocation that made it: a run that timed out does not hold its job", async () => {
    const runOnce = createRunOnce("check-order", { ttlSeconds: TTL }, store);
    void runOnce("job-1", contextFor(10_000), () => new Promise<void>(() => {}));
    await vi.waitFor(() => expect(store.records.size).toBe(1));
    vi.advanceTimersByTime(9_000);
    await expect(runOnce("job-1", contextFor(30_000), work("early"))).rejects.toBeInstanceOf(
      JobInProgressError,
    );
    vi.advanceTimersByTime(1_001);
    expect(await runOnce("job-1", contextFor(30_000), work("after timeout"))).toBe("ran");
    expect(runs).toEqual(["after timeout"]);
  });

  it("a failed run leaves the job retryable, and its own error reaches the consumer", async () => {
    const runOnce = createRunOnce("check-order", { ttlSeconds: TTL }, store);
    const failure = new PermanentJobError("no such order");
    await expect(
      runOnce("job-1", contextFor(30_000), async () => {
        throw failure;
      }),
    ).rejects.toBe(failure);
    expect(store.records.size).toBe(0);
    expect(await runOnce("job-1", contextFor(30_000), work("retry"))).toBe("ran");
    expect(runs).toEqual(["retry"]);
  });
});

describe("a delivery that finds its job running elsewhere", () => {
  const settings = { timeoutSeconds: 30, maxReceiveCount: 5 };

  it("comes back after the function's timeout, by when that run has ended or its claim expired", () => {
    expect(inProgressDelaySeconds(1, settings)).toBe(30);
    expect(inProgressDelaySeconds(4, settings)).toBe(30);
  });

  it("on the last receive the queue allows, is a failure like any other (dead-lettered with its reason)", () => {
    expect(inProgressDelaySeconds(5, settings)).toBeNull();
    expect(inProgressDelaySeconds(6, settings)).toBeNull();
  });
});

describe("declaring idempotency", () => {
  const declare = (ttlSeconds: number) =>
    defineJob({ type: "check-order", description: "d", schema: z.object({}), idempotency: { ttlSeconds } });

  it("keeps the TTL on the job definition, and leaves other job types without any", () => {
    expect(declare(86_400).idempotency).toEqual({ ttlSeconds: 86_400 });
    expect(defineJob({ type: "plain", description: "d", schema: z.object({}) }).idempotency).toBeUndefined();
  });

  it("refuses a TTL outside 60 s to 365 days, or not whole, with InvalidIdempotencyError", () => {
    for (const ttl of [0, 59, 365 * 86_400 + 1, 90.5, Number.NaN]) {
      expect(() => declare(ttl)).toThrow(InvalidIdempotencyError);
    }
    expect(() => declare(59)).toThrow(/idempotency\.ttlSeconds is 59; use a whole number of seconds from 60/);
    expect(declare(60).idempotency?.ttlSeconds).toBe(60);
    expect(declare(365 * 86_400).idempotency?.ttlSeconds).toBe(365 * 86_400);
  });
});
