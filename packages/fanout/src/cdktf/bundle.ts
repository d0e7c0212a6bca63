import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build, type Metafile, type Plugin } from "esbuild";
import { CATCH_ALL_ENTRY, DELAY_RELAY_ENTRY } from "../consumer/entries.ts";
import { ConfigurationError } from "../core/errors.ts";
import { CATCH_ALL, DELAYED } from "../core/naming.ts";
import type { Registry } from "../core/registry.ts";
import { filterSourceMap } from "./source-map.ts";

/** The Lambda handler setting that matches the bundle's entry file name. */
export const BUNDLE_HANDLER = "index.handler";
const CODE_FILE = "index.mjs";
const TRACER_PACKAGE = "@aws-lambda-powertools/tracer";
const IDEMPOTENCY_PACKAGE = "@aws-lambda-powertools/idempotency";
/** What Powertools' DynamoDB persistence imports: optional peers, installed by apps with an idempotent type. */
const DYNAMODB_PACKAGES = ["@aws-sdk/client-dynamodb", "@aws-sdk/lib-dynamodb"];

export interface Bundle {
  /** A directory holding only the bundle (its entry, lazily loaded chunks, source maps), ready to be zipped. */
  readonly directory: string;
  /** Bytes of the minified code (every file) and of the source maps, before zipping. */
  readonly codeBytes: number;
  readonly mapBytes: number;
}

export interface BundleOptions {
  /**
   * Bundle the pinned AWS SDK clients (tree-shaken, each in a chunk loaded when first used). Default true. With
   * false, `@aws-sdk/*` is left to the `nodejs22.x` runtime: smaller zips, but functions run whatever SDK version
   * the runtime ships, and a package it does not ship (`@aws-sdk/lib-storage`) fails at run time.
   */
  readonly bundleAwsSdk?: boolean;
  /**
   * Whether the job type publishes follow-ups. Default true. A bundle built with false leaves out the
   * publisher and the SNS client (the job context refuses every follow-up of such a type anyway).
   */
  readonly followUps?: boolean;
  /**
   * Whether the job type declares `idempotency` (`bundleWorkers` says so per type). Default false: the bundle
   * leaves out Powertools Idempotency and the DynamoDB client, which an idempotent type needs installed.
   */
  readonly idempotency?: boolean;
  /**
   * Whether the function traces with X-Ray (the registry's `tracing`). Default false: the bundle leaves out
   * Powertools Tracer and the X-Ray SDK.
   */
  readonly tracing?: boolean;
}

/** The variable the job handler reads to know its bundle carries no publisher. */
export const FOLLOW_UPS_VARIABLE = "FANOUT_FOLLOW_UPS";
/** The variable the job handler reads to know its bundle carries no idempotency. */
export const IDEMPOTENCY_VARIABLE = "FANOUT_IDEMPOTENCY";
/** The variable the job handler reads to know its bundle carries no tracer. */
export const TRACING_VARIABLE = "FANOUT_TRACING";

interface BundleSettings {
  readonly bundleAwsSdk: boolean;
  readonly followUps: boolean;
  readonly idempotency: boolean;
  readonly tracing: boolean;
}

/**
 * Zod's classic API re-exports every message locale (about 260 KB minified) through `z.locales`; the
 * handlers only use the English messages that Zod installs by default, so the other locales are left out.
 */
const englishZodLocalesOnly: Plugin = {
  name: "english-zod-locales-only",
  setup(on) {
    on.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      /[\\/]zod[\\/]v4[\\/]/.test(args.importer)
        ? { path: resolve(args.resolveDir, "../locales/en.js"), namespace: "zod-locales" }
        : undefined,
    );
    on.onLoad({ filter: /.*/, namespace: "zod-locales" }, (args) => ({
      contents: `export { default as en } from ${JSON.stringify(args.path)};`,
      resolveDir: dirname(args.path),
      loader: "js",
    }));
  },
};

/**
 * The zip that cdktf builds stores each file's modification time, and Lambda's `source_code_hash` is the
 * zip's SHA-256. A fixed time makes the zip depend on the code alone, so a fresh checkout does not
 * redeploy unchanged functions.
 */
const FIXED_MTIME = new Date("2000-01-01T00:00:00Z");

const cache = new Map<string, Promise<Bundle>>();

/**
 * Bundles a handler entry into one minified ES module for the `nodejs22.x` runtime. Each entry is built
 * once per process, into a directory named after the output's hash, so repeated synths (and tests that
 * synthesize several registries) reuse it and concurrent builds of the same code cannot collide.
 */
export function bundleHandler(entry: string, options: BundleOptions = {}): Promise<Bundle> {
  const entryPath = resolve(entry);
  const settings: BundleSettings = {
    bundleAwsSdk: options.bundleAwsSdk ?? true,
    followUps: options.followUps ?? true,
    idempotency: options.idempotency ?? false,
    tracing: options.tracing ?? false,
  };
  const cacheKey = [
    entryPath,
    settings.bundleAwsSdk,
    settings.followUps,
    settings.idempotency,
    settings.tracing,
  ].join("\0");
  let bundle = cache.get(cacheKey);
  if (!bundle) {
    bundle = buildBundle(entryPath, settings);
    cache.set(cacheKey, bundle);
  }
  return bundle;
}

/**
 * esbuild writes a chunk for every dynamic import it finds, also where the code that imports it was removed as
 * dead (a compiled-out branch, the AWS SDK's browser-only user-agent parser): only the chunks the entry can
 * reach go into the zip.
 */
function reachableOutputs(metafile: Metafile, entry: string): Set<string> {
  const reached = new Set<string>();
  const visit = (path: string) => {
    if (reached.has(path)) return;
    reached.add(path);
    reached.add(`${path}.map`);
    for (const imported of metafile.outputs[path]?.imports ?? []) {
      if (!imported.external) visit(imported.path);
    }
  };
  visit(entry);
  return reached;
}

/** Fanout's own directory, wherever it is installed (src/cdktf or dist/cdktf are two levels down). */
const LIBRARY_ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** Frames in the app's code keep their file and line; Fanout's are mapped like any library's, not at all. */
function isAppSource(path: string): boolean {
  return !path.includes("/node_modules/") && !path.startsWith(LIBRARY_ROOT);
}

/**
 * What a bundle compiles out: the publisher without follow-ups, Powertools Idempotency and the DynamoDB client
 * for a type that is not idempotent, the tracer without tracing.
 */
function compiledOut(settings: BundleSettings): Record<string, string> {
  return {
    ...(settings.followUps ? {} : { [`process.env.${FOLLOW_UPS_VARIABLE}`]: '"none"' }),
    ...(settings.idempotency ? {} : { [`process.env.${IDEMPOTENCY_VARIABLE}`]: '"off"' }),
    ...(settings.tracing ? {} : { [`process.env.${TRACING_VARIABLE}`]: '"off"' }),
  };
}

async function buildBundle(entryPath: string, settings: BundleSettings): Promise<Bundle> {
  if (settings.tracing) requireTracer();
  if (settings.idempotency) requireDynamoDbClients();
  const result = await build({
    entryPoints: { index: entryPath },
    outdir: "/",
    outExtension: { ".js": ".mjs" },
    // The consumer imports an SDK client only when it needs it (S3 for an offloaded job, SQS for a failure):
    // each such import becomes a chunk that a cold start does not load.
    splitting: true,
    chunkNames: "chunks/[name]-[hash]",
    bundle: true,
    write: false,
    platform: "node",
    target: "node22",
    format: "esm",
    // ES module builds of dependencies tree-shake far better than their CommonJS builds.
    mainFields: ["module", "main"],
    minify: true,
    // Stack traces are mapped back to line numbers (NODE_OPTIONS=--enable-source-maps); the sources
    // themselves live in the repository, and leaving them out keeps the map small.
    sourcemap: "linked",
    sourcesContent: false,
    legalComments: "none",
    // Without tracing the tracer's import is compiled out: an app need not install it to build.
    external: [
      ...(settings.bundleAwsSdk ? [] : ["@aws-sdk/*"]),
      ...(settings.tracing ? [] : [TRACER_PACKAGE]),
      // esbuild resolves a compiled-out dynamic import too: without idempotency the DynamoDB client need not exist.
      ...(settings.idempotency ? [] : [IDEMPOTENCY_PACKAGE]),
    ],
    define: compiledOut(settings),
    metafile: true,
    plugins: [englishZodLocalesOnly],
    // Some CommonJS dependencies call `require` for Node built-ins, which ES modules lack.
    banner: { js: 'import{createRequire}from"node:module";const require=createRequire(import.meta.url);' },
    logLevel: "silent",
  });
  const { outputFiles = [], metafile } = result;
  if (!metafile || !outputFiles.some((file) => file.path === `/${CODE_FILE}`)) {
    throw new Error(`esbuild produced no ${CODE_FILE} for ${entryPath}`);
  }
  const files: Record<string, Buffer> = {};
  let codeBytes = 0;
  let mapBytes = 0;
  // The metafile names outputs relative to the working directory, the output files by absolute path.
  const relativeToCwd = (path: string) => relative(process.cwd(), path);
  const reachable = reachableOutputs(metafile, relativeToCwd(`/${CODE_FILE}`));
  for (const file of outputFiles) {
    if (!reachable.has(relativeToCwd(file.path))) continue;
    const name = file.path.slice(1);
    if (name.endsWith(".map")) {
      const mapDirectory = dirname(file.path);
      files[name] = Buffer.from(
        filterSourceMap(file.text, (source) => isAppSource(resolve(mapDirectory, source))),
      );
      mapBytes += files[name].byteLength;
    } else {
      files[name] = Buffer.from(file.contents);
      codeBytes += files[name].byteLength;
    }
  }

  const hash = createHash("sha256");
  for (const [name, contents] of Object.entries(files)) hash.update(name).update(contents);
  const root = join(tmpdir(), "fanout-bundles");
  const directory = join(root, hash.digest("hex").slice(0, 24));
  if (!existsSync(directory)) {
    mkdirSync(root, { recursive: true });
    const staging = mkdtempSync(`${directory}.`);
    for (const [name, contents] of Object.entries(files)) {
      mkdirSync(dirname(join(staging, name)), { recursive: true });
      writeFileSync(join(staging, name), contents);
      utimesSync(join(staging, name), FIXED_MTIME, FIXED_MTIME);
    }
    try {
      renameSync(staging, directory);
    } catch {
      // Another process published the same bundle first; its files are identical.
      rmSync(staging, { recursive: true, force: true });
    }
  }
  return { directory, codeBytes, mapBytes };
}

/** The tracer is an optional peer: an app that turns tracing on installs it, and is told so at synth. */
function requireTracer(): void {
  try {
    import.meta.resolve(TRACER_PACKAGE);
  } catch {
    throw new ConfigurationError(
      `The registry traces (tracing: true), which needs ${TRACER_PACKAGE}: run npm install ${TRACER_PACKAGE}@2.35.0, or turn tracing off.`,
    );
  }
}

/** The DynamoDB clients are optional peers: an app with an idempotent job type installs them, and is told so at synth. */
function requireDynamoDbClients(): void {
  const missing = DYNAMODB_PACKAGES.filter((name) => {
    try {
      import.meta.resolve(name);
      return false;
    } catch {
      return true;
    }
  });
  if (missing.length > 0) {
    throw new ConfigurationError(
      `A job type of the registry is idempotent, which needs ${missing.join(" and ")}: run npm install ${missing.join(" ")}, or remove its idempotency.`,
    );
  }
}

/** The bundle of every job type's handler, keyed by job type, the catch-all's and the delay relay's, built in parallel. */
export async function bundleWorkers(
  registry: Registry,
  options: BundleOptions & {
    /** The Lambda entry of a job type; `loadConfig()` gives it as `handlerPath`. */
    readonly handlerEntry: (jobType: string) => string;
  },
): Promise<ReadonlyMap<string, Bundle>> {
  const { handlerEntry } = options;
  const entries: [string, string, boolean, boolean][] = registry.jobList.map((job) => [
    job.type,
    handlerEntry(job.type),
    job.worker.publishes.length > 0,
    job.idempotency !== undefined,
  ]);
  if (registry.keepMessagesWithoutAttributes) entries.push([CATCH_ALL, CATCH_ALL_ENTRY, false, false]);
  // The relay publishes due jobs to the topic: it needs the SNS client.
  entries.push([DELAYED, DELAY_RELAY_ENTRY, true, false]);
  const bundles = await Promise.all(
    entries.map(([, entry, followUps, idempotency]) =>
      bundleHandler(entry, { ...options, followUps, idempotency, tracing: registry.tracing }),
    ),
  );
  return new Map(entries.map(([name], i) => [name, bundles[i] as Bundle]));
}
