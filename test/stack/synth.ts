import { fileURLToPath } from "node:url";
import { Testing } from "cdktf";
import { z } from "zod";
import { defineJob, defineRegistry, type JobDefinition, type Registry } from "../../shared/registry.ts";
import { type Bundle, bundleWorkers } from "../../stacks/bundle.ts";
import { FanoutStack, type FanoutStackProps } from "../../stacks/fanout-stack.ts";

/** A resource or data source of a synthesized stack, with its Terraform address. */
export interface SynthResource {
  readonly address: string;
  readonly type: string;
  readonly config: Record<string, unknown>;
}

export interface Synthesized {
  readonly json: Record<string, Record<string, Record<string, Record<string, unknown>>>>;
  readonly resources: readonly SynthResource[];
  /** Resources of one type, optionally narrowed by a predicate on their configuration. */
  of(type: string, where?: (config: Record<string, unknown>) => boolean): SynthResource[];
  /** The one resource of a type whose configuration satisfies the predicate. */
  one(type: string, where: (config: Record<string, unknown>) => boolean): SynthResource;
  /** The resource a `${type.name.attr}` reference points at. */
  target(reference: unknown): SynthResource;
}

export const FIXTURE_HANDLER = fileURLToPath(new URL("fixtures/handler.ts", import.meta.url));

export function fixtureBundles(registry: Registry): Promise<ReadonlyMap<string, Bundle>> {
  return bundleWorkers(registry, { handlerEntry: () => FIXTURE_HANDLER });
}

export function synthesize(props: Omit<FanoutStackProps, "region"> & { region?: string }): Synthesized {
  const stack = new FanoutStack(Testing.app(), { region: "eu-west-1", ...props });
  const json = JSON.parse(Testing.synth(stack)) as Synthesized["json"];
  const resources: SynthResource[] = [];
  for (const [kind, prefix] of [
    ["resource", ""],
    ["data", "data."],
  ] as const) {
    for (const [type, byName] of Object.entries(json[kind] ?? {})) {
      for (const [name, config] of Object.entries(byName)) {
        resources.push({ address: `${prefix}${type}.${name}`, type, config });
      }
    }
  }
  const of = (type: string, where: (config: Record<string, unknown>) => boolean = () => true) =>
    resources.filter((r) => r.type === type && where(r.config));
  return {
    json,
    resources,
    of,
    one(type, where) {
      const found = of(type, where);
      if (found.length !== 1) throw new Error(`Expected one ${type} matching, found ${found.length}`);
      return found[0] as SynthResource;
    },
    target(reference) {
      const match = /^\$\{((?:data\.)?[a-z0-9_]+\.[A-Za-z0-9_-]+)\.[a-z_]+\}$/.exec(String(reference));
      const found = match && resources.find((r) => r.address === match[1]);
      if (!found) throw new Error(`${String(reference)} does not refer to a resource of the stack`);
      return found;
    },
  };
}

/** `${aws_x.name.attr}` for a resource. */
export function ref(resource: SynthResource, attribute: string): string {
  return `\${${resource.address}.${attribute}}`;
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
