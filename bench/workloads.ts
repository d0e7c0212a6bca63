import type { BenchPayload } from "./registry.ts";

/** A small job: about 200 bytes of JSON, the typical size of a job that names its inputs. */
export const SMALL_TEXT_BYTES = 120;
/** A large job: 300 KiB, so its SNS message exceeds 256 KiB and must be offloaded. */
export const LARGE_TEXT_BYTES = 300 * 1024;

export function payload(n: number, textBytes: number): BenchPayload {
  return { n, sentAt: Date.now(), text: "x".repeat(textBytes) };
}

export function smallJobs(count: number): BenchPayload[] {
  return Array.from({ length: count }, (_, n) => payload(n, SMALL_TEXT_BYTES));
}

/** One job in ten is large, spread evenly, as a real mix would be. */
export function mixedJobs(count: number): BenchPayload[] {
  return Array.from({ length: count }, (_, n) =>
    payload(n, n % 10 === 9 ? LARGE_TEXT_BYTES : SMALL_TEXT_BYTES),
  );
}

/** Rows of about 70 bytes of JSON each: a job about as large as one of `LARGE_TEXT_BYTES`. */
const LARGE_JOB_ROWS = Math.ceil(LARGE_TEXT_BYTES / 70);

/** As `mixedJobs`, but a large job is many short values (rows of numbers and short strings), not one long text. */
export function mixedRowJobs(count: number): BenchPayload[] {
  return Array.from({ length: count }, (_, n) => {
    const job = payload(n, SMALL_TEXT_BYTES);
    if (n % 10 !== 9) return job;
    const rows = Array.from({ length: LARGE_JOB_ROWS }, (_, i) => ({
      id: `row-${i}`,
      qty: i,
      price: i * 1.25,
      ok: i % 2 === 0,
      tags: ["a", "b"],
    }));
    return { ...job, rows };
  });
}
