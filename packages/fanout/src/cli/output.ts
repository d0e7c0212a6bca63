import type { CliIo } from "./io.ts";
import { type Progress, startProgress } from "./progress.ts";

/** Where command results go: one JSON document per result with `--json`, human text otherwise. */
export interface Output {
  readonly json: boolean;
  /** The command's result: `data` as JSON with `--json`, else the human text. */
  result(data: unknown, human: string): void;
  /** A note for the operator on standard error, never mixed into results. */
  note(text: string): void;
  progress(label: string, total: number): Progress;
}

export function createOutput(io: CliIo, json: () => boolean): Output {
  return {
    get json() {
      return json();
    },
    result: (data, human) => {
      io.stdout.write(`${json() ? JSON.stringify(data) : human}\n`);
    },
    note: (text) => {
      io.stderr.write(`${text}\n`);
    },
    progress: (label, total) => startProgress(io.stderr, label, total),
  };
}
