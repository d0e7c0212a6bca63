import { describe, expect, it } from "vitest";
import { formatEventJson, formatEventLine, type LocalEvent } from "../../src/cli/event-line.ts";
import { parseLogLine } from "../../src/cli/log-record.ts";
import type { JobOutcome } from "../../src/consumer/outcome.ts";

/** Built from local time, so the expected clock reads the same in every time zone. */
const AT = new Date(2026, 11, 2, 12, 3, 4, 123);
const PLAIN = { color: false, verbose: false, sourceWidth: 12 };
const JOB_ID = "3f9c2a71-5b0e-4d8a-9c1f-0a2b3c4d5e6f";

const outcome = (fields: Partial<JobOutcome>): LocalEvent => ({
  kind: "outcome",
  maxAttempts: 5,
  outcome: {
    kind: "processed",
    jobType: "resize-image",
    jobId: JOB_ID,
    messageId: "m-1",
    attempt: 1,
    durationMs: 41,
    ...fields,
  },
});

const logged = (entry: Record<string, unknown> | string): LocalEvent => {
  const line = typeof entry === "string" ? entry : JSON.stringify(entry);
  return { kind: "log", jobType: "resize-image", line, record: parseLogLine(line) };
};

const handlerEntry = (level: string, message: string, fields: Record<string, unknown> = {}) =>
  logged({
    level,
    message,
    timestamp: "2026-12-02T12:03:04.100Z",
    service: "resize-image",
    cold_start: true,
    function_name: "shop-resize-image",
    function_request_id: "r-1",
    jobType: "resize-image",
    jobId: JOB_ID,
    attempt: 1,
    ...fields,
  });

describe("a job outcome on the terminal", () => {
  it("is one line: time, job type, what happened, the job and its duration", () => {
    expect(formatEventLine(outcome({}), AT, PLAIN)).toBe(
      "12:03:04.123  resize-image  ✓ processed  job 3f9c2a71…  41 ms",
    );
  });

  it("shows a job id the producer chose whole", () => {
    expect(formatEventLine(outcome({ jobId: "order-1001-receipt" }), AT, PLAIN)).toBe(
      "12:03:04.123  resize-image  ✓ processed  job order-1001-receipt  41 ms",
    );
  });

  it("says a payload came from S3", () => {
    expect(formatEventLine(outcome({ offloaded: true }), AT, PLAIN)).toContain("41 ms  payload from S3");
  });

  it("says an idempotent job's duplicate was not run again", () => {
    expect(formatEventLine(outcome({ skipped: true }), AT, PLAIN)).toContain(
      "✓ processed  job 3f9c2a71…  41 ms  already done: not run again",
    );
    expect(formatEventLine(outcome({}), AT, PLAIN)).not.toContain("already done");
  });

  it("gives a failure's attempt out of the job type's maximum, its reason and when it is retried", () => {
    const failed = outcome({
      kind: "failed",
      attempt: 2,
      errorCode: "Error",
      reason: "thumbnail service answered 503",
      retryInSeconds: 20,
    });
    expect(formatEventLine(failed, AT, PLAIN)).toBe(
      "12:03:04.123  resize-image  ✗ failed (attempt 2/5): Error: thumbnail service answered 503  job 3f9c2a71…  retry in 20 s",
    );
  });

  it("does not repeat an error code the reason already starts with", () => {
    const timedOut = outcome({
      kind: "failed",
      jobId: null,
      errorCode: "Sandbox.Timedout",
      reason: "Sandbox.Timedout: Task timed out after 30 seconds",
    });
    expect(formatEventLine(timedOut, AT, PLAIN)).toBe(
      "12:03:04.123  resize-image  ✗ failed (attempt 1/5): Sandbox.Timedout: Task timed out after 30 seconds  job unknown",
    );
  });

  it("gives a dead letter's reason and its whole job id, which `fanout dlq redrive --job` takes", () => {
    const dead = outcome({
      kind: "dead-lettered",
      errorCode: "PermanentJobError",
      reason: "Order o-1: total 3 does not equal the sum of its lines 4.00.",
    });
    expect(formatEventLine(dead, AT, PLAIN)).toBe(
      `12:03:04.123  resize-image  ☠ dead-lettered: PermanentJobError: Order o-1: total 3 does not equal the sum of its lines 4.00.  job ${JOB_ID}`,
    );
  });

  it("keeps a multi-line reason on one line and never passes a terminal escape through", () => {
    const hostile = outcome({ kind: "dead-lettered", reason: "line one\nline two \u001b[2J\u0007end" });
    const line = formatEventLine(hostile, AT, PLAIN) ?? "";
    expect(line).not.toContain("\n");
    expect(line).not.toMatch(/\p{Cc}/u);
    expect(line).toContain("line one line two ?[2J?end");
  });
});

describe("a handler's log entry on the terminal", () => {
  it("shows a warning as one line with its message and its job", () => {
    expect(formatEventLine(handlerEntry("WARN", "image is larger than 10 MB"), AT, PLAIN)).toBe(
      "12:03:04.123  resize-image  ⚠ image is larger than 10 MB  job 3f9c2a71…",
    );
  });

  it("shows an error with the message of the error it logged", () => {
    const entry = handlerEntry("ERROR", "upload failed", {
      error: { name: "TimeoutError", message: "socket hang up", stack: "TimeoutError: ...\n at x" },
    });
    expect(formatEventLine(entry, AT, PLAIN)).toBe(
      "12:03:04.123  resize-image  ✗ upload failed: TimeoutError: socket hang up  job 3f9c2a71…",
    );
  });

  it("hides INFO and DEBUG entries unless verbose, which shows them with their own fields", () => {
    const info = handlerEntry("INFO", "resized", { width: 64, format: "png" });
    expect(formatEventLine(info, AT, PLAIN)).toBeUndefined();
    expect(formatEventLine(handlerEntry("DEBUG", "cache miss"), AT, PLAIN)).toBeUndefined();
    expect(formatEventLine(info, AT, { ...PLAIN, verbose: true })).toBe(
      "12:03:04.123  resize-image  · resized  job 3f9c2a71…  width=64 format=png",
    );
  });

  it("never repeats an outcome the consumer logged (the outcome event has its line), nor metrics", () => {
    const outcomeEntry = handlerEntry("DEBUG", "job processed", { outcome: "processed", durationMs: 41 });
    const metrics = logged({ _aws: { Timestamp: 1, CloudWatchMetrics: [] }, JobsProcessed: 1 });
    for (const style of [PLAIN, { ...PLAIN, verbose: true }]) {
      expect(formatEventLine(outcomeEntry, AT, style)).toBeUndefined();
      expect(formatEventLine(metrics, AT, style)).toBeUndefined();
    }
  });

  it("prints what a handler wrote with console.log as it is", () => {
    expect(formatEventLine(logged("resizing a.png"), AT, PLAIN)).toBe(
      "12:03:04.123  resize-image  resizing a.png",
    );
  });
});

describe("Fanout's own events on the terminal", () => {
  const ready: LocalEvent = {
    kind: "ready",
    dashboard: "http://127.0.0.1:4567/",
    endpoint: "http://127.0.0.1:4766",
    command: "FANOUT_LOCAL_PORT=4766 npx fanout --local status",
    workers: ["resize-image"],
    watching: ["handlers/", "fanout.config.ts"],
    topicArn: "arn:aws:sns:us-east-1:000000000000:shop-jobs",
    bucket: "shop-payloads",
  };

  it("the ready line names the dashboard and the exact command for this port, in bold green", () => {
    const [first, second] = (formatEventLine(ready, AT, PLAIN) ?? "").split("\n");
    expect(first).toBe(
      "12:03:04.123  fanout        ▶ ready  dashboard http://127.0.0.1:4567/  ·  try: FANOUT_LOCAL_PORT=4766 npx fanout --local status",
    );
    expect(second?.trim()).toBe(
      "local cloud http://127.0.0.1:4766 · workers resize-image · reloading on changes in handlers/, fanout.config.ts",
    );
    const coloured = formatEventLine(ready, AT, { ...PLAIN, color: true }) ?? "";
    expect(coloured).toContain("\u001b[1m\u001b[32m▶ ready");
  });

  it("a reload is one line naming the file; a reload that fails says the old code goes on", () => {
    expect(
      formatEventLine(
        { kind: "reloaded", file: "handlers/resize-image.ts", jobTypes: ["resize-image"] },
        AT,
        PLAIN,
      ),
    ).toBe("12:03:04.123  fanout        ↻ reloaded handlers/resize-image.ts");
    expect(
      formatEventLine(
        {
          kind: "reload-failed",
          file: "handlers/resize-image.ts",
          jobTypes: ["resize-image"],
          error: "SyntaxError: Unexpected token '}'",
        },
        AT,
        PLAIN,
      ),
    ).toBe(
      "12:03:04.123  fanout        ✗ handlers/resize-image.ts: resize-image does not load (SyntaxError: Unexpected token '}') and keeps running the previous code",
    );
  });

  it("a registry change the running topology lacks says to restart", () => {
    const line = formatEventLine(
      { kind: "restart-needed", file: "jobs.ts", changes: ["adds send-receipt"] },
      AT,
      PLAIN,
    );
    expect(line).toBe(
      "12:03:04.123  fanout        ⚠ jobs.ts changes the topology (adds send-receipt): restart fanout start to apply it; handlers reloaded meanwhile",
    );
  });

  it("has no colour codes without colour", () => {
    for (const event of [ready, outcome({ kind: "dead-lettered", reason: "x" })]) {
      expect(formatEventLine(event, AT, PLAIN)).not.toContain("\u001b");
    }
  });
});

describe("Fanout's own events as JSON (--json, or a pipe)", () => {
  it("keeps the ready line's fields, parseable", () => {
    const line = formatEventJson(
      {
        kind: "ready",
        dashboard: "http://127.0.0.1:4567/",
        endpoint: "http://127.0.0.1:4566",
        command: "npx fanout --local status",
        workers: ["resize-image"],
        watching: ["handlers/"],
        topicArn: "arn",
        bucket: "b",
      },
      AT,
    );
    expect(JSON.parse(line ?? "")).toMatchObject({
      level: "INFO",
      message: "local cloud ready",
      timestamp: AT.toISOString(),
      dashboard: "http://127.0.0.1:4567/",
      try: "npx fanout --local status",
    });
  });

  it("leaves outcomes and handler lines to the handlers' own JSON lines", () => {
    expect(formatEventJson(outcome({}), AT)).toBeUndefined();
    expect(formatEventJson(handlerEntry("WARN", "w"), AT)).toBeUndefined();
  });

  it("reports a reload as a JSON line", () => {
    const line = formatEventJson({ kind: "reloaded", file: "handlers/a.ts", jobTypes: ["a"] }, AT);
    expect(JSON.parse(line ?? "")).toMatchObject({
      message: "reloaded",
      file: "handlers/a.ts",
      jobTypes: ["a"],
    });
  });
});
