import { defineJob, defineRegistry } from "fanout";
import { z } from "zod";

const row = z.object({
  id: z.string(),
  qty: z.number(),
  price: z.number(),
  ok: z.boolean(),
  tags: z.array(z.string()),
});

/**
 * The one job type of the benchmarks: a small record whose size is set by a text field or, for a large job of
 * many short values, by a list of rows.
 */
export const benchJob = defineJob({
  type: "bench-job",
  description: "Benchmark job: a sequence number, the publish time, filler text and optional rows.",
  schema: z.object({
    n: z.number().int(),
    sentAt: z.number(),
    text: z.string(),
    rows: z.array(row).optional(),
  }),
  worker: { batchSize: 10 },
});

export const benchRegistry = defineRegistry({ app: "fanout-bench", jobs: [benchJob], subscribers: [] });

export type BenchRegistry = typeof benchRegistry;
export type BenchPayload = z.input<typeof benchJob.schema>;
