import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import { describeTopology } from "fanout";
import { registry } from "../../shared/jobs/index.ts";
import { findTerraformTools, type TerraformTools } from "../terraform-check.ts";
import { type CheckOutcome, runChecks } from "./check-runner.ts";
import { CHECK_SUITES } from "./check-suites.ts";
import { createRehearsalClients, destroyRehearsalClients } from "./clients.ts";
import { emptyBucket, emptyBucketCommand } from "./empty-bucket.ts";
import { REHEARSAL_EXCLUSIONS, type RemovedResources } from "./exclusions.ts";
import { leftoverChecks } from "./leftover-checks.ts";
import { findMotoServer, MOTO_INSTALL_HINT, startMotoServer } from "./moto-server.ts";
import { REHEARSAL_REGION, synthesizeForRehearsal } from "./synthesize.ts";
import { stringOutput, Terraform, type TerraformOutputs } from "./terraform.ts";

export interface Phase {
  readonly name: string;
  readonly seconds: number;
}

export interface RehearsalResult {
  readonly status: "passed" | "failed" | "skipped";
  /** Why it was skipped, or the failure that stopped it (failed checks alone do not stop it). */
  readonly reason?: string;
  readonly checks: readonly CheckOutcome[];
  readonly failedChecks: number;
  readonly phases: readonly Phase[];
  readonly totalSeconds: number;
  readonly outputs?: TerraformOutputs;
  readonly removed: readonly RemovedResources[];
}

export interface RehearsalOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly print?: (line: string) => void;
  /** Keep the temporary directory (synthesized stack, override, state) for a look after the run. */
  readonly keepWorkdir?: boolean;
}

/** `CI` set to anything but an explicit no. */
export function isCi(env: NodeJS.ProcessEnv = process.env): boolean {
  const value = env.CI?.trim().toLowerCase();
  return Boolean(value) && value !== "0" && value !== "false";
}

export type Prerequisites =
  | {
      readonly ready: true;
      readonly motoServer: string;
      readonly tools: Extract<TerraformTools, { available: true }>;
    }
  | { readonly ready: false; readonly reason: string };

export function rehearsalPrerequisites(env: NodeJS.ProcessEnv = process.env): Prerequisites {
  const motoServer = findMotoServer(env);
  if (!motoServer) return { ready: false, reason: `moto_server is not on PATH (${MOTO_INSTALL_HINT})` };
  const tools = findTerraformTools(env);
  if (!tools.available) return { ready: false, reason: tools.reason };
  return { ready: true, motoServer, tools };
}

/**
 * Applies the synthesized stack to a private moto_server with real Terraform, runs the checks against it,
 * destroys it and checks nothing is left. Never throws: every outcome is in the result.
 */
export async function rehearse(options: RehearsalOptions = {}): Promise<RehearsalResult> {
  const env = options.env ?? process.env;
  const print = options.print ?? ((line: string) => process.stdout.write(`${line}\n`));
  const started = performance.now();
  const phases: Phase[] = [];
  const checks: CheckOutcome[] = [];
  let removed: readonly RemovedResources[] = [];
  let outputs: TerraformOutputs | undefined;
  const finish = (status: RehearsalResult["status"], reason?: string): RehearsalResult => {
    const failedChecks = checks.filter((c) => !c.passed).length;
    return {
      status: status === "passed" && failedChecks > 0 ? "failed" : status,
      ...(reason ? { reason } : {}),
      checks,
      failedChecks,
      phases,
      totalSeconds: (performance.now() - started) / 1000,
      ...(outputs ? { outputs } : {}),
      removed,
    };
  };
  const timed = async <T>(name: string, work: () => Promise<T>): Promise<T> => {
    const phaseStarted = performance.now();
    print(`- ${name}`);
    try {
      return await work();
    } finally {
      phases.push({ name, seconds: (performance.now() - phaseStarted) / 1000 });
    }
  };

  const prerequisites = rehearsalPrerequisites(env);
  if (!prerequisites.ready) {
    if (isCi(env)) {
      print(`Rehearsal FAILED: ${prerequisites.reason}, and CI is set, so it may not be skipped.`);
      return finish("failed", prerequisites.reason);
    }
    print(`Rehearsal skipped: ${prerequisites.reason}.`);
    return finish("skipped", prerequisites.reason);
  }

  print(
    "Left out of the rehearsal, because moto 5.2.1 cannot apply them or work with them (deployed stacks keep them):",
  );
  for (const { type, reason } of REHEARSAL_EXCLUSIONS) print(`  ${type}: ${reason}`);

  const workdir = mkdtempSync(join(tmpdir(), "fanout-rehearsal-"));
  try {
    const moto = await timed("start moto_server", () => startMotoServer(prerequisites.motoServer));
    print(`  moto_server answers on ${moto.endpoint}`);
    try {
      const prepared = await timed("synthesize stacks/main.ts", () =>
        synthesizeForRehearsal({ workdir, stackName: registry.app, endpoint: moto.endpoint, env }),
      );
      removed = prepared.removed;
      for (const { type, addresses } of prepared.removed) print(`  removed ${addresses.length} × ${type}`);
      print(`  provider endpoints for: ${prepared.services.join(", ")}`);

      const terraform = new Terraform(prerequisites.tools, prepared.directory, workdir);
      await timed("terraform init", () => terraform.init());
      await timed("terraform apply", () => terraform.apply());
      const applied = await timed("terraform output", () => terraform.outputs());
      outputs = applied;

      const clients = createRehearsalClients(moto.endpoint);
      try {
        await timed("checks", async () => {
          const { Account } = await clients.sts.send(new GetCallerIdentityCommand({}));
          if (!Account) throw new Error("moto's STS returned no account id");
          const topology = describeTopology(registry, { accountId: Account, region: REHEARSAL_REGION });
          const suites = CHECK_SUITES.flatMap((suite) => suite({ registry, topology }));
          checks.push(
            ...(await runChecks(suites, { outputs: applied, endpoint: moto.endpoint, clients }, print)),
          );
        });
        const bucket = stringOutput(applied, "bucket-name");
        const emptied = await timed("empty the payload bucket", () => emptyBucket(clients.s3, bucket));
        print(`  removed ${emptied} objects, as \`${emptyBucketCommand(bucket)}\` would`);
        await timed("terraform destroy", () => terraform.destroy());
        await timed("leftover checks", async () => {
          const after = leftoverChecks(registry.app, REHEARSAL_REGION);
          checks.push(
            ...(await runChecks(after, { outputs: applied, endpoint: moto.endpoint, clients }, print)),
          );
        });
      } finally {
        destroyRehearsalClients(clients);
      }
    } finally {
      await moto.stop();
    }
    return finish("passed");
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    print(`Rehearsal stopped: ${reason}`);
    return finish("failed", reason);
  } finally {
    if (options.keepWorkdir) print(`  kept ${workdir}`);
    else rmSync(workdir, { recursive: true, force: true });
  }
}
