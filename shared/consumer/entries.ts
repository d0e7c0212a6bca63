import { fileURLToPath } from "node:url";

/** The Lambda entry of the catch-all (see `CatchAllTopology`): the stack bundles it, the local cloud runs it. */
export const CATCH_ALL_ENTRY = fileURLToPath(new URL("./catch-all-entry.ts", import.meta.url));
