import { execFileSync, spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { bundleHandler } from "../stacks/bundle.ts";
import { median } from "./stats.ts";
import { fmt, printTable, ratio } from "./table.ts";

export interface ColdStartResult {
  readonly name: string;
  readonly codeBytes: number;
  readonly zipBytes: number;
  readonly loadMs: number;
  readonly processMs: number;
}

const HANDLERS = [
  { name: "Fanout bench handler", entry: "./handlers/fanout.ts" },
  { name: "Fanout check-order (handlers/)", entry: "../handlers/check-order.ts" },
  { name: "Powertools batch + parser (docs)", entry: "./handlers/powertools.ts" },
];
/** Fresh processes per handler; loading is cheap, so take the median of many. */
const LOADS = 15;

/**
 * Loads the bundle in a fresh Node process and reports how long `import()` took and how long since the
 * process started. `@aws-sdk/*` is left out of the bundle (the Lambda runtime provides it), so it is
 * resolved from node_modules here, as the runtime resolves it from its own copy.
 */
function loadOnce(file: string): { loadMs: number; processMs: number } {
  const script = `const t=performance.now();const m=await import(${JSON.stringify(file)});if(typeof m.handler!=="function")throw new Error("no handler");process.stdout.write(JSON.stringify({loadMs:performance.now()-t,processMs:performance.now()}));`;
  const run = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" });
  if (run.status !== 0) throw new Error(`loading ${file} failed: ${run.stderr}`);
  return JSON.parse(run.stdout) as { loadMs: number; processMs: number };
}

/** Bundles each handler as the stack does (stacks/bundle.ts), zips it as Lambda receives it, and loads it. */
export async function measureColdStart(): Promise<ColdStartResult[]> {
  const results: ColdStartResult[] = [];
  const root = fileURLToPath(new URL("./.cold/", import.meta.url));
  rmSync(root, { recursive: true, force: true });
  for (const handler of HANDLERS) {
    const bundle = await bundleHandler(fileURLToPath(new URL(handler.entry, import.meta.url)));
    const dir = join(root, handler.name.replace(/[^a-z0-9]+/gi, "-"));
    mkdirSync(dir, { recursive: true });
    for (const file of ["index.mjs", "index.mjs.map"])
      copyFileSync(join(bundle.directory, file), join(dir, file));
    execFileSync("zip", ["-X", "-q", "bundle.zip", "index.mjs", "index.mjs.map"], { cwd: dir });
    const loads = Array.from({ length: LOADS }, () => loadOnce(join(dir, "index.mjs")));
    results.push({
      name: handler.name,
      codeBytes: bundle.codeBytes,
      zipBytes: statSync(join(dir, "bundle.zip")).size,
      loadMs: median(loads.map((l) => l.loadMs)),
      processMs: median(loads.map((l) => l.processMs)),
    });
  }
  return results;
}

export function printColdStart(results: readonly ColdStartResult[]): void {
  const baseline = results.find((r) => r.name.startsWith("Powertools"));
  printTable(
    `Figure 3. Cold start: bundle (esbuild, minified, @aws-sdk/* external) and load in a fresh process, median of ${LOADS}`,
    ["handler", "minified KiB", "zipped KiB", "import ms", "process start→loaded ms", "load vs baseline"],
    results.map((r) => [
      r.name,
      fmt(r.codeBytes / 1024, 1),
      fmt(r.zipBytes / 1024, 1),
      fmt(r.loadMs, 1),
      fmt(r.processMs, 1),
      r === baseline ? "" : ratio(r.loadMs, baseline?.loadMs ?? Number.NaN),
    ]),
  );
}
