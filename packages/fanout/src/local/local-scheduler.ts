import { EventEmitter } from "node:events";
import { setTimeout as sleep } from "node:timers/promises";
import { errorMessage } from "../core/errors.ts";
import type { PublishedJob } from "../core/publisher.ts";
import { newScheduledJobId, type ScheduleDefinition } from "../core/schedule.ts";
import { nextRunAfter } from "../core/schedule-expression.ts";

/** Where the local scheduler's time comes from: the system clock, unless the caller brings its own. */
export interface Clock {
  now(): number;
  /** Resolves at `time` (epoch milliseconds) by this clock; rejects when `signal` aborts. */
  sleepUntil(time: number, signal: AbortSignal): Promise<void>;
}

export const SYSTEM_CLOCK: Clock = {
  now: () => Date.now(),
  sleepUntil: (time, signal) => sleep(Math.max(0, time - Date.now()), undefined, { signal }),
};

/** One run of a schedule: the job it published, when it was due and when it fired. */
export interface ScheduleRun {
  readonly schedule: string;
  readonly jobId: string;
  readonly jobType: string;
  /** ISO 8601; the job's `createdAt`. */
  readonly scheduledAt: string;
  readonly firedAt: string;
}

/** Publishes a schedule's job with the run's id and scheduled time; the local cloud passes its `Publisher`. */
export type PublishScheduledJob = (
  schedule: ScheduleDefinition,
  jobId: string,
  scheduledAt: Date,
) => Promise<PublishedJob>;

export interface LocalSchedulerEvents {
  run: [ScheduleRun];
  /** A run whose job could not be published; the next run is still due at its time. */
  failed: [{ schedule: string; scheduledAt: string; reason: string }];
}

/**
 * Fires the registry's schedules on this machine, as EventBridge Scheduler does on AWS: each run publishes the
 * schedule's job with its own id and its scheduled time. A rate counts from when the scheduler started. Runs
 * missed while the process was suspended are skipped, not caught up.
 */
export class LocalScheduler extends EventEmitter<LocalSchedulerEvents> {
  readonly #schedules: readonly ScheduleDefinition[];
  readonly #publish: PublishScheduledJob;
  readonly #clock: Clock;
  readonly #abort = new AbortController();
  readonly #loops: Promise<void>[] = [];
  readonly #lastRuns = new Map<string, ScheduleRun>();
  #origin = 0;

  constructor(schedules: readonly ScheduleDefinition[], publish: PublishScheduledJob, clock = SYSTEM_CLOCK) {
    super();
    this.#schedules = schedules;
    this.#publish = publish;
    this.#clock = clock;
  }

  start(): void {
    this.#origin = this.#clock.now();
    for (const schedule of this.#schedules) this.#loops.push(this.#loop(schedule));
  }

  async stop(): Promise<void> {
    this.#abort.abort();
    await Promise.all(this.#loops);
  }

  /** The schedules it fires: the registry's. */
  get schedules(): readonly ScheduleDefinition[] {
    return this.#schedules;
  }

  /** The last run of each schedule since the scheduler started. */
  lastRuns(): ReadonlyMap<string, ScheduleRun> {
    return this.#lastRuns;
  }

  /** The next time each schedule fires, by this scheduler's clock and origin. */
  nextRun(schedule: ScheduleDefinition): Date | null {
    const now = new Date(this.#clock.now());
    return nextRunAfter(schedule.parsed, schedule.timeZone, now, new Date(this.#origin || now.getTime()));
  }

  async #loop(schedule: ScheduleDefinition): Promise<void> {
    const origin = new Date(this.#origin);
    let due = nextRunAfter(schedule.parsed, schedule.timeZone, origin, origin);
    while (due && !this.#abort.signal.aborted) {
      try {
        // A timer may wake a millisecond before the wall clock reaches its time; a run never fires early.
        while (this.#clock.now() < due.getTime()) {
          await this.#clock.sleepUntil(due.getTime(), this.#abort.signal);
        }
      } catch {
        return;
      }
      // A failed run is reported as `failed`; the schedule goes on.
      await this.#fire(schedule, due).catch(() => {});
      const after = new Date(Math.max(due.getTime(), this.#clock.now()));
      due = nextRunAfter(schedule.parsed, schedule.timeZone, after, origin);
    }
  }

  async #fire(schedule: ScheduleDefinition, scheduledAt: Date): Promise<ScheduleRun> {
    const firedAt = new Date(this.#clock.now()).toISOString();
    const jobId = newScheduledJobId(schedule.name);
    try {
      await this.#publish(schedule, jobId, scheduledAt);
    } catch (error) {
      this.emit("failed", {
        schedule: schedule.name,
        scheduledAt: scheduledAt.toISOString(),
        reason: errorMessage(error),
      });
      throw error;
    }
    const run: ScheduleRun = {
      schedule: schedule.name,
      jobId,
      jobType: schedule.jobType,
      scheduledAt: scheduledAt.toISOString(),
      firedAt,
    };
    this.#lastRuns.set(schedule.name, run);
    this.emit("run", run);
    return run;
  }
}
