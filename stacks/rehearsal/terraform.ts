import { join } from "node:path";
import { type TerraformTools, writeMirrorConfig } from "../terraform-check.ts";
import { runCommand } from "./child-process.ts";
import { withoutAwsSettings } from "./synthesize.ts";

export type TerraformOutputs = Readonly<Record<string, unknown>>;

/**
 * A resource that takes longer than this against moto is waiting for something moto never answers; the
 * slowest that do finish (queues and their policies, which the provider polls until six reads agree) take
 * under a minute each.
 */
const APPLY_TIMEOUT_MS = 10 * 60_000;
const DESTROY_TIMEOUT_MS = 10 * 60_000;

/** Addresses Terraform has started creating or destroying and not yet finished, from its progress lines. */
function inFlightTracker() {
  const busy = new Set<string>();
  return {
    onLine(line: string) {
      const started = /^(\S+): (Creating|Destroying|Modifying)\.\.\./.exec(line);
      if (started?.[1]) busy.add(started[1]);
      const finished = /^(\S+): (Creation|Destruction|Modifications) complete/.exec(line);
      if (finished?.[1]) busy.delete(finished[1]);
    },
    describe: () =>
      busy.size === 0
        ? ""
        : `Still in progress: ${[...busy].join(", ")}. If moto cannot handle their type, list it in REHEARSAL_EXCLUSIONS (stacks/rehearsal/exclusions.ts) with the reason.`,
  };
}

/** Terraform in the rehearsal's copy of the stack, with the provider from the offline mirror. */
export class Terraform {
  readonly #tools: Extract<TerraformTools, { available: true }>;
  readonly #directory: string;
  readonly #env: NodeJS.ProcessEnv;

  constructor(tools: Extract<TerraformTools, { available: true }>, directory: string, workdir: string) {
    this.#tools = tools;
    this.#directory = directory;
    const cliConfig = join(workdir, "terraform.rc");
    writeMirrorConfig(cliConfig, tools.mirror);
    this.#env = {
      // Credentials, profiles and endpoint variables of the machine must not reach the provider.
      ...withoutAwsSettings(process.env),
      TF_CLI_CONFIG_FILE: cliConfig,
      TF_IN_AUTOMATION: "1",
      TF_INPUT: "0",
      CHECKPOINT_DISABLE: "1",
      AWS_EC2_METADATA_DISABLED: "true",
    };
  }

  async #run(args: readonly string[], timeoutMs: number): Promise<{ output: string; stdout: string }> {
    const tracker = inFlightTracker();
    return runCommand(this.#tools.terraform, [...args, "-no-color"], {
      cwd: this.#directory,
      env: this.#env,
      timeoutMs,
      onLine: tracker.onLine,
      describeTimeout: tracker.describe,
    });
  }

  async init(): Promise<void> {
    await this.#run(["init", "-input=false"], 120_000);
  }

  async apply(): Promise<void> {
    await this.#run(["apply", "-auto-approve", "-input=false"], APPLY_TIMEOUT_MS);
  }

  async outputs(): Promise<TerraformOutputs> {
    const json = JSON.parse((await this.#run(["output", "-json"], 60_000)).stdout) as Record<
      string,
      { value: unknown }
    >;
    return Object.fromEntries(Object.entries(json).map(([name, output]) => [name, output.value]));
  }

  async destroy(): Promise<void> {
    await this.#run(["destroy", "-auto-approve", "-input=false"], DESTROY_TIMEOUT_MS);
  }
}

/** A string output the checks need, or a clear failure when the stack stopped producing it. */
export function stringOutput(outputs: TerraformOutputs, name: string): string {
  const value = outputs[name];
  if (typeof value !== "string" || value === "") {
    throw new Error(`The stack has no output "${name}" (outputs: ${Object.keys(outputs).join(", ")}).`);
  }
  return value;
}
