import { sibling } from "../core/module-path.ts";

/** The Lambda entry of the catch-all (see `CatchAllTopology`): the stack bundles it, the local cloud runs it. */
export const CATCH_ALL_ENTRY = sibling("./catch-all-entry.ts", import.meta.url);

/** The Lambda entry of the delay relay (see `DelayTopology`). */
export const DELAY_RELAY_ENTRY = sibling("./delay-relay-entry.ts", import.meta.url);
