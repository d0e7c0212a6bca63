import { styleText } from "node:util";
import type { JobOutcome } from "../consumer/outcome.ts";
import type { ReloadReport } from "../local/hot-reload.ts";
import type { LogRecord } from "./log-record.ts";

/** Everything `fanout start` reports, one event at a time. */
export type LocalEvent =
  | {
      readonly kind: "ready";
      readonly dashboard: string;
      readonly endpoint: string;
      /** The CLI command that reaches this local cloud, its port included when it is not the default. */
      readonly command: string;
      readonly workers: readonly string[];
      /** The directories whose changes are reloaded, relative to the app. */
      readonly watching: readonly string[];
      readonly topicArn: string;
      readonly bucket: string;
    }
  | {
      readonly kind: "published";
      readonly jobType: string;
      readonly jobId: string;
      readonly offloaded: boolean;
      readonly payloadKey?: string;
    }
  | { readonly kind: "outcome"; readonly outcome: JobOutcome; readonly maxAttempts: number }
  | { readonly kind: "log"; readonly jobType: string; readonly line: string; readonly record: LogRecord }
  | ReloadReport
  | { readonly kind: "stopping"; readonly signal?: string; readonly error?: string }
  | { readonly kind: "stopped" };

export interface LineStyle {
  /** ANSI colours (a terminal that has them, and no NO_COLOR). */
  readonly color: boolean;
  /** Show the handlers' INFO and DEBUG entries, and every entry's fields. */
  readonly verbose: boolean;
  /** Width of the source column: the longest job type. */
  readonly sourceWidth: number;
}

type Format = Parameters<typeof styleText>[0];

/** Where a line comes from when it is Fanout's own, not a job type's. */
const SELF = "fanout";

/** Powertools' standard keys and the job keys every handler entry carries: not worth a column of their own. */
const STANDARD_KEYS = new Set([
  "timestamp",
  "service",
  "cold_start",
  "function_arn",
  "function_memory_size",
  "function_name",
  "function_request_id",
  "sampling_rate",
  "xray_trace_id",
  "jobType",
  "jobId",
  "correlationId",
  "attempt",
]);

/**
 * A line may carry text from a payload or an error: whitespace is flattened to keep one event on one line,
 * and control characters (terminal escapes among them) are shown as `?`, never sent to the terminal.
 */
function clean(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: removing them is the point.
  return text.replace(/\s+/g, " ").replace(/[\u0000-\u001f\u007f-\u009f]/g, "?");
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A generated id by its first 8 characters; an id the producer chose is shown whole, as it was given. */
function shortId(jobId: string | null): string {
  if (jobId === null) return "unknown";
  return UUID.test(jobId) ? `${jobId.slice(0, 8)}…` : clean(jobId);
}

function clock(at: Date): string {
  const two = (n: number) => String(n).padStart(2, "0");
  return `${two(at.getHours())}:${two(at.getMinutes())}:${two(at.getSeconds())}.${String(at.getMilliseconds()).padStart(3, "0")}`;
}

function reasonOf(outcome: JobOutcome): string {
  const reason = outcome.reason ?? "no reason given";
  const code = outcome.errorCode;
  return clean(code && !reason.startsWith(code) ? `${code}: ${reason}` : reason);
}

function fieldsText(fields: Readonly<Record<string, unknown>>): string {
  return Object.entries(fields)
    .filter(([key]) => !STANDARD_KEYS.has(key))
    .map(([key, value]) => `${key}=${typeof value === "string" ? value : JSON.stringify(value)}`)
    .join(" ");
}

/** The message of an entry's `error` field, as Powertools logs an Error. */
function errorText(fields: Readonly<Record<string, unknown>>): string | undefined {
  const error = fields.error;
  if (typeof error === "string") return error;
  if (typeof error === "object" && error !== null && "message" in error) {
    const { name, message } = error as { name?: unknown; message?: unknown };
    return typeof name === "string" ? `${name}: ${String(message)}` : String(message);
  }
  return undefined;
}

/** The body of a line: the symbol, the text, and its colour; undefined for what the terminal does not show. */
function body(
  event: LocalEvent,
  verbose: boolean,
): { source: string; format: Format; text: string; dim?: string } | undefined {
  switch (event.kind) {
    case "ready":
      return {
        source: SELF,
        format: ["bold", "green"],
        text: `▶ ready  dashboard ${event.dashboard}  ·  try: ${event.command}`,
        dim: `local cloud ${event.endpoint} · workers ${event.workers.join(", ")} · reloading on changes in ${event.watching.join(", ")}`,
      };
    case "published":
      return {
        source: event.jobType,
        format: "cyan",
        text: `→ published  job ${event.jobId}${event.offloaded ? "  payload in S3" : ""}`,
      };
    case "outcome": {
      const { outcome, maxAttempts } = event;
      const job = `job ${shortId(outcome.jobId)}`;
      if (outcome.kind === "processed") {
        return {
          source: outcome.jobType,
          format: "green",
          text: `✓ processed  ${job}  ${outcome.durationMs} ms${outcome.offloaded ? "  payload from S3" : ""}${outcome.skipped ? "  already done: not run again" : ""}`,
        };
      }
      if (outcome.kind === "failed") {
        const retry = outcome.retryInSeconds === undefined ? "" : `  retry in ${outcome.retryInSeconds} s`;
        return {
          source: outcome.jobType,
          format: "yellow",
          text: `✗ failed (attempt ${outcome.attempt}/${maxAttempts}): ${reasonOf(outcome)}  ${job}${retry}`,
        };
      }
      // The full id: it is what `fanout dlq redrive --job` and `dlq delete` take.
      return {
        source: outcome.jobType,
        format: "red",
        text: `☠ dead-lettered: ${reasonOf(outcome)}  job ${outcome.jobId ?? "unknown"}`,
      };
    }
    case "log": {
      const { record } = event;
      if (record.kind === "metrics") return undefined;
      if (record.kind === "text") return { source: event.jobType, format: "none", text: clean(record.text) };
      if (record.outcome) return undefined;
      const jobId = record.fields.jobId;
      const job = typeof jobId === "string" ? `  job ${shortId(jobId)}` : "";
      const error = errorText(record.fields);
      const details = verbose ? fieldsText(record.fields) : "";
      const text = `${clean(record.message)}${error ? `: ${clean(error)}` : ""}${job}${details ? `  ${clean(details)}` : ""}`;
      if (record.level === "WARN") return { source: event.jobType, format: "yellow", text: `⚠ ${text}` };
      if (record.level === "ERROR" || record.level === "CRITICAL") {
        return { source: event.jobType, format: "red", text: `✗ ${text}` };
      }
      return verbose ? { source: event.jobType, format: "gray", text: `· ${text}` } : undefined;
    }
    case "reloaded":
      return { source: SELF, format: "cyan", text: `↻ reloaded ${event.file}` };
    case "reload-failed": {
      const one = event.jobTypes.length === 1;
      return {
        source: SELF,
        format: "red",
        text: `✗ ${event.file}: ${event.jobTypes.join(", ")} ${one ? "does" : "do"} not load (${clean(event.error)}) and ${one ? "keeps" : "keep"} running the previous code`,
      };
    }
    case "restart-needed":
      return {
        source: SELF,
        format: "yellow",
        text: `⚠ ${event.file} changes the topology (${event.changes.join("; ")}): restart fanout start to apply it; handlers reloaded meanwhile`,
      };
    case "stopping":
      return {
        source: SELF,
        format: event.error ? "red" : "none",
        text: event.error ? `stopping: ${clean(event.error)}` : `stopping (${event.signal ?? "asked"})`,
      };
    case "stopped":
      return { source: SELF, format: "none", text: "stopped" };
  }
}

/**
 * The terminal's line for one event of `fanout start`, `12:03:04.123  resize-image  ✓ processed  job 3f9c…
 * 41 ms`, or undefined when the terminal does not show it (debug entries without `verbose`, metrics, entries
 * that repeat an outcome).
 */
export function formatEventLine(event: LocalEvent, at: Date, style: LineStyle): string | undefined {
  const line = body(event, style.verbose);
  if (!line) return undefined;
  const paint = (format: Format, text: string) =>
    style.color ? styleText(format, text, { validateStream: false }) : text;
  const prefix = `${paint("gray", clock(at))}  ${line.source.padEnd(style.sourceWidth)}  `;
  const first = `${prefix}${paint(line.format, line.text)}`;
  if (!line.dim) return first;
  return `${first}\n${" ".repeat(clock(at).length + style.sourceWidth + 4)}${paint("dim", line.dim)}`;
}

/**
 * The JSON line of one of Fanout's own events, as `--json` and a piped stdout print them (the handlers' lines
 * are printed as they came); undefined for the events that are only a reading of those lines.
 */
export function formatEventJson(event: LocalEvent, at: Date): string | undefined {
  const line = (level: string, message: string, fields: Record<string, unknown> = {}) =>
    JSON.stringify({ level, message, timestamp: at.toISOString(), service: "fanout-local", ...fields });
  switch (event.kind) {
    case "ready":
      return line("INFO", "local cloud ready", {
        endpoint: event.endpoint,
        dashboard: event.dashboard,
        topicArn: event.topicArn,
        bucket: event.bucket,
        workers: event.workers,
        watching: event.watching,
        try: event.command,
      });
    case "published":
      return line("INFO", "demo job published", {
        jobType: event.jobType,
        jobId: event.jobId,
        offloaded: event.offloaded,
        ...(event.payloadKey ? { payloadKey: event.payloadKey } : {}),
      });
    case "outcome":
    case "log":
      return undefined;
    case "reloaded":
      return line("INFO", "reloaded", { file: event.file, jobTypes: event.jobTypes });
    case "reload-failed":
      return line("ERROR", "reload failed", {
        file: event.file,
        jobTypes: event.jobTypes,
        error: event.error,
      });
    case "restart-needed":
      return line("WARN", "restart needed", { file: event.file, changes: event.changes });
    case "stopping":
      return event.error
        ? line("INFO", "local cloud stopping", { error: event.error })
        : line("INFO", "stopping", { signal: event.signal });
    case "stopped":
      return line("INFO", "stopped");
  }
}
