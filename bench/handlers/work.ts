import type { BenchPayload } from "../registry.ts";

/** The same trivial work in every consumer, so that the figures compare the runtimes around it. */
export function work(payload: BenchPayload): number {
  return payload.n + payload.text.length + (payload.rows?.length ?? 0);
}
