import { describe, expect, it } from "vitest";
import {
  decideFailure,
  MAX_VISIBILITY_SECONDS,
  retryDelaySeconds,
} from "../../src/consumer/failure-decision.ts";
import { WORKER_DEFAULTS } from "../../src/core/registry.ts";

const settings = { maxReceiveCount: 5, retryBackoff: { baseSeconds: 10, maxSeconds: 300 } };

describe("what the consumer does with a failed job", () => {
  it("retries a transient failure before the last receive, after the backoff", () => {
    expect(decideFailure(false, 1, settings)).toEqual({ deadLetter: false, retryInSeconds: 10 });
    expect(decideFailure(false, 4, settings)).toEqual({ deadLetter: false, retryInSeconds: 80 });
  });

  it("dead-letters on the last receive the queue allows, and past it", () => {
    expect(decideFailure(false, 5, settings).deadLetter).toBe(true);
    expect(decideFailure(false, 6, settings).deadLetter).toBe(true);
  });

  it("dead-letters a permanent failure on its first attempt", () => {
    expect(decideFailure(true, 1, settings).deadLetter).toBe(true);
  });

  it("still knows when to retry a dead-letter send that failed: the job's own backoff", () => {
    expect(decideFailure(true, 2, settings).retryInSeconds).toBe(20);
  });
});

describe("the retry backoff", () => {
  it("doubles from the base: 10, 20, 40, 80, 160 seconds", () => {
    expect([1, 2, 3, 4, 5].map((attempt) => retryDelaySeconds(attempt, settings.retryBackoff))).toEqual([
      10, 20, 40, 80, 160,
    ]);
  });

  it("stops at the job's maximum", () => {
    expect(retryDelaySeconds(6, settings.retryBackoff)).toBe(300);
    expect(retryDelaySeconds(30, settings.retryBackoff)).toBe(300);
  });

  it("never asks SQS for more than its 12-hour visibility limit, whatever the job's maximum", () => {
    const generous = { baseSeconds: 3_600, maxSeconds: 100_000 };
    expect(retryDelaySeconds(5, generous)).toBe(MAX_VISIBILITY_SECONDS);
    expect(MAX_VISIBILITY_SECONDS).toBe(43_200);
  });

  it("is zero when the job asks for immediate retries", () => {
    expect(retryDelaySeconds(3, { baseSeconds: 0, maxSeconds: 0 })).toBe(0);
  });

  it("defaults to 10 s doubling up to 300 s", () => {
    expect(WORKER_DEFAULTS.retryBackoff).toEqual({ baseSeconds: 10, maxSeconds: 300 });
  });
});
