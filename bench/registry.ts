import { defineJob, defineRegistry } from "fanout";
import { z } from "zod";

/** The one job type of the benchmarks: a small record with a text field whose length sets the job's size. */
export const benchJob = defineJob({
  type: "bench-job",
  description: "Benchmark job: a sequence number, the publish time, and filler text.",
  schema: z.object({ n: z.number().int(), sentAt: z.number(), text: z.string() }),
  worker: { batchSize: 10 },
});

export const benchRegistry = defineRegistry({ app: "fanout-bench", jobs: [benchJob], subscribers: [] });

export type BenchRegistry = typeof benchRegistry;
export type BenchPayload = z.input<typeof benchJob.schema>;
