import { type Phase, rehearse } from "./rehearse.ts";

/**
 * `npm run stack:rehearse`: apply the stack to moto_server, check it, destroy it. Set FANOUT_REHEARSAL_KEEP=1
 * to keep the temporary directory (stack copy, override file, state) for inspection.
 */

// A signal ends the process without its "exit" event, which is what stops moto_server and Terraform.
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => process.exit(signal === "SIGINT" ? 130 : 143));
}

const result = await rehearse({ keepWorkdir: process.env.FANOUT_REHEARSAL_KEEP === "1" });

const seconds = (name: string) => {
  const phase = result.phases.find((p: Phase) => p.name === name);
  return phase ? `${phase.seconds.toFixed(1)} s` : "not run";
};
if (result.phases.length > 0) {
  const others = result.phases
    .filter((p) => !["terraform apply", "checks", "terraform destroy"].includes(p.name))
    .map((p) => `${p.name} ${p.seconds.toFixed(1)} s`)
    .join(", ");
  process.stdout.write(
    `\nRehearsal ${result.status.toUpperCase()}: ${result.checks.length} checks, ${result.failedChecks} failed. ` +
      `apply ${seconds("terraform apply")}, checks ${seconds("checks")}, destroy ${seconds("terraform destroy")}, ` +
      `total ${result.totalSeconds.toFixed(1)} s (${others}).\n`,
  );
}
process.exitCode = result.status === "failed" ? 1 : 0;
