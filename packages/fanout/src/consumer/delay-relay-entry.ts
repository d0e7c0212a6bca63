import { createDelayRelay } from "./delay-relay.ts";

/** The delay relay's Lambda entry, bundled by the stack and run by the local cloud. */
export const handler = createDelayRelay();
