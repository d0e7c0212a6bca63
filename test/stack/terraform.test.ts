import { describe, expect, it } from "vitest";
import { checkWithTerraform, findTerraformTools } from "../../stacks/terraform-check.ts";

const tools = findTerraformTools();
const title = "terraform init, validate and plan accept the synthesized stack";

describe("Terraform", () => {
  // Reported as skipped, with the reason in its name, where Terraform or the provider mirror is missing.
  it.skipIf(!tools.available)(
    tools.available ? title : `${title} (skipped: ${tools.reason})`,
    async ({ annotate }) => {
      if (!tools.available) return;
      const [result, ...others] = checkWithTerraform(tools);
      expect(others).toEqual([]);
      expect(result?.planLine).toMatch(/^Plan: \d+ to add, 0 to change, 0 to destroy\.$/);
      await annotate(`${result?.planLine} (${result?.seconds.toFixed(1)} s)`);
      process.stdout.write(`${result?.planLine}\n`);
    },
    180_000,
  );
});
