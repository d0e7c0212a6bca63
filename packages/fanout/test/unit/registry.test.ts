import { describe, expect, it } from "vitest";
import { z } from "zod";
import { RegistryError } from "../../src/core/errors.ts";
import { defineJob, defineRegistry, WORKER_DEFAULTS } from "../../src/core/registry.ts";

const schema = z.object({ id: z.string() });

describe("job registry", () => {
  it("fills worker settings from documented defaults", () => {
    const job = defineJob({ type: "resize-image", description: "", schema, worker: { timeoutSeconds: 60 } });
    expect(job.worker).toEqual({ ...WORKER_DEFAULTS, timeoutSeconds: 60 });
    expect(job.worker.maxReceiveCount).toBe(5);
  });

  it.each([
    ["Resize", "uppercase"],
    ["resize_image", "underscore"],
    ["9lives", "leading digit"],
    ["resize--image", "double hyphen"],
    ["resize-", "trailing hyphen"],
    ["x".repeat(41), "too long for Lambda and SQS names"],
  ])("refuses the job type name %j (%s) with a message saying what is allowed", (type) => {
    expect(() => defineJob({ type, description: "", schema })).toThrow(
      /is not a valid name: use 2 to 40 lowercase letters, digits and single hyphens/,
    );
  });

  it("refuses worker settings AWS would refuse, naming the field and the range", () => {
    expect(() =>
      defineJob({ type: "slow", description: "", schema, worker: { timeoutSeconds: 901 } }),
    ).toThrow("worker.timeoutSeconds is 901; use a whole number from 1 to 900");
    expect(() => defineJob({ type: "big", description: "", schema, worker: { batchSize: 50 } })).toThrow(
      /batchSize above 10 needs batchingWindowSeconds/,
    );
  });

  it("refuses duplicate types, unknown follow-ups and subscribers of unknown types", () => {
    const a = defineJob({ type: "a-job", description: "", schema, worker: { publishes: ["b-job"] } });
    expect(() => defineRegistry({ app: "app", jobs: [a, a] })).toThrow(RegistryError);
    expect(() => defineRegistry({ app: "app", jobs: [a] })).toThrow(
      /publishes "b-job", which is not in the registry/,
    );
    const b = defineJob({ type: "b-job", description: "", schema });
    expect(() =>
      defineRegistry({
        app: "app",
        jobs: [a, b],
        subscribers: [{ name: "audit", jobTypes: ["c-job"], description: "" }],
      }),
    ).toThrow(/lists "c-job", which is not a job type/);
  });
});
