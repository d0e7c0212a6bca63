/** One line a handler's environment printed, as the terminal output of `fanout start` reads it. */
export type LogRecord =
  /** A Powertools log entry (or one in its shape: `level` and `message`). */
  | {
      readonly kind: "entry";
      readonly level: string;
      readonly message: string;
      /** Whether it reports a job outcome, which the runner's outcome events already carry. */
      readonly outcome: boolean;
      readonly fields: Readonly<Record<string, unknown>>;
    }
  /** An Embedded Metric Format document: figures for CloudWatch, nothing to read. */
  | { readonly kind: "metrics" }
  /** Anything else: `console.log` output, a runtime warning. */
  | { readonly kind: "text"; readonly text: string };

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function parseLogLine(line: string): LogRecord {
  let parsed: unknown;
  try {
    parsed = line.startsWith("{") ? JSON.parse(line) : undefined;
  } catch {
    parsed = undefined;
  }
  if (!isObject(parsed)) return { kind: "text", text: line };
  if (isObject(parsed._aws)) return { kind: "metrics" };
  const { level, message, ...fields } = parsed;
  if (typeof level !== "string" || typeof message !== "string") return { kind: "text", text: line };
  return { kind: "entry", level: level.toUpperCase(), message, outcome: "outcome" in fields, fields };
}
