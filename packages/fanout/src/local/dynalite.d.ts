/** dynalite ships no types: the part of its API the local cloud uses. */
declare module "dynalite" {
  import type { Server } from "node:http";

  interface DynaliteOptions {
    /** How long a table stays CREATING (and DELETING, UPDATING) before it is ACTIVE. Default 500. */
    readonly createTableMs?: number;
    readonly deleteTableMs?: number;
    readonly updateTableMs?: number;
    /** A LevelDB directory; in memory without one. */
    readonly path?: string;
  }

  export default function dynalite(options?: DynaliteOptions): Server;
}
