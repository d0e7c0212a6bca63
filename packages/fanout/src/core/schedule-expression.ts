import { Cron } from "croner";

/**
 * EventBridge Scheduler's recurring expressions, as its user guide documents them ("Schedule types"):
 * `cron(minutes hours day-of-month month day-of-week year)` and `rate(value unit)`. The same expression
 * drives the deployed schedule and the local cloud, so it is checked here against AWS's rules and computed
 * with croner.
 */
export type ScheduleExpression =
  | { readonly kind: "cron"; readonly fields: CronFields }
  | { readonly kind: "rate"; readonly value: number; readonly unit: RateUnit; readonly seconds: number };

export interface CronFields {
  readonly minutes: string;
  readonly hours: string;
  readonly dayOfMonth: string;
  readonly month: string;
  readonly dayOfWeek: string;
  readonly year: string;
}

type RateUnit = "minute" | "hour" | "day";

/** AWS allows 256 characters in `ScheduleExpression`. */
export const MAX_EXPRESSION_LENGTH = 256;

const UNIT_SECONDS: Record<RateUnit, number> = { minute: 60, hour: 3600, day: 86_400 };

/** The characters each cron field accepts (the user guide's table), before croner checks the values. */
const FIELD_SYNTAX: Record<keyof CronFields, RegExp> = {
  minutes: /^[0-9,\-*/]+$/,
  hours: /^[0-9,\-*/]+$/,
  dayOfMonth: /^[0-9,\-*?/LW]+$/,
  month: /^([0-9,\-*/]|JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC)+$/i,
  dayOfWeek: /^([0-9,\-*?L#]|SUN|MON|TUE|WED|THU|FRI|SAT)+$/i,
  year: /^[0-9,\-*/]+$/,
};
const FIELD_NAMES = Object.keys(FIELD_SYNTAX) as (keyof CronFields)[];

/** Why an expression is not one EventBridge Scheduler accepts (the message completes "it is invalid: …"). */
export class ScheduleExpressionError extends Error {}

export function parseScheduleExpression(text: string): ScheduleExpression {
  if (text.length > MAX_EXPRESSION_LENGTH) {
    throw new ScheduleExpressionError(`it is longer than AWS's ${MAX_EXPRESSION_LENGTH} characters`);
  }
  const rate = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(text);
  if (rate) {
    const value = Number(rate[1]);
    const unit = (rate[2] as string).replace(/s$/, "") as RateUnit;
    if (value < 1) throw new ScheduleExpressionError("a rate must be a positive whole number");
    // AWS refuses `rate(1 minutes)` and `rate(5 minute)`.
    if ((value === 1) !== (rate[2] === unit)) {
      throw new ScheduleExpressionError(`write rate(${value} ${value === 1 ? unit : `${unit}s`})`);
    }
    return { kind: "rate", value, unit, seconds: value * UNIT_SECONDS[unit] };
  }
  const cron = /^cron\(([^()]*)\)$/.exec(text);
  if (!cron) {
    throw new ScheduleExpressionError(
      "write cron(minutes hours day-of-month month day-of-week year) or rate(value unit), e.g. cron(0 3 * * ? *) or rate(5 minutes)",
    );
  }
  const parts = (cron[1] as string).trim().split(/\s+/);
  if (parts.length !== FIELD_NAMES.length) {
    throw new ScheduleExpressionError(
      `a cron expression has six fields (minutes hours day-of-month month day-of-week year); this one has ${parts.length}`,
    );
  }
  const fields = Object.fromEntries(FIELD_NAMES.map((name, i) => [name, parts[i]])) as unknown as CronFields;
  for (const name of FIELD_NAMES) {
    if (!FIELD_SYNTAX[name].test(fields[name])) {
      throw new ScheduleExpressionError(
        `the ${name} field "${fields[name]}" has characters AWS does not allow there`,
      );
    }
  }
  // "If you specify a value or a * in one of the fields, you must use a ? in the other."
  if ((fields.dayOfMonth === "?") === (fields.dayOfWeek === "?")) {
    throw new ScheduleExpressionError(
      "exactly one of day-of-month and day-of-week must be ?, e.g. cron(0 3 * * ? *) or cron(0 3 ? * MON *)",
    );
  }
  const expression: ScheduleExpression = { kind: "cron", fields };
  try {
    cronFor(expression.fields, "UTC");
  } catch (error) {
    throw new ScheduleExpressionError(error instanceof Error ? error.message : String(error));
  }
  const years = fields.year.match(/\d+/g)?.map(Number) ?? [];
  if (years.some((y) => y < 1970 || y > 2199)) {
    throw new ScheduleExpressionError("years lie between 1970 and 2199");
  }
  return expression;
}

/**
 * The croner job of a cron expression. EventBridge numbers weekdays 1 (Sunday) to 7, as Quartz does, and its
 * `?` means "any", where croner's would mean "now"; it has no seconds field, so runs are on the minute.
 */
function cronFor(fields: CronFields, timeZone: string): Cron {
  const any = (field: string) => (field === "?" ? "*" : field);
  const pattern = [
    "0",
    fields.minutes,
    fields.hours,
    any(fields.dayOfMonth),
    fields.month,
    any(fields.dayOfWeek),
    fields.year,
  ].join(" ");
  return new Cron(pattern, {
    timezone: timeZone,
    mode: "7-part",
    alternativeWeekdays: true,
    // AWS's own examples step from a number (`0/15`).
    sloppyRanges: true,
    paused: true,
  });
}

/**
 * The run after `after`. A rate counts from `origin` (on AWS, from when the schedule was created; locally,
 * from when the local cloud started). Null when a cron expression has no run left (a year in the past).
 */
export function nextRunAfter(
  expression: ScheduleExpression,
  timeZone: string,
  after: Date,
  origin: Date = after,
): Date | null {
  if (expression.kind === "rate") {
    const period = expression.seconds * 1000;
    const elapsed = Math.max(0, after.getTime() - origin.getTime());
    return new Date(origin.getTime() + (Math.floor(elapsed / period) + 1) * period);
  }
  return cronFor(expression.fields, timeZone).nextRun(after) ?? null;
}

/** The next `count` runs after `after` (fewer if a cron expression runs out). */
export function nextRunsAfter(
  expression: ScheduleExpression,
  timeZone: string,
  after: Date,
  count: number,
  origin: Date = after,
): Date[] {
  const runs: Date[] = [];
  let from = after;
  while (runs.length < count) {
    const next = nextRunAfter(expression, timeZone, from, origin);
    if (!next) break;
    runs.push(next);
    from = next;
  }
  return runs;
}

/** Whether the runtime knows the IANA time zone (AWS takes the same names). */
export function isKnownTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone });
    return true;
  } catch {
    return false;
  }
}
