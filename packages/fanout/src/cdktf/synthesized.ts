import { type TerraformStack, Testing } from "cdktf";

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

/** Synthesizes a stack (cdktf's `Testing.synth`) and indexes its resources and data sources by type. */
export function synthesizedStack(stack: TerraformStack): Synthesized {
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
