import { describe, expect, it } from "vitest";
import { MAX_DELAY_SECONDS, relayStep, SQS_MAX_DELAY_SECONDS } from "../../src/core/delay.ts";

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
