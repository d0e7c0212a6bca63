import { createCatchAllHandler } from "./catch-all.ts";

/** The catch-all's Lambda entry, bundled by the stack and run by the local cloud. */
export const handler = createCatchAllHandler();
