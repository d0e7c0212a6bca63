import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { JobOutcome } from "../../src/consumer/outcome.ts";
import { type LocalFanout, startLocalFanout } from "../../src/local/local-fanout.ts";
import { delayRegistry } from "../fixtures/delay-registry.ts";
import { fixtureHandler } from "../support/harness.ts";
import { type LocalFanoutKit, localFanoutKit } from "../support/local-fanout-kit.ts";

interface ProbeStart {
  readonly probe: number;
  readonly startedAt: number;
  readonly attempt: number;
}

let fanout: LocalFanout;
let kit: LocalFanoutKit<typeof delayRegistry>;
const starts: ProbeStart[] = [];

beforeAll(async () => {
  fanout = await startLocalFanout({ registry: delayRegistry, port: 0, handlerPath: fixtureHandler });
  kit = localFanoutKit(fanout, delayRegistry);
  fanout.runners.get("delay-probe")?.on("log", (line) => {
    const entry = JSON.parse(line) as { message?: string } & ProbeStart;
    if (entry.message === "probe started") starts.push(entry);
  });
});
afterAll(() => fanout?.stop());

const publisher = () =>
  kit.publisher({ delayQueue: { sqs: fanout.clients.sqs, queueUrl: fanout.provisioned.delayed.queueUrl } });
const outcomesOf = (jobId: string) => kit.outcomes.filter((o) => o.jobId === jobId);

describe("delayed jobs in the local cloud", () => {
  it("starts a job published with a 3-second delay no earlier than 3 s later, on its first attempt", async () => {
    const publishedAt = Date.now();
    const job = await publisher().publish("delay-probe", { n: 1 }, { delaySeconds: 3 });
    // Its start is logged over the worker's stdout, its outcome comes over IPC, in either order: wait for both.
    await kit.waitFor(
      () => outcomesOf(job.jobId).some((o) => o.kind === "processed") && starts.some((s) => s.probe === 1),
    );
    const [start] = starts.filter((s) => s.probe === 1);
    expect(start?.startedAt).toBeGreaterThanOrEqual(publishedAt + 3000);
    // The wait used none of the job's receives: its worker received it once, as attempt 1.
    expect(start?.attempt).toBe(1);
    expect(outcomesOf(job.jobId).map((o) => [o.kind, o.attempt])).toEqual([["processed", 1]]);
  });

  it("sends a delayed job that fails down the normal retry path: retried, then dead-lettered at maxReceiveCount", async () => {
    const jobs = await publisher().publishMany([
      { type: "delay-probe", payload: { n: 2, failures: 1 }, delaySeconds: 2 },
      { type: "delay-probe", payload: { n: 3, failures: 5 }, delaySeconds: 2 },
      { type: "delay-probe", payload: { n: 4 } },
    ]);
    expect(jobs.map((j) => j.ok)).toEqual([true, true, true]);
    const [retried, doomed, immediate] = jobs.map((j) => j.jobId) as [string, string, string];
    const settled = (id: string) => (outcomes: readonly JobOutcome[]) =>
      outcomes.some((o) => o.jobId === id && o.kind !== "failed");
    await kit.waitFor((o) => settled(retried)(o) && settled(doomed)(o) && settled(immediate)(o));
    expect(outcomesOf(retried).map((o) => [o.kind, o.attempt])).toEqual([
      ["failed", 1],
      ["processed", 2],
    ]);
    expect(outcomesOf(doomed).map((o) => [o.kind, o.attempt])).toEqual([
      ["failed", 1],
      ["failed", 2],
      ["dead-lettered", 3],
    ]);
    // The job without a delay was not held back by the others.
    const firstStart = (probe: number) => starts.find((s) => s.probe === probe)?.startedAt ?? Number.NaN;
    expect(firstStart(4)).toBeLessThan(firstStart(2));
  });

  it("refuses a delay above 12 hours and a delay without a delay queue, sending nothing", async () => {
    await expect(publisher().publish("delay-probe", { n: 5 }, { delaySeconds: 43_201 })).rejects.toThrow(
      "delaySeconds: must be a whole number of seconds from 0 to 43200 (12 hours)",
    );
    await expect(kit.publisher().publish("delay-probe", { n: 6 }, { delaySeconds: 10 })).rejects.toThrow(
      "A delayed job needs the publisher's delayQueue option",
    );
  });
});
