import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeEnvelope } from "../../src/core/envelope.ts";
import { defineRegistry } from "../../src/core/registry.ts";
import { type LocalFanout, startLocalFanout } from "../../src/local/local-fanout.ts";
import { testRegistry } from "../fixtures/registry.ts";
import { drain } from "../support/harness.ts";
import { fanout, localEnv } from "./run.ts";

const registry = defineRegistry({
  app: "fanout-cli-sched",
  jobs: [testRegistry.jobs.echo],
  schedules: [
    {
      name: "nightly-echo",
      expression: "cron(0 3 * * ? *)",
      timeZone: "Europe/Berlin",
      jobType: "echo",
      payload: { n: 3, text: "nightly" },
    },
    { name: "weekday-echo", expression: "cron(30 8 ? * MON-FRI *)", jobType: "echo", payload: { n: 5 } },
    { name: "hourly-echo", expression: "rate(1 hour)", jobType: "echo", payload: { n: 1 } },
  ],
});

describe("fanout schedules", () => {
  it("lists each schedule with its next run in its own time zone", async () => {
    // 2026-03-28 is a Saturday; Berlin moves to summer time in the night after.
    const { code, stdout, stderr } = await fanout(["schedules", "--after", "2026-03-28T12:00:00Z"], {
      registry,
    });
    expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
    expect(stdout.split("\n")).toEqual([
      "SCHEDULE      JOB TYPE  EXPRESSION                NEXT RUN",
      "nightly-echo  echo      cron(0 3 * * ? *)         2026-03-29 03:00 Europe/Berlin (01:00 UTC)",
      "weekday-echo  echo      cron(30 8 ? * MON-FRI *)  2026-03-30 08:30 UTC",
      "hourly-echo   echo      rate(1 hour)              every 1 hour, counted from its creation",
      "",
    ]);
  });

  it("gives scripts the next runs in UTC as JSON", async () => {
    const { code, stdout } = await fanout(
      ["--json", "schedules", "-n", "3", "--after", "2026-03-27T12:00:00Z"],
      { registry },
    );
    expect(code).toBe(0);
    const { schedules } = JSON.parse(stdout) as { schedules: { name: string; nextRuns: string[] | null }[] };
    expect(schedules.map((s) => [s.name, s.nextRuns])).toEqual([
      ["nightly-echo", ["2026-03-28T02:00:00.000Z", "2026-03-29T01:00:00.000Z", "2026-03-30T01:00:00.000Z"]],
      ["weekday-echo", ["2026-03-30T08:30:00.000Z", "2026-03-31T08:30:00.000Z", "2026-04-01T08:30:00.000Z"]],
      ["hourly-echo", null],
    ]);
  });

  it("says so when the registry has no schedules, and refuses an unknown schedule", async () => {
    expect((await fanout(["schedules"])).stdout).toBe("The registry declares no schedules.\n");
    const unknown = await fanout(["--local", "schedules", "run", "nope"], { registry });
    expect(unknown.code).toBe(64);
    expect(unknown.stderr).toContain(
      'Unknown schedule "nope". Known schedules: nightly-echo, weekday-echo, hourly-echo.',
    );
  });

  describe("run", () => {
    let local: LocalFanout;
    beforeAll(async () => {
      local = await startLocalFanout({ registry, port: 0, workers: false });
    });
    afterAll(() => local.stop());

    it("publishes the schedule's job now, with a job id of its own, routed to its worker's queue", async () => {
      const before = Date.now();
      const { code, stdout, stderr } = await fanout(["--local", "schedules", "run", "nightly-echo"], {
        registry,
        env: localEnv(local.cloud.port),
      });
      expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
      const [, jobId] =
        /^ran schedule nightly-echo: published echo job (nightly-echo-[0-9a-f]{16})\n$/.exec(stdout) ?? [];
      const [message] = await drain(
        local.clients.sqs,
        local.provisioned.queues.get("echo")?.queueUrl ?? "",
        1,
      );
      const envelope = decodeEnvelope(message?.Body ?? "");
      expect(envelope).toMatchObject({ id: jobId, type: "echo", payload: { n: 3, text: "nightly" } });
      expect(Date.parse(envelope.createdAt)).toBeGreaterThanOrEqual(before - 1);
    });
  });
});
