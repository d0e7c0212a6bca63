import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeEnvelope } from "../../src/core/envelope.ts";
import { defineRegistry } from "../../src/core/registry.ts";
import { type LocalFanout, startLocalFanout } from "../../src/local/local-fanout.ts";
import type { Clock, ScheduleRun } from "../../src/local/local-scheduler.ts";
import { testRegistry } from "../fixtures/registry.ts";
import { drain, fixtureHandler } from "../support/harness.ts";
import { type LocalFanoutKit, localFanoutKit, waitUntil } from "../support/local-fanout-kit.ts";

/** A clock 30 times faster than the system's: `rate(1 minute)` fires every 2 seconds. */
function fastClock(speed: number, start = Date.parse("2026-12-02T10:00:00Z")): Clock {
  const realStart = Date.now();
  const now = () => start + (Date.now() - realStart) * speed;
  return {
    now,
    sleepUntil: (time, signal) => sleep(Math.max(0, (time - now()) / speed), undefined, { signal }),
  };
}

const SPEED = 30;
const registry = defineRegistry({
  app: "fanout-sched",
  jobs: [testRegistry.jobs.echo],
  subscribers: [{ name: "audit", jobTypes: "*", description: "Every job, for the test to read." }],
  schedules: [{ name: "every-minute", expression: "rate(1 minute)", jobType: "echo", payload: { n: 7 } }],
});

let fanout: LocalFanout;
let kit: LocalFanoutKit<typeof registry>;
const runs: ScheduleRun[] = [];

beforeAll(async () => {
  fanout = await startLocalFanout({
    registry,
    port: 0,
    handlerPath: fixtureHandler,
    clock: fastClock(SPEED),
  });
  fanout.scheduler.on("run", (run) => runs.push(run));
  kit = localFanoutKit(fanout, registry);
});
afterAll(() => fanout?.stop());

describe("schedules in the local cloud", () => {
  it("fires a schedule on time, three runs each with its own job id, each processed by its worker", async () => {
    await kit.waitFor((outcomes) => outcomes.filter((o) => o.kind === "processed").length >= 3);
    const [first, second, third] = runs;
    const origin = Date.parse(first?.scheduledAt ?? "") - 60_000;
    expect(runs.slice(0, 3).map((r) => Date.parse(r.scheduledAt) - origin)).toEqual([
      60_000, 120_000, 180_000,
    ]);
    for (const run of [first, second, third]) {
      const late = Date.parse(run?.firedAt ?? "") - Date.parse(run?.scheduledAt ?? "");
      // Never early; late by at most one real second (30 seconds of the fast clock).
      expect(late).toBeGreaterThanOrEqual(0);
      expect(late).toBeLessThanOrEqual(SPEED * 1000);
    }
    const ids = runs.slice(0, 3).map((r) => r.jobId);
    expect(new Set(ids).size).toBe(3);
    for (const id of ids) expect(id).toMatch(/^every-minute-[0-9a-f]{16}$/);
    const processed = kit.outcomes.filter((o) => o.kind === "processed");
    expect(processed.slice(0, 3).map((o) => [o.jobType, o.jobId, o.attempt])).toEqual(
      ids.map((id) => ["echo", id, 1]),
    );
    expect(fanout.scheduler.lastRuns().get("every-minute")?.jobId).toBe(runs.at(-1)?.jobId);
  });

  it("publishes each run as a Fanout job with its scheduled time as createdAt, routed through the topic", async () => {
    await waitUntil(
      () => runs.length >= 3,
      10_000,
      () => `${runs.length} runs`,
    );
    const copies = (await drain(fanout.clients.sqs, kit.queueUrl("audit"), 3)).map((m) => ({
      envelope: decodeEnvelope(m.Body ?? ""),
      jobType: m.MessageAttributes?.jobType?.StringValue,
    }));
    for (const run of runs.slice(0, 3)) {
      const copy = copies.find((c) => c.envelope.id === run.jobId);
      expect(copy).toMatchObject({
        jobType: "echo",
        envelope: { type: "echo", createdAt: run.scheduledAt, payload: { n: 7 } },
      });
    }
  });
});
