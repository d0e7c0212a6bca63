import { Presets, SingleBar } from "cli-progress";

export interface Progress {
  /** Raises the total when more work turns up than was counted at the start. */
  setTotal(total: number): void;
  update(done: number): void;
  stop(): void;
}

const SILENT: Progress = { setTotal() {}, update() {}, stop() {} };

/**
 * A progress bar on standard error, only when it is a terminal: piped output, `--json` consumers and tests
 * see nothing of it.
 */
export function startProgress(
  stderr: NodeJS.WritableStream & { isTTY?: boolean },
  label: string,
  total: number,
): Progress {
  if (!stderr.isTTY) return SILENT;
  const bar = new SingleBar(
    {
      format: `${label} [{bar}] {value}/{total} {percentage}% | {duration_formatted} elapsed, eta {eta_formatted}`,
      stream: stderr as NodeJS.WritableStream,
      hideCursor: true,
      clearOnComplete: false,
      etaBuffer: 50,
    },
    Presets.shades_classic,
  );
  let currentTotal = Math.max(total, 0);
  bar.start(currentTotal, 0);
  return {
    setTotal(next) {
      if (next > currentTotal) {
        currentTotal = next;
        bar.setTotal(next);
      }
    },
    update(done) {
      if (done > currentTotal) this.setTotal(done);
      bar.update(done);
    },
    stop() {
      bar.stop();
    },
  };
}
