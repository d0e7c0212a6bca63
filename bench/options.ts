/**
 * Sizes of the run. `--quick` (or BENCH_QUICK=1) shrinks everything to fit in about two minutes; each size
 * can be set on its own with its environment variable. `--only=1,2` runs some figures.
 */
export interface BenchOptions {
  readonly quick: boolean;
  /** Figure 1: small jobs per run, and mixed jobs per run. */
  readonly smallJobs: number;
  readonly mixedJobs: number;
  /** Runs per measurement; the median is reported. */
  readonly repeats: number;
  /** Figure 2: records consumed in-process, and the share of them offloaded in the mixed run. */
  readonly consumeRecords: number;
  /** Figure 4: payload sizes in MiB. */
  readonly largePayloadsMiB: readonly number[];
  /** Figure 5: jobs published one at a time, and their spacing. */
  readonly endToEndJobs: number;
  readonly figures: ReadonlySet<number>;
}

function intFromEnv(name: string, fallback: number): number {
  const value = process.env[name];
  if (value === undefined || value === "") return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`${name}=${value} is not a positive whole number.`);
  return n;
}

export function readOptions(argv: readonly string[] = process.argv.slice(2)): BenchOptions {
  const quick = argv.includes("--quick") || process.env.BENCH_QUICK === "1";
  const only = argv.find((a) => a.startsWith("--only="))?.slice("--only=".length);
  const sizes = process.env.BENCH_LARGE_MIB ?? (quick ? "10,100" : "10,100,500");
  return {
    quick,
    smallJobs: intFromEnv("BENCH_SMALL_JOBS", quick ? 2_000 : 10_000),
    mixedJobs: intFromEnv("BENCH_MIXED_JOBS", quick ? 300 : 1_000),
    repeats: intFromEnv("BENCH_REPEATS", quick ? 1 : 3),
    consumeRecords: intFromEnv("BENCH_CONSUME_RECORDS", quick ? 2_000 : 10_000),
    largePayloadsMiB: sizes.split(",").map(Number),
    endToEndJobs: intFromEnv("BENCH_E2E_JOBS", quick ? 200 : 1_000),
    figures: new Set(only ? only.split(",").map(Number) : [1, 2, 3, 4, 5, 6, 7, 8]),
  };
}
