import { errorMessage } from "../core/errors.ts";
import { dashboardPort } from "../dashboard/port.ts";
import { JOB_FIGURES_MINUTES, type JobFigures, jobFiguresFromCloudWatch } from "../operations/job-figures.ts";
import type { Connection } from "./connection.ts";

export interface JobFiguresReport {
  readonly windowMinutes: number;
  /** `cloudwatch`: Fanout's metrics on AWS; `runner`: the events of the running `fanout start`; `none`: neither. */
  readonly source: "cloudwatch" | "runner" | "none";
  /** Why there are none, when `source` is `none`. */
  readonly note: string | null;
  readonly byType: Readonly<Record<string, JobFigures>>;
}

const LOCAL_TIMEOUT_MS = 1_000;

/**
 * The same figures the dashboard shows: on AWS from Fanout's metrics in CloudWatch; on the local cloud from
 * the running `fanout start`, whose runners see every outcome (asked through its dashboard, on loopback).
 */
export async function readJobFigures(
  connection: Connection,
  local: boolean,
  env: NodeJS.ProcessEnv,
): Promise<JobFiguresReport> {
  const topology = await connection.topology();
  const none = (note: string): JobFiguresReport => ({
    windowMinutes: JOB_FIGURES_MINUTES,
    source: "none",
    note,
    byType: {},
  });
  const cloudwatch = connection.reader().cloudwatch;
  if (cloudwatch) {
    const figures = await jobFiguresFromCloudWatch(cloudwatch, topology);
    return {
      windowMinutes: JOB_FIGURES_MINUTES,
      source: "cloudwatch",
      note: null,
      byType: Object.fromEntries(figures),
    };
  }
  if (!local) return none("job figures need CloudWatch (AWS) or a running fanout start (--local)");
  const url = `http://127.0.0.1:${dashboardPort(undefined, env)}/api/jobs`;
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(LOCAL_TIMEOUT_MS) });
    const body = (await response.json()) as {
      app?: string;
      source?: string;
      jobs?: Record<string, JobFigures | null>;
    };
    if (!response.ok || body.app !== topology.app || body.source !== "runner") {
      return none(`the dashboard at ${url} is not this app's fanout start`);
    }
    const byType = Object.fromEntries(
      Object.entries(body.jobs ?? {}).filter((entry): entry is [string, JobFigures] => entry[1] !== null),
    );
    return { windowMinutes: JOB_FIGURES_MINUTES, source: "runner", note: null, byType };
  } catch (error) {
    return none(`no fanout start answered at ${url} (${errorMessage(error)})`);
  }
}
