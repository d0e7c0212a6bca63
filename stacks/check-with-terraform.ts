import { checkWithTerraform, findTerraformTools } from "./terraform-check.ts";

/** `npm run stack:check`: validates and plans the stack when Terraform can run offline, and says so if not. */
const tools = findTerraformTools();
if (!tools.available) {
  process.stdout.write(`Did NOT validate the stack with Terraform: ${tools.reason}.\n`);
} else {
  try {
    const results = checkWithTerraform(tools, (line) => process.stdout.write(`- ${line}\n`));
    for (const { planLine, seconds } of results) {
      process.stdout.write(`Terraform validate and plan passed in ${seconds.toFixed(1)} s. ${planLine}\n`);
    }
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  }
}
