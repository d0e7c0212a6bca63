import { fileURLToPath } from "node:url";
import { Testing } from "cdktf";
import { bundleWorkers } from "../../src/cdktf/bundle.ts";
import { FanoutStack } from "../../src/cdktf/fanout-stack.ts";
import { type Synthesized, synthesizedStack } from "../../src/cdktf/synthesized.ts";
import type { Registry } from "../../src/core/registry.ts";

const STACK_HANDLER = fileURLToPath(new URL("../fixtures/stack-handler.ts", import.meta.url));

/** The stack of a registry as `FanoutStack` synthesizes it in eu-west-1, every handler a stand-in. */
export async function synthesizeRegistry(registry: Registry): Promise<Synthesized> {
  const bundles = await bundleWorkers(registry, { handlerEntry: () => STACK_HANDLER });
  return synthesizedStack(new FanoutStack(Testing.app(), { registry, bundles, region: "eu-west-1" }));
}
