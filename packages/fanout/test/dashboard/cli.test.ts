import { spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "../support/harness.ts";

const PACKAGE_ROOT = fileURLToPath(new URL("../..", import.meta.url));
const NODE = fileURLToPath(new URL("../../../../node_modules/.bin/node", import.meta.url));

/** The real `fanout` process, from its sources, with the test registry's config. */
function spawnFanout(argv: readonly string[], env: Record<string, string> = {}) {
  return spawn(
    NODE,
    [
      "--disable-warning=ExperimentalWarning",
      "src/cli/fanout.ts",
      "--config",
      "test/fixtures/fanout.config.ts",
      ...argv,
    ],
    {
      cwd: PACKAGE_ROOT,
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
}

/** `fanout <argv>` until it prints its first line. */
async function startFanout(argv: readonly string[], env: Record<string, string>) {
  const child = spawnFanout(argv, env);
  let stderr = "";
  child.stderr.on("data", (chunk) => {
    stderr += chunk;
  });
  const exited = once(child, "exit").then(([code]) => code as number | null);
  const [line] = (await Promise.race([
    once(createInterface({ input: child.stdout }), "line"),
    exited.then((code) => {
      throw new Error(`fanout exited with ${code} before printing anything: ${stderr}`);
    }),
  ])) as [string];
  return { child, line, exited, stderr: () => stderr };
}

describe("fanout dashboard (the real process, against the local cloud)", () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({ workers: false });
  });
  afterAll(() => h.stop());

  it("serves a read-only dashboard of the app's registry on 127.0.0.1 until Ctrl-C", async () => {
    const fanout = await startFanout(["--local", "dashboard", "--port", "0"], {
      FANOUT_LOCAL_PORT: String(h.fanout.cloud.port),
    });
    try {
      const url = /^dashboard at (http:\/\/127\.0\.0\.1:\d+\/) \(read-only\); Ctrl-C stops it$/.exec(
        fanout.line,
      )?.[1];
      expect(url, fanout.line).toBeDefined();
      const meta = await (await fetch(new URL("/api/meta", url))).json();
      expect(meta).toMatchObject({ target: "local", allowActions: false });
      const refused = await fetch(new URL("/api/dlq/echo/redrive", url), {
        method: "POST",
        headers: { "X-Fanout-Dashboard": "1" },
      });
      expect(refused.status).toBe(403);
      const outcomes = await (await fetch(new URL("/api/outcomes", url))).json();
      expect(outcomes).toMatchObject({ available: false });
    } finally {
      fanout.child.kill("SIGINT");
    }
    expect(await fanout.exited).toBe(0);
    expect(fanout.stderr()).toBe("");
  });

  it("refuses a port that is not one, as a usage error", async () => {
    const fanout = spawnFanout(["dashboard", "--port", "http"]);
    let stderr = "";
    fanout.stderr.on("data", (chunk) => {
      stderr += chunk;
    });
    const [code] = await once(fanout, "exit");
    expect(code).toBe(64);
    expect(stderr).toBe("fanout: --port http is not a port number; use 0 to 65535 (0 picks a free port).\n");
  });
});
