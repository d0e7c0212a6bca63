import { EventEmitter } from "node:events";
import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { createStartReporter } from "../../src/cli/start-reporter.ts";
import type { JobOutcome } from "../../src/consumer/outcome.ts";
import { describeTopology } from "../../src/core/topology.ts";
import { LOCAL_PLACEMENT } from "../../src/local/endpoint.ts";
import type { RunnerEvents } from "../../src/local/event-source-runner.ts";
import { testRegistry } from "../fixtures/registry.ts";

const topology = describeTopology(testRegistry, LOCAL_PLACEMENT);

/** A `fanout start` whose stdout is a terminal or not, and one runner whose handler prints and reports. */
function start(options: { tty: boolean; json?: boolean; verbose?: boolean; env?: NodeJS.ProcessEnv }) {
  const stdout = Object.assign(new PassThrough(), { isTTY: options.tty });
  let printed = "";
  stdout.on("data", (chunk) => {
    printed += chunk;
  });
  const io = {
    stdout,
    stderr: new PassThrough(),
    stdin: new PassThrough(),
    env: options.env ?? {},
    cwd: "/",
  };
  const reporter = createStartReporter({
    io,
    json: options.json ?? !options.tty,
    verbose: options.verbose ?? false,
    topology,
  });
  const runner = new EventEmitter<RunnerEvents>();
  reporter.follow(new Map([["always-fails", runner]]));
  return { runner, lines: () => printed.split("\n").filter(Boolean) };
}

const failed: JobOutcome = {
  kind: "failed",
  jobType: "always-fails",
  jobId: "0b4d1e3c-0000-4000-8000-000000000000",
  messageId: "m-1",
  attempt: 2,
  durationMs: 7,
  errorCode: "Error",
  reason: "boom",
  retryInSeconds: 0,
};
/** What the consumer logs for the same outcome, and the metrics document after it. */
const failedLine = JSON.stringify({
  level: "WARN",
  message: "job failed",
  outcome: "failed",
  jobId: failed.jobId,
});
const metricsLine = JSON.stringify({ _aws: { Timestamp: 1, CloudWatchMetrics: [] }, JobsFailed: 1 });
const warningLine = JSON.stringify({ level: "WARN", message: "stock is low", jobId: failed.jobId });

describe("what fanout start prints", () => {
  it("on a terminal: one coloured line per outcome, from the outcome event, with the job type's attempts", () => {
    const { runner, lines } = start({ tty: true });
    runner.emit("log", failedLine);
    runner.emit("log", metricsLine);
    runner.emit("outcome", failed);
    runner.emit("log", warningLine);
    expect(lines()).toHaveLength(2);
    expect(lines()[0]).toContain("\u001b[");
    expect(lines()[0]).toContain("✗ failed (attempt 2/3): Error: boom");
    expect(lines()[1]).toContain("⚠ stock is low");
  });

  it("without colours when NO_COLOR is set", () => {
    const { runner, lines } = start({ tty: true, env: { NO_COLOR: "1" } });
    runner.emit("outcome", failed);
    expect(lines()[0]).toMatch(/^\d\d:\d\d:\d\d\.\d{3} {2}always-fails +✗ failed \(attempt 2\/3\)/);
  });

  it("as JSON lines when not on a terminal: the handlers' lines as they are, each outcome once", () => {
    const { runner, lines } = start({ tty: false });
    runner.emit("log", failedLine);
    runner.emit("log", metricsLine);
    runner.emit("outcome", failed);
    expect(lines()).toEqual([failedLine, metricsLine]);
  });
});
