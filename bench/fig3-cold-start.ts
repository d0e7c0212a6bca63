import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { destroyAwsClients, functionEnvironment } from "fanout";
import { bundleHandler } from "fanout/cdktf";
import { localAwsEnvironment } from "fanout/local";
import { benchClients } from "./clients.ts";
import { startEmulator } from "./emulator.ts";
import { rotated } from "./run-order.ts";
import { publishAndReceive } from "./sqs-records.ts";
import { median } from "./stats.ts";
import { fmt, printTable, ratio } from "./table.ts";
import { smallJobs } from "./workloads.ts";

export interface ColdStartResult {
  readonly name: string;
  readonly codeBytes: number;
  readonly zipBytes: number;
  readonly importMs: number;
  readonly firstCallMs: number;
  readonly totalMs: number;
}

/** Neither handler publishes follow-ups, so both bundles leave the SNS client out. */
const HANDLERS = [
  { name: "Fanout createJobHandler", entry: "./handlers/fanout.ts" },
  { name: "Powertools batch, full event schema (docs) + S3 GetObject", entry: "./handlers/powertools.ts" },
];
const BASELINE = HANDLERS[1]?.name;
/** Fresh processes per handler; each is cheap, so take the median of many. */
const LOADS = 15;

/**
 * In a fresh process, with the options the stack gives every function: imports the bundle, then invokes it once
 * with a batch of ten records, one of them offloaded, so the first S3 read (its client and its chunk loaded) is
 * part of the figure, as on a real cold start.
 */
function coldStart(file: string, eventFile: string, env: NodeJS.ProcessEnv) {
  const script = `
    import { readFileSync } from "node:fs";
    const event = JSON.parse(readFileSync(${JSON.stringify(eventFile)}, "utf8"));
    const context = { functionName: "bench-job", awsRequestId: "cold", getRemainingTimeInMillis: () => 30000 };
    const t0 = performance.now();
    const m = await import(${JSON.stringify(file)});
    const t1 = performance.now();
    const response = await m.handler(event, context);
    const t2 = performance.now();
    if (response.batchItemFailures.length > 0) throw new Error("records failed: " + JSON.stringify(response));
    process.stdout.write("\\n" + JSON.stringify({ importMs: t1 - t0, firstCallMs: t2 - t1 }));`;
  const run = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8", env });
  if (run.status !== 0) throw new Error(`cold start of ${file} failed: ${run.stderr}`);
  return JSON.parse(run.stdout.trim().split("\n").at(-1) ?? "") as { importMs: number; firstCallMs: number };
}

function filesOf(directory: string): string[] {
  return readdirSync(directory, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(directory, join(entry.parentPath, entry.name)));
}

/**
 * Bundles each handler as the stack ships it (stacks/bundle.ts: esbuild, minified, the AWS SDK bundled, lazily
 * loaded chunks, source maps), zips the whole bundle as Lambda receives it, and cold-starts it against the
 * local cloud: the same records, the same environment, for every handler.
 */
export async function measureColdStart(): Promise<ColdStartResult[]> {
  const root = fileURLToPath(new URL(".cold/", import.meta.url));
  rmSync(root, { recursive: true, force: true });
  mkdirSync(root, { recursive: true });
  const emulator = await startEmulator();
  const clients = benchClients(emulator.endpoint);
  const results: ColdStartResult[] = [];
  try {
    const jobs = smallJobs(10);
    const { records, resources } = await publishAndReceive(clients, jobs.slice(0, 9));
    const offloaded = await publishAndReceive(clients, jobs.slice(9), { alwaysOffload: true });
    const eventFile = join(root, "event.json");
    writeFileSync(eventFile, JSON.stringify({ Records: [...records, ...offloaded.records] }));
    const env = {
      PATH: process.env.PATH,
      ...localAwsEnvironment(emulator.endpoint),
      ...functionEnvironment("bench-job", resources),
    };
    const bundles: {
      handler: (typeof HANDLERS)[number];
      bundle: Awaited<ReturnType<typeof bundleHandler>>;
      dir: string;
      zip: string;
      runs: ReturnType<typeof coldStart>[];
    }[] = [];
    for (const handler of HANDLERS) {
      const bundle = await bundleHandler(fileURLToPath(new URL(handler.entry, import.meta.url)), {
        followUps: false,
      });
      const slug = handler.name.replace(/[^a-z0-9]+/gi, "-");
      const dir = join(root, slug);
      const zip = join(root, `${slug}.zip`);
      cpSync(bundle.directory, dir, { recursive: true });
      execFileSync("zip", ["-X", "-q", zip, ...filesOf(dir)], { cwd: dir });
      // Untimed: brings each bundle's files into the page cache, as the first timed load would for one side only.
      coldStart(join(dir, "index.mjs"), eventFile, env);
      bundles.push({ handler, bundle, dir, zip, runs: [] });
    }
    // Loads alternate between the handlers, so a stretch of a busier machine falls on both sides alike.
    for (let load = 0; load < LOADS; load++) {
      for (const side of rotated(bundles, load)) {
        side.runs.push(coldStart(join(side.dir, "index.mjs"), eventFile, env));
      }
    }
    for (const { handler, bundle, zip, runs } of bundles) {
      results.push({
        name: handler.name,
        codeBytes: bundle.codeBytes,
        zipBytes: statSync(zip).size,
        importMs: median(runs.map((r) => r.importMs)),
        firstCallMs: median(runs.map((r) => r.firstCallMs)),
        totalMs: median(runs.map((r) => r.importMs + r.firstCallMs)),
      });
    }
  } finally {
    destroyAwsClients(clients);
    await emulator.stop();
  }
  return results;
}

export function printColdStart(results: readonly ColdStartResult[]): void {
  const baseline = results.find((r) => r.name === BASELINE);
  printTable(
    `Figure 3. Cold start as deployed: bundle (esbuild, minified, AWS SDK bundled), NODE_OPTIONS=--enable-source-maps, import + first batch of 10 (1 offloaded), median of ${LOADS} fresh processes`,
    [
      "handler",
      "minified KiB",
      "zipped KiB",
      "import ms",
      "first call ms",
      "import + call ms",
      "zip vs baseline",
      "time vs baseline",
    ],
    results.map((r) => [
      r.name,
      fmt(r.codeBytes / 1024, 1),
      fmt(r.zipBytes / 1024, 1),
      fmt(r.importMs, 1),
      fmt(r.firstCallMs, 1),
      fmt(r.totalMs, 1),
      r === baseline ? "" : ratio(r.zipBytes, baseline?.zipBytes ?? Number.NaN),
      r === baseline ? "" : ratio(r.totalMs, baseline?.totalMs ?? Number.NaN),
    ]),
  );
}
