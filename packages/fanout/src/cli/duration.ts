import { MAX_DELAY_SECONDS } from "../core/delay.ts";
import { UsageError } from "../core/errors.ts";

const UNIT_SECONDS: Record<string, number> = { h: 3600, m: 60, s: 1 };

/** `--delay 10m`, `90s`, `1h30m` or plain seconds: a whole number of seconds up to 12 hours. */
export function parseDelay(value: string): number {
  const text = value.trim();
  const parts = /^(\d+)$/.test(text) ? [[text, text, "s"]] : [...text.matchAll(/(\d+)([hms])/g)];
  const seconds = parts.reduce(
    (sum, [, n, unit]) => sum + Number(n) * (UNIT_SECONDS[unit as string] ?? 0),
    0,
  );
  const whole = parts.map(([part]) => part).join("") === text;
  if (!whole || parts.length === 0 || seconds < 1 || seconds > MAX_DELAY_SECONDS) {
    throw new UsageError(
      `--delay "${value}" is not a delay Fanout takes: give 1 second to 12 hours, like 90s, 10m, 1h30m or 600.`,
    );
  }
  return seconds;
}
