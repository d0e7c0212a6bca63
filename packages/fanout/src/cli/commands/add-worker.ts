import type { Command } from "commander";
import type { CommandContext } from "../context.ts";
import { applyPlan, planWorker } from "../scaffold.ts";

export function registerAddWorker(program: Command, context: CommandContext): void {
  program
    .command("add-worker")
    .description("Scaffold a new job type: its registry entry, its handler and a test")
    .argument("<type>", "the new job type: lowercase letters, digits and single hyphens, e.g. resize-image")
    .option("--description <text>", "what a job of this type does (goes into its definition)")
    .addHelpText(
      "after",
      `
Writes <type>.ts beside the registry module fanout.config.ts names (defineJob with a starter schema),
<handlers>/<type>.ts, test/jobs/<type>.test.ts, and adds the job to the registry. A running \`fanout start\`
picks it up after a restart; the next \`npx cdktf deploy\` creates its queue, DLQ, subscription and function.
An invalid name, one that collides with a job type or subscriber, or an existing file is refused, and then
nothing is written.

Example:
  fanout add-worker resize-image --description "Resizes an uploaded image."`,
    )
    .action(async (type: string, options: { description?: string }) => {
      const description = options.description?.trim() || `Runs ${type} jobs.`;
      const { config } = context;
      const plan = await planWorker(config, type, description);
      await applyPlan(config.root, plan);
      const lines = plan.changes.map((c) => `  ${c.action === "create" ? "created" : "updated"} ${c.path}`);
      context.output.result(
        {
          type: plan.type,
          identifier: plan.identifier,
          files: plan.changes.map(({ path, action }) => ({ path, action })),
        },
        [
          `added job type "${plan.type}":`,
          ...lines,
          `next: edit its schema and handler, run npx vitest run test/jobs/${plan.type}.test.ts;`,
          "restart fanout start to run it locally; npx cdktf deploy creates its queue, DLQ, subscription and function.",
        ].join("\n"),
      );
    });
}
