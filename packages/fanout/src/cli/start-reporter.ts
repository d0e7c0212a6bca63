import type { EventEmitter } from "node:events";
import type { Topology } from "../core/topology.ts";
import type { RunnerEvents } from "../local/event-source-runner.ts";
import { formatEventJson, formatEventLine, type LineStyle, type LocalEvent } from "./event-line.ts";
import type { CliIo } from "./io.ts";
import { parseLogLine } from "./log-record.ts";

export interface StartReporterOptions {
  readonly io: CliIo;
  /** JSON lines as the handlers print them, plus Fanout's own as JSON: for a pipe, a file, or `--json`. */
  readonly json: boolean;
  readonly verbose: boolean;
  readonly topology: Topology;
}

export interface StartReporter {
  report(event: LocalEvent): void;
  /** Reports what the runners' handlers print and every outcome they report. */
  follow(runners: ReadonlyMap<string, Pick<EventEmitter<RunnerEvents>, "on">>): void;
}

/** NO_COLOR (no-color.org): present and not empty turns colours off. */
export function wantsColor(io: CliIo): boolean {
  return Boolean(io.stdout.isTTY) && !io.env.NO_COLOR;
}

/**
 * What `fanout start` prints: on a terminal one readable line per event, outcomes from the runners' outcome
 * events (the stream the dashboard counts) and the handlers' warnings and errors from their log lines;
 * otherwise every line as JSON.
 */
export function createStartReporter(options: StartReporterOptions): StartReporter {
  const { io, json, verbose, topology } = options;
  const maxAttempts = new Map<string, number>(
    [...topology.workers, ...(topology.catchAll ? [topology.catchAll] : [])].map((q) => [
      q.consumer,
      q.maxReceiveCount,
    ]),
  );
  const style: LineStyle = {
    color: !json && wantsColor(io),
    verbose,
    sourceWidth: Math.max("fanout".length, ...[...maxAttempts.keys()].map((type) => type.length)),
  };
  const write = (text: string | undefined) => {
    if (text !== undefined) io.stdout.write(`${text}\n`);
  };
  const report = (event: LocalEvent) => {
    const at = new Date();
    write(json ? formatEventJson(event, at) : formatEventLine(event, at, style));
  };
  return {
    report,
    follow: (runners) => {
      for (const [jobType, runner] of runners) {
        runner.on("log", (line) =>
          json ? write(line) : report({ kind: "log", jobType, line, record: parseLogLine(line) }),
        );
        if (json) continue;
        runner.on("outcome", (outcome) =>
          report({ kind: "outcome", outcome, maxAttempts: maxAttempts.get(outcome.jobType) ?? 1 }),
        );
      }
    },
  };
}
