import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { describe, expect, it } from "vitest";
import { demoJobs } from "../../shared/demo-jobs.ts";
import { binEnvironment, FANOUT_BIN, PROJECT_ROOT } from "../support/fanout-bin.ts";

/** What the demo publishes, in order; only the 2 MiB report travels through S3. */
const DEMO_TYPES = demoJobs().map((job) => job.type);

describe("the start command (npm start -- --demo, which runs fanout start --demo)", () => {
  it("brings up the local cloud, processes a small job inline and a 2 MiB job through S3, and stops cleanly on Ctrl-C", async () => {
    const child = spawn(FANOUT_BIN, ["start", "--demo"], {
      cwd: PROJECT_ROOT,
      env: binEnvironment({ FANOUT_LOCAL_PORT: "0", FANOUT_DASHBOARD_PORT: "0" }),
      stdio: ["ignore", "pipe", "pipe"],
    });
    const lines: Record<string, unknown>[] = [];
    let stderr = "";
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
    });
    const processed = new Promise<void>((resolve) => {
      createInterface({ input: child.stdout }).on("line", (line) => {
        lines.push(JSON.parse(line));
        const done = lines.filter((l) => l.outcome === "processed").map((l) => l.jobType);
        if (["check-order", "render-report", "send-notification"].every((t) => done.includes(t))) resolve();
      });
    });
    const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
    await Promise.race([processed, exited]);
    child.kill("SIGINT");
    expect(await exited).toBe(0);
    expect(stderr).toBe("");

    const ready = lines.find((l) => l.message === "local cloud ready");
    expect(ready?.dashboard).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    // The port was picked at random: the hint names it, so the command works as printed.
    const port = new URL(String(ready?.endpoint)).port;
    expect(ready?.try).toBe(`FANOUT_LOCAL_PORT=${port} npx fanout --local status`);
    const published = lines.filter((l) => l.message === "demo job published");
    expect(published.map((l) => [l.jobType, l.offloaded])).toEqual(
      DEMO_TYPES.map((type) => [type, type === "render-report"]),
    );
    expect(published[1]?.payloadKey).toMatch(
      /^s3:\/\/fanout-payloads-000000000000-us-east-1\/payloads\/render-report\/\d{4}\/\d{2}\/\d{2}\/[0-9a-f-]{36}\.json$/,
    );
    const outcome = (type: string) => lines.find((l) => l.outcome === "processed" && l.jobType === type);
    expect(outcome("check-order")).toMatchObject({ offloaded: false, jobId: published[0]?.jobId });
    expect(outcome("render-report")).toMatchObject({ offloaded: true, jobId: published[1]?.jobId });
    expect(lines.at(-1)?.message).toBe("stopped");
  });

  it("takes `npm start --demo` without `--`: npm passes the flag on as npm_config_demo", async () => {
    const child = spawn(FANOUT_BIN, ["start"], {
      cwd: PROJECT_ROOT,
      env: binEnvironment({ FANOUT_LOCAL_PORT: "0", FANOUT_DASHBOARD_PORT: "0", npm_config_demo: "true" }),
      stdio: ["ignore", "pipe", "ignore"],
    });
    const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
    const published = await new Promise<string[]>((resolve) => {
      const types: string[] = [];
      createInterface({ input: child.stdout }).on("line", (line) => {
        const entry = JSON.parse(line) as { message?: string; jobType?: string };
        if (entry.message === "demo job published") types.push(String(entry.jobType));
        if (types.length === DEMO_TYPES.length) resolve(types);
      });
      void exited.then(() => resolve(types));
    });
    child.kill("SIGINT");
    expect(await exited).toBe(0);
    expect(published).toEqual(DEMO_TYPES);
  });
});
