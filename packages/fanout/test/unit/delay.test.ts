import type { SQSClient } from "@aws-sdk/client-sqs";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { MAX_DELAY_SECONDS, relayStep, SQS_MAX_DELAY_SECONDS } from "../../src/core/delay.ts";
import { checkDelay } from "../../src/core/delayed-send.ts";
import { ConfigurationError, JobValidationError } from "../../src/core/errors.ts";
import { defineJob } from "../../src/core/registry.ts";

describe("the delay relay's step", () => {
  it("publishes a job once it is due, never before", () => {
    expect(relayStep(10_000, 10_000)).toEqual({ publish: true });
    expect(relayStep(10_000, 10_001)).toEqual({ publish: true });
    // SQS delivered it a moment early: wait the rest, rounded up to a whole second.
    expect(relayStep(10_000, 9_990)).toEqual({ publish: false, delaySeconds: 1 });
  });

  it("reaches 12 hours in 48 hops of SQS's longest delay, 15 minutes", () => {
    expect(SQS_MAX_DELAY_SECONDS).toBe(900);
    const published = 0;
    const dueAt = published + MAX_DELAY_SECONDS * 1000;
    // The publisher's own send waits the first 15 minutes; each hop of the relay waits at most as long.
    let now = published + SQS_MAX_DELAY_SECONDS * 1000;
    let hops = 1;
    for (let step = relayStep(dueAt, now); !step.publish; step = relayStep(dueAt, now)) {
      expect(step.delaySeconds).toBeLessThanOrEqual(SQS_MAX_DELAY_SECONDS);
      now += step.delaySeconds * 1000;
      hops += 1;
    }
    expect(hops).toBe(48);
    expect(now).toBe(dueAt);
  });
});

describe("which delays a publisher takes", () => {
  const schema = z.object({ orderId: z.string() });
  const plain = defineJob({ type: "plain", description: "", schema });
  const ordered = defineJob({ type: "ordered", description: "", schema, ordering: { groupBy: "orderId" } });
  const queue = { sqs: {} as SQSClient, queueUrl: "http://127.0.0.1/000000000000/app-delayed" };

  it("takes whole seconds from 0 to 12 hours, with a delay queue", () => {
    for (const seconds of [0, 1, 900, 901, MAX_DELAY_SECONDS])
      expect(() => checkDelay(plain, seconds, queue)).not.toThrow();
    for (const seconds of [-1, 1.5, MAX_DELAY_SECONDS + 1]) {
      expect(() => checkDelay(plain, seconds, queue)).toThrow(JobValidationError);
    }
    expect(() => checkDelay(plain, 0, undefined)).not.toThrow();
    expect(() => checkDelay(plain, 10, undefined)).toThrow(ConfigurationError);
  });

  it("refuses to delay an ordered type, whose order a delay would break", () => {
    expect(() => checkDelay(ordered, 0, queue)).not.toThrow();
    expect(() => checkDelay(ordered, 10, queue)).toThrow("an ordered job type cannot be delayed");
  });
});
