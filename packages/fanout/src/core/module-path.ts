import { fileURLToPath } from "node:url";

/**
 * A file beside the calling module, in its form: `.ts` while Fanout runs from its sources, `.js` once
 * compiled into the package. Paths built with `new URL()` are not rewritten by the compiler as imports are.
 */
export function sibling(relativePath: string, moduleUrl: string): string {
  const extension = moduleUrl.endsWith(".ts") ? ".ts" : ".js";
  return fileURLToPath(new URL(relativePath.replace(/\.ts$/, extension), moduleUrl));
}
