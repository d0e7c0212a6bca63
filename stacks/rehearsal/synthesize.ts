import { cpSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { stackDirectories } from "../terraform-check.ts";
import { runCommand } from "./child-process.ts";
import { type RemovedResources, removeExcludedResources, type TerraformJson } from "./exclusions.ts";
import { OVERRIDE_FILE, rehearsalOverride, servicesUsed } from "./provider-override.ts";

const REPO_ROOT = fileURLToPath(new URL("../..", import.meta.url));
/** The region of moto's resources and of the checks' clients. */
export const REHEARSAL_REGION = "us-east-1";

/**
 * Settings that would change what is synthesized away from what a user deploys, or send the provider to real
 * AWS. The rehearsal points the provider at moto itself, in the override file.
 */
const DROPPED_VARIABLES = /^(FANOUT_FAKE_CREDENTIALS|AWS_.*|TF_VAR_.*)$/;

export function withoutAwsSettings(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([name]) => !DROPPED_VARIABLES.test(name)));
}

export interface PreparedStack {
  /** The rehearsal's copy of the synthesized stack, where Terraform runs. */
  readonly directory: string;
  readonly removed: readonly RemovedResources[];
  readonly services: readonly string[];
}

/**
 * Synthesizes stacks/main.ts as `terraform-check.ts` does (a fresh process, the outdir from CDKTF_OUTDIR), but
 * without FANOUT_FAKE_CREDENTIALS: moto answers the account look-up, so the stack is synthesized exactly as for
 * a deploy. Then copies the stack directory and edits only the copy, leaving the synthesized stack untouched.
 */
export async function synthesizeForRehearsal(options: {
  readonly workdir: string;
  readonly stackName: string;
  readonly endpoint: string;
  readonly env: NodeJS.ProcessEnv;
}): Promise<PreparedStack> {
  const outdir = join(options.workdir, "cdktf.out");
  await runCommand(process.execPath, [join(REPO_ROOT, "stacks", "main.ts")], {
    cwd: REPO_ROOT,
    env: { ...withoutAwsSettings(options.env), CDKTF_OUTDIR: outdir, AWS_REGION: REHEARSAL_REGION },
    timeoutMs: 300_000,
  });
  const stacks = stackDirectories(outdir);
  const synthesized = stacks.get(options.stackName);
  if (!synthesized) {
    throw new Error(
      `stacks/main.ts synthesized no stack named "${options.stackName}" (it synthesized: ${[...stacks.keys()].join(", ") || "none"}).`,
    );
  }
  const directory = join(options.workdir, "rehearsal", options.stackName);
  cpSync(synthesized, directory, { recursive: true });

  const stackFile = join(directory, "cdk.tf.json");
  const config = JSON.parse(readFileSync(stackFile, "utf8")) as TerraformJson;
  const removed = removeExcludedResources(config);
  writeFileSync(stackFile, `${JSON.stringify(config, null, 2)}\n`);
  const override = rehearsalOverride(config, options.endpoint, join(options.workdir, "terraform.tfstate"));
  writeFileSync(join(directory, OVERRIDE_FILE), `${JSON.stringify(override, null, 2)}\n`);
  return { directory, removed, services: servicesUsed(config) };
}
