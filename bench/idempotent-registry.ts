import { defineRegistry } from "fanout";
import { benchJob } from "./registry.ts";

/** The bench job type with `idempotency` declared: the same job, run at most once per job id. */
export const idempotentBenchRegistry = defineRegistry({
  app: "fanout-bench",
  jobs: [{ ...benchJob, idempotency: { ttlSeconds: 3600 } }],
  subscribers: [],
});
