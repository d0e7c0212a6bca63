import { spawnSync } from "node:child_process";
import { accessSync, constants, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { homedir, tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * Validates and plans the synthesized stack with a real Terraform and AWS provider, without network or AWS
 * access: the provider comes from a local filesystem mirror, and the stack is synthesized with fake
 * credentials (FANOUT_FAKE_CREDENTIALS=1).
 */

export type TerraformTools =
  | {
      readonly available: true;
      readonly terraform: string;
      readonly mirror: string;
      readonly providerVersion: string;
    }
  | { readonly available: false; readonly reason: string };

export interface CheckResult {
  /** Terraform's own summary, e.g. "Plan: 64 to add, 0 to change, 0 to destroy." */
  readonly planLine: string;
  readonly seconds: number;
}

const REPO_ROOT = fileURLToPath(new URL("..", import.meta.url));
export const PROVIDER = "registry.terraform.io/hashicorp/aws";

function wellKnownMirrors(env: NodeJS.ProcessEnv): string[] {
  return [
    ...(env.TF_PROVIDER_MIRROR ? [env.TF_PROVIDER_MIRROR] : []),
    "/opt/tf-plugins",
    join(homedir(), ".terraform.d", "plugins"),
    "/usr/local/share/terraform/plugins",
    "/usr/share/terraform/plugins",
  ];
}

/** The AWS provider version the generated bindings were built for, which the synthesized stack pins. */
function pinnedProviderVersion(): string {
  const manifest = createRequire(import.meta.url).resolve("@cdktf/provider-aws/package.json");
  return (JSON.parse(readFileSync(manifest, "utf8")) as { cdktf: { provider: { version: string } } }).cdktf
    .provider.version;
}

function terraformPlatform(): string {
  const arch =
    { x64: "amd64", arm64: "arm64", ia32: "386", arm: "arm" }[process.arch as string] ?? process.arch;
  return `${process.platform}_${arch}`;
}

export function findOnPath(command: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  for (const dir of (env.PATH ?? "").split(delimiter).filter(Boolean)) {
    const candidate = join(dir, command);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not in this directory.
    }
  }
  return undefined;
}

/** A mirror may hold the provider unpacked (a directory) or packed (the release zip). */
function mirrorHolds(mirror: string, version: string, platform: string): boolean {
  const base = join(mirror, PROVIDER);
  return (
    existsSync(join(base, version, platform)) ||
    existsSync(join(base, `terraform-provider-aws_${version}_${platform}.zip`))
  );
}

export function findTerraformTools(env: NodeJS.ProcessEnv = process.env): TerraformTools {
  const terraform = findOnPath("terraform", env);
  if (!terraform) return { available: false, reason: "no terraform binary on PATH" };
  const providerVersion = pinnedProviderVersion();
  const platform = terraformPlatform();
  const candidates = wellKnownMirrors(env);
  const mirror = candidates.find((dir) => mirrorHolds(dir, providerVersion, platform));
  if (!mirror) {
    return {
      available: false,
      reason: `no filesystem mirror holds ${PROVIDER} ${providerVersion} for ${platform} (looked in ${candidates.join(", ")}; set TF_PROVIDER_MIRROR)`,
    };
  }
  return { available: true, terraform, mirror, providerVersion };
}

function run(command: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv): string {
  const result = spawnSync(command, args, { cwd, env, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  const output = `${result.stdout ?? ""}${result.stderr ?? ""}`;
  if (result.error) throw new Error(`${command} ${args.join(" ")} could not run: ${result.error.message}`);
  if (result.status !== 0)
    throw new Error(`${command} ${args.join(" ")} failed (exit ${result.status}):\n${output}`);
  return output;
}

/** The synthesized stacks' directories, by stack name, from cdktf's manifest. */
export function stackDirectories(outdir: string): Map<string, string> {
  const manifest = JSON.parse(readFileSync(join(outdir, "manifest.json"), "utf8")) as {
    stacks: Record<string, { name: string; workingDirectory: string }>;
  };
  return new Map(
    Object.values(manifest.stacks).map((stack) => [stack.name, join(outdir, stack.workingDirectory)]),
  );
}

/** A Terraform CLI configuration that installs the AWS provider from the offline mirror only. */
export function writeMirrorConfig(file: string, mirror: string): void {
  writeFileSync(
    file,
    `provider_installation {\n  filesystem_mirror {\n    path    = ${JSON.stringify(mirror)}\n    include = ["${PROVIDER}"]\n  }\n}\n`,
  );
}

/**
 * Synthesizes `stacks/main.ts` (which bundles the handlers and writes the Lambda zips that the plan reads),
 * then runs `terraform init`, `validate` and `plan` on every stack it produced.
 */
export function checkWithTerraform(
  tools: Extract<TerraformTools, { available: true }>,
  log: (line: string) => void = () => {},
): CheckResult[] {
  const started = performance.now();
  const workdir = mkdtempSync(join(tmpdir(), "fanout-terraform-check-"));
  try {
    const outdir = join(workdir, "cdktf.out");
    const cliConfig = join(workdir, "terraform.rc");
    writeMirrorConfig(cliConfig, tools.mirror);
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      FANOUT_FAKE_CREDENTIALS: "1",
      CDKTF_OUTDIR: outdir,
      TF_CLI_CONFIG_FILE: cliConfig,
      TF_IN_AUTOMATION: "1",
      TF_INPUT: "0",
      CHECKPOINT_DISABLE: "1",
      AWS_EC2_METADATA_DISABLED: "true",
    };
    log(`synthesizing stacks/main.ts into ${outdir}`);
    run(process.execPath, [join(REPO_ROOT, "stacks", "main.ts")], REPO_ROOT, env);

    return [...stackDirectories(outdir).values()].map((dir) => {
      log(`terraform init (provider mirror ${tools.mirror})`);
      run(tools.terraform, ["init", "-input=false", "-no-color"], dir, env);
      log("terraform validate");
      run(tools.terraform, ["validate", "-no-color"], dir, env);
      log("terraform plan");
      const plan = run(tools.terraform, ["plan", "-input=false", "-no-color", "-lock=false"], dir, env);
      const planLine = plan.split("\n").find((line) => line.startsWith("Plan: "));
      if (!planLine) throw new Error(`terraform plan printed no "Plan:" line:\n${plan}`);
      return { planLine, seconds: (performance.now() - started) / 1000 };
    });
  } finally {
    rmSync(workdir, { recursive: true, force: true });
  }
}
