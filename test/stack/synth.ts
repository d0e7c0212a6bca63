import { fileURLToPath } from "node:url";
import { Testing } from "cdktf";
import { defineJob, defineRegistry, type JobDefinition, type Registry } from "fanout";
import { type Synthesized, synthesizedStack } from "fanout/testing";
import { z } from "zod";

export { ref, type Synthesized, type SynthResource } from "fanout/testing";

import { type Bundle, bundleWorkers, FanoutStack, type FanoutStackProps } from "fanout/cdktf";

export const FIXTURE_HANDLER = fileURLToPath(new URL("fixtures/handler.ts", import.meta.url));

export function fixtureBundles(registry: Registry): Promise<ReadonlyMap<string, Bundle>> {
  return bundleWorkers(registry, { handlerEntry: () => FIXTURE_HANDLER });
}

export function synthesize(props: Omit<FanoutStackProps, "region"> & { region?: string }): Synthesized {
  return synthesizedStack(new FanoutStack(Testing.app(), { region: "eu-west-1", ...props }));
}

const payload = z.object({ id: z.string() });

export function testJob(type: string, worker: Partial<JobDefinition["worker"]> = {}): JobDefinition {
  return defineJob({ type, description: `Test job ${type}`, schema: payload, worker });
}

/** A registry unlike the project's: a publisher with custom settings, and subscribers of all or some types. */
export function testRegistry(extraJobs: readonly JobDefinition[] = []): Registry {
  return defineRegistry({
    app: "stacktest",
    jobs: [
      testJob("ingest", {
        timeoutSeconds: 45,
        memoryMb: 512,
        batchSize: 20,
        batchingWindowSeconds: 5,
        publishes: ["index"],
      }),
      testJob("index", { maxReceiveCount: 8, maxConcurrency: 3 }),
      ...extraJobs,
    ],
    subscribers: [
      { name: "archive", jobTypes: "*", description: "Receives everything." },
      { name: "index-log", jobTypes: ["index"], description: "Receives index jobs only." },
    ],
  });
}
