import { randomUUID } from "node:crypto";
import { JOB_TYPE_ATTRIBUTE, SNS_MAX_MESSAGE_BYTES, type StringAttribute } from "./claim-check.ts";
import { ENVELOPE_VERSION, encodeEnvelope, type JobEnvelope } from "./envelope.ts";
import { describeIssues, InvalidScheduleError, JobValidationError } from "./errors.ts";
import { boundedName } from "./naming.ts";
import { type JobDefinition, parsePayload } from "./registry.ts";
import {
  isKnownTimeZone,
  parseScheduleExpression,
  type ScheduleExpression,
  ScheduleExpressionError,
} from "./schedule-expression.ts";
import { messageSize } from "./sqs-limits.ts";

/** A job published on a schedule, as the registry declares it. */
export interface ScheduleDeclaration<T extends string = string, P = unknown> {
  /** 1 to 64 letters, digits, `-`, `_` and `.` (EventBridge Scheduler's rule for schedule names). */
  readonly name: string;
  /** `cron(minutes hours day-of-month month day-of-week year)` or `rate(value unit)`, as EventBridge Scheduler reads them. */
  readonly expression: string;
  /** The IANA time zone a cron expression is read in. Default `UTC`. */
  readonly timeZone?: string;
  readonly jobType: T;
  /** Checked against the job's schema when the registry is defined. */
  readonly payload: P;
  readonly description?: string;
  /** Let AWS run the job up to this many minutes late (1 to 1,440) to spread load. Default: on time. */
  readonly flexibleWindowMinutes?: number;
  /** How AWS retries a run it could not publish before giving it to the schedule's DLQ. */
  readonly retry?: Partial<ScheduleRetry>;
}

export interface ScheduleRetry {
  /** 0 to 185. Default 185, AWS's own. */
  readonly maxRetries: number;
  /** 60 to 86,400. Default 86,400 (a day), AWS's own. */
  readonly maxEventAgeSeconds: number;
}

export interface ScheduleDefinition {
  readonly name: string;
  readonly expression: string;
  readonly parsed: ScheduleExpression;
  readonly timeZone: string;
  readonly jobType: string;
  readonly payload: unknown;
  readonly description: string;
  readonly flexibleWindowMinutes: number | null;
  readonly retry: ScheduleRetry;
}

export const SCHEDULE_RETRY_DEFAULTS: ScheduleRetry = { maxRetries: 185, maxEventAgeSeconds: 86_400 };

/** EventBridge Scheduler's documented limits (CreateSchedule). */
export const SCHEDULE_LIMITS = {
  name: /^[0-9a-zA-Z\-_.]{1,64}$/,
  timeZoneLength: 50,
  flexibleWindowMinutes: [1, 1440],
  maxRetries: [0, 185],
  maxEventAgeSeconds: [60, 86_400],
} as const;

/** Stand-ins EventBridge Scheduler replaces when it runs the schedule (its "context attributes"). */
export const SCHEDULER_EXECUTION_ID = "<aws.scheduler.execution-id>";
export const SCHEDULER_SCHEDULED_TIME = "<aws.scheduler.scheduled-time>";
/** Room for what replaces the stand-ins: an execution id is far shorter than this. */
const CONTEXT_ATTRIBUTE_ROOM = 256;

/** Each run's job id: the schedule's name and the run's own id, so runs are told apart and traced back. */
export function scheduledJobId(scheduleName: string, runId: string): string {
  return `${scheduleName}-${runId}`;
}

/** The job id of a run outside EventBridge Scheduler (the local cloud, `fanout schedules run`), shaped alike. */
export function newScheduledJobId(scheduleName: string): string {
  // EventBridge Scheduler's execution ids are 16 characters long, as in its documentation's example.
  return scheduledJobId(scheduleName, randomUUID().replaceAll("-", "").slice(0, 16));
}

/** What a run publishes: the envelope and the `jobType` attribute, as any Fanout producer would. */
export interface ScheduledMessage {
  readonly body: string;
  readonly attributes: Record<string, StringAttribute>;
}

/**
 * The message of one run. The stack passes the scheduler's stand-ins, which it fills in at each run; the
 * local cloud publishes through the `Publisher` instead, with the same id and time.
 */
export function scheduledMessage(
  schedule: ScheduleDefinition,
  runId: string,
  scheduledTime: string,
): ScheduledMessage {
  const envelope: JobEnvelope = {
    v: ENVELOPE_VERSION,
    id: scheduledJobId(schedule.name, runId),
    type: schedule.jobType,
    createdAt: scheduledTime,
    payload: schedule.payload,
  };
  return {
    body: encodeEnvelope(envelope),
    attributes: { [JOB_TYPE_ATTRIBUTE]: { DataType: "String", StringValue: schedule.jobType } },
  };
}

/** SQS queue names take no `.`, which schedule names may have. */
export function scheduleDlqName(app: string, scheduleName: string): string {
  return boundedName(`${app}-${scheduleName.replaceAll(".", "_")}-schedule-dlq`, 80);
}

function inRange(value: number, [min, max]: readonly [number, number]): boolean {
  return Number.isInteger(value) && value >= min && value <= max;
}

/** Checks every declaration against AWS's limits and its job's schema: a wrong schedule fails at synth time. */
export function defineSchedules(
  app: string,
  jobs: Readonly<Record<string, JobDefinition>>,
  declarations: readonly ScheduleDeclaration[],
): ScheduleDefinition[] {
  const dlqNames = new Map<string, string>();
  return declarations.map((d): ScheduleDefinition => {
    const fail = (reason: string): never => {
      throw new InvalidScheduleError(d.name, reason);
    };
    if (!SCHEDULE_LIMITS.name.test(d.name)) {
      fail(
        "its name must be 1 to 64 letters, digits, hyphens, underscores or dots (EventBridge Scheduler's rule)",
      );
    }
    const dlq = scheduleDlqName(app, d.name);
    const clash = dlqNames.get(dlq);
    if (clash !== undefined)
      fail(`its name is the same as "${clash}" once dots become underscores; rename one`);
    dlqNames.set(dlq, d.name);
    const job = Object.hasOwn(jobs, d.jobType) ? jobs[d.jobType] : undefined;
    if (!job) fail(`it publishes "${d.jobType}", which is not a job type of the registry`);
    let parsed: ScheduleExpression | undefined;
    try {
      parsed = parseScheduleExpression(d.expression);
    } catch (error) {
      if (!(error instanceof ScheduleExpressionError)) throw error;
      fail(`its expression "${d.expression}" is invalid: ${error.message}`);
    }
    const timeZone = d.timeZone ?? "UTC";
    if (timeZone.length > SCHEDULE_LIMITS.timeZoneLength || !isKnownTimeZone(timeZone)) {
      fail(`its time zone "${timeZone}" is not an IANA time zone name such as Europe/Berlin`);
    }
    if (
      d.flexibleWindowMinutes !== undefined &&
      !inRange(d.flexibleWindowMinutes, SCHEDULE_LIMITS.flexibleWindowMinutes)
    ) {
      fail(
        `flexibleWindowMinutes is ${d.flexibleWindowMinutes}; use a whole number from 1 to 1440, or leave it out`,
      );
    }
    const retry = { ...SCHEDULE_RETRY_DEFAULTS, ...d.retry };
    if (!inRange(retry.maxRetries, SCHEDULE_LIMITS.maxRetries)) {
      fail(`retry.maxRetries is ${retry.maxRetries}; use a whole number from 0 to 185`);
    }
    if (!inRange(retry.maxEventAgeSeconds, SCHEDULE_LIMITS.maxEventAgeSeconds)) {
      fail(`retry.maxEventAgeSeconds is ${retry.maxEventAgeSeconds}; use a whole number from 60 to 86400`);
    }
    try {
      parsePayload(job as JobDefinition, d.payload);
    } catch (error) {
      if (!(error instanceof JobValidationError)) throw error;
      fail(`its payload does not match the schema of "${d.jobType}": ${describeIssues(error.issues)}`);
    }
    const definition: ScheduleDefinition = {
      name: d.name,
      expression: d.expression,
      parsed: parsed as ScheduleExpression,
      timeZone,
      jobType: d.jobType,
      payload: d.payload,
      description: d.description ?? "",
      flexibleWindowMinutes: d.flexibleWindowMinutes ?? null,
      retry,
    };
    const message = scheduledMessage(definition, SCHEDULER_EXECUTION_ID, SCHEDULER_SCHEDULED_TIME);
    // A schedule's payload travels in the schedule itself: it cannot be offloaded to S3.
    if (messageSize(message.body, message.attributes) > SNS_MAX_MESSAGE_BYTES - CONTEXT_ATTRIBUTE_ROOM) {
      fail(
        "its payload is too large for one SNS message; schedule a small payload that names where the data is",
      );
    }
    return definition;
  });
}

/** The schedule group that holds an app's schedules (EventBridge Scheduler allows 64 characters). */
export function scheduleGroupName(app: string): string {
  return `${app}-schedules`;
}

/** The role every schedule of the app runs with; IAM names are account-wide, so it carries the region. */
export function schedulerRoleName(app: string, region: string): string {
  return boundedName(`${app}-scheduler-${region}`, 64);
}
