import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

// The collector, reachable without starting the bench with --expose-gc.
setFlagsFromString("--expose-gc");
const collect = runInNewContext("gc") as () => void;

/**
 * A full collection before a timed run, so that no run pays for the garbage of the runs before it (the first
 * run after the warm-up would otherwise collect the warm-up's large payloads on its own time).
 */
export function settle(): void {
  collect();
}
