import { missingPackage, missingPackageMessage } from "./missing-package.ts";

// Imported here, not at the top: a missing optional peer dependency gets one line that says what to install.
try {
  const { runCli } = await import("./run.ts");
  process.exitCode = await runCli(process.argv.slice(2));
} catch (error) {
  const missing = missingPackage(error);
  if (!missing) throw error;
  process.stderr.write(`fanout: ${missingPackageMessage(missing)}.\n`);
  process.exitCode = 78;
}
