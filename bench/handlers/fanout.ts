import { createJobHandler, type JobHandlerOptions } from "fanout";
import { benchRegistry } from "../registry.ts";
import { work } from "./work.ts";

/** The Fanout consumer of the benchmarks, written as every handler in `handlers/` is. */
export function fanoutHandler(options: JobHandlerOptions = {}) {
  return createJobHandler(
    benchRegistry,
    "bench-job",
    async (payload) => {
      work(payload);
    },
    options,
  );
}

export const handler = fanoutHandler();
