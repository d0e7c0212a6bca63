import { fileURLToPath } from "node:url";

/** Where each reliability job type's Lambda entry lives. */
export function reliabilityHandler(jobType: string): string {
  return fileURLToPath(new URL(`../reliability/fixtures/handlers/${jobType}.ts`, import.meta.url));
}
