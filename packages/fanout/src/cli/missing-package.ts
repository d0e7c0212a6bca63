import { errorMessage } from "../core/errors.ts";

/**
 * The npm package an import failed to find, when that is why it failed. The CLI's optional peer dependencies
 * (the local cloud's emulator, the operator's AWS clients) are left to the app to install; a missing one is
 * reported with the command that installs it instead of Node's stack trace.
 */
export function missingPackage(error: unknown): string | undefined {
  if ((error as { code?: string }).code !== "ERR_MODULE_NOT_FOUND") return undefined;
  const specifier = /Cannot find package '([^']+)'/.exec(errorMessage(error))?.[1];
  if (!specifier || specifier.startsWith(".") || specifier.startsWith("/")) return undefined;
  const [scopeOrName = "", name] = specifier.split("/");
  return scopeOrName.startsWith("@") && name ? `${scopeOrName}/${name}` : scopeOrName;
}

export function missingPackageMessage(name: string): string {
  return `This command needs the package ${name}, which this app has not installed: npm install --save-dev ${name}`;
}
