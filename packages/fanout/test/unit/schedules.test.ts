import { describe, expect, it } from "vitest";
import { z } from "zod";
import { InvalidScheduleError, RegistryError } from "../../src/core/errors.ts";
import { defineJob, defineRegistry } from "../../src/core/registry.ts";
import { SCHEDULE_RETRY_DEFAULTS, type ScheduleDeclaration } from "../../src/core/schedule.ts";
import { nextRunsAfter, parseScheduleExpression } from "../../src/core/schedule-expression.ts";

const summary = defineJob({
  type: "sales-summary",
  description: "",
  schema: z.object({ currency: z.string().length(3), days: z.number().int().positive() }),
});
const other = defineJob({ type: "other", description: "", schema: z.object({ id: z.string() }) });

const nightly = {
  name: "nightly-sales",
  expression: "cron(0 3 * * ? *)",
  jobType: "sales-summary",
  payload: { currency: "EUR", days: 1 },
} as const;

function withSchedule(schedule: Partial<ScheduleDeclaration> = {}) {
  return defineRegistry({
    app: "shop",
    jobs: [summary, other],
    schedules: [{ ...nightly, ...schedule } as typeof nightly],
  });
}

/** The reason a schedule is refused, from the typed error that names it. */
function refusal(schedule: Partial<ScheduleDeclaration>): string {
  try {
    withSchedule(schedule);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidScheduleError);
    expect(error).toBeInstanceOf(RegistryError);
    expect((error as InvalidScheduleError).schedule).toBe(schedule.name ?? nightly.name);
    return (error as Error).message;
  }
  throw new Error("the schedule was accepted");
}

describe("schedules in the registry", () => {
  it("keeps a valid schedule with AWS's defaults: UTC, on time, AWS's own retry policy", () => {
    const [schedule] = withSchedule().schedules;
    expect(schedule).toMatchObject({
      name: "nightly-sales",
      expression: "cron(0 3 * * ? *)",
      timeZone: "UTC",
      jobType: "sales-summary",
      payload: { currency: "EUR", days: 1 },
      flexibleWindowMinutes: null,
      retry: SCHEDULE_RETRY_DEFAULTS,
    });
    expect(SCHEDULE_RETRY_DEFAULTS).toEqual({ maxRetries: 185, maxEventAgeSeconds: 86_400 });
  });

  it("types each schedule's payload by its job type's schema", () => {
    expect(() =>
      defineRegistry({
        app: "shop",
        jobs: [summary, other],
        // @ts-expect-error days must be a number
        schedules: [{ ...nightly, payload: { currency: "EUR", days: "1" } }],
      }),
    ).toThrow(InvalidScheduleError);
  });

  it("refuses a payload that fails the job's schema when the registry is defined, naming the schedule and the field", () => {
    expect(refusal({ payload: { currency: "EURO", days: 1 } })).toMatch(
      /^Schedule "nightly-sales": its payload does not match the schema of "sales-summary": currency: /,
    );
    expect(refusal({ jobType: "nope" })).toContain('it publishes "nope", which is not a job type');
  });

  it("takes schedule names of 1 to 64 letters, digits, -, _ and . (EventBridge Scheduler's CreateSchedule limit)", () => {
    for (const name of ["a", "x".repeat(64), "Nightly_sales.v2-EU"]) {
      expect(withSchedule({ name }).schedules[0]?.name).toBe(name);
    }
    for (const name of ["", "x".repeat(65), "nightly sales", "nightly/sales", "nächtlich"]) {
      expect(refusal({ name })).toContain("must be 1 to 64 letters, digits, hyphens, underscores or dots");
    }
  });

  it("refuses two names that would give the same dead-letter queue name", () => {
    expect(() =>
      defineRegistry({
        app: "shop",
        jobs: [summary],
        schedules: [nightly, { ...nightly, name: "nightly.sales" }, { ...nightly, name: "nightly_sales" }],
      }),
    ).toThrow(
      'Schedule "nightly_sales": its name is the same as "nightly.sales" once dots become underscores',
    );
  });

  it.each([
    "cron(0 3 * * ? *)",
    "cron(0/15 * * * ? *)",
    "cron(0 18 ? * MON-FRI *)",
    "cron(0 8 1 * ? *)",
    "cron(15 10 ? * 6L 2026-2030)",
    "cron(0 12 L * ? *)",
    "cron(0 9 ? * 2#1 *)",
    "cron(5,35 14 * JAN,JUL ? *)",
    "rate(1 minute)",
    "rate(5 minutes)",
    "rate(1 hour)",
    "rate(12 hours)",
    "rate(1 day)",
  ])("accepts %s, an expression EventBridge Scheduler documents", (expression) => {
    expect(withSchedule({ expression }).schedules[0]?.expression).toBe(expression);
  });

  it.each([
    ["rate(1 minutes)", "write rate(1 minute)"],
    ["rate(5 minute)", "write rate(5 minutes)"],
    ["rate(0 minutes)", "positive whole number"],
    ["rate(30 seconds)", "write cron("],
    ["cron(0 3 * * * *)", "exactly one of day-of-month and day-of-week must be ?"],
    ["cron(0 3 ? * ? *)", "exactly one of day-of-month and day-of-week must be ?"],
    ["cron(0 3 * * ?)", "six fields"],
    ["cron(0 0 3 * * ? *)", "six fields"],
    ["cron(60 3 * * ? *)", "is invalid"],
    ["cron(0 3 * * ? 2300)", "is invalid"],
    ["cron(0 3 W# * ? *)", "has characters AWS does not allow"],
    ["0 3 * * *", "write cron("],
    [`cron(${"0,".repeat(130)}0 3 * * ? *)`, "longer than AWS's 256 characters"],
  ])("refuses %s, saying why", (expression, reason) => {
    expect(refusal({ expression })).toContain(reason);
  });

  it("checks the time zone, the flexible window and the retry policy against AWS's ranges", () => {
    expect(withSchedule({ timeZone: "Europe/Berlin" }).schedules[0]?.timeZone).toBe("Europe/Berlin");
    expect(refusal({ timeZone: "Mars/Olympus_Mons" })).toContain("is not an IANA time zone name");
    expect(withSchedule({ flexibleWindowMinutes: 1 }).schedules[0]?.flexibleWindowMinutes).toBe(1);
    expect(withSchedule({ flexibleWindowMinutes: 1440 }).schedules[0]?.flexibleWindowMinutes).toBe(1440);
    expect(refusal({ flexibleWindowMinutes: 0 })).toContain("from 1 to 1440");
    expect(refusal({ flexibleWindowMinutes: 1441 })).toContain("from 1 to 1440");
    expect(withSchedule({ retry: { maxRetries: 0, maxEventAgeSeconds: 60 } }).schedules[0]?.retry).toEqual({
      maxRetries: 0,
      maxEventAgeSeconds: 60,
    });
    expect(refusal({ retry: { maxRetries: 186 } })).toContain("retry.maxRetries is 186");
    expect(refusal({ retry: { maxEventAgeSeconds: 59 } })).toContain("retry.maxEventAgeSeconds is 59");
    expect(refusal({ retry: { maxEventAgeSeconds: 86_401 } })).toContain("from 60 to 86400");
  });

  it("refuses a payload too large to travel inside the schedule", () => {
    const big = defineJob({ type: "big", description: "", schema: z.object({ text: z.string() }) });
    expect(() =>
      defineRegistry({
        app: "shop",
        jobs: [big],
        schedules: [
          { name: "big", expression: "rate(1 day)", jobType: "big", payload: { text: "x".repeat(262_000) } },
        ],
      }),
    ).toThrow(/too large for one SNS message/);
  });
});

describe("run times", () => {
  const runs = (expression: string, timeZone: string, after: string, count: number, origin?: string) =>
    nextRunsAfter(
      parseScheduleExpression(expression),
      timeZone,
      new Date(after),
      count,
      origin ? new Date(origin) : undefined,
    ).map((d) => d.toISOString());

  it("reads a cron expression in its time zone, across a daylight saving change", () => {
    // Berlin moves to summer time on 2026-03-29: 03:00 is 02:00 UTC before and 01:00 UTC after.
    expect(runs("cron(0 3 * * ? *)", "Europe/Berlin", "2026-03-27T12:00:00Z", 3)).toEqual([
      "2026-03-28T02:00:00.000Z",
      "2026-03-29T01:00:00.000Z",
      "2026-03-30T01:00:00.000Z",
    ]);
  });

  it("numbers weekdays as EventBridge does, 1 for Sunday", () => {
    // 2026-12-02 is a Wednesday; 2 is Monday.
    expect(runs("cron(0 9 ? * 2 *)", "UTC", "2026-12-02T00:00:00Z", 2)).toEqual([
      "2026-12-07T09:00:00.000Z",
      "2026-12-14T09:00:00.000Z",
    ]);
    expect(runs("cron(0 9 ? * SUN *)", "UTC", "2026-12-02T00:00:00Z", 1)).toEqual([
      "2026-12-06T09:00:00.000Z",
    ]);
  });

  it("counts a rate from its origin", () => {
    expect(runs("rate(5 minutes)", "UTC", "2026-12-02T10:07:00Z", 2, "2026-12-02T10:00:30Z")).toEqual([
      "2026-12-02T10:10:30.000Z",
      "2026-12-02T10:15:30.000Z",
    ]);
  });

  it("has no run left once a cron expression's years are past", () => {
    expect(runs("cron(0 3 * * ? 2025)", "UTC", "2026-01-01T00:00:00Z", 1)).toEqual([]);
  });
});
