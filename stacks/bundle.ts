import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build, type Plugin } from "esbuild";
import type { Registry } from "../shared/registry.ts";
import { filterSourceMap } from "./source-map.ts";

/** The Lambda handler setting that matches the bundle's file name. */
export const BUNDLE_HANDLER = "index.handler";
const CODE_FILE = "index.mjs";
const MAP_FILE = `${CODE_FILE}.map`;

export interface Bundle {
  /** A directory holding only the bundle and its source map, ready to be zipped. */
  readonly directory: string;
  /** Bytes of the minified bundle and of its source map, before zipping. */
  readonly codeBytes: number;
  readonly mapBytes: number;
}

/**
 * The `nodejs22.x` runtime ships AWS SDK v3 (every `@aws-sdk/*` package, with its `@smithy/*` dependencies);
 * bundling it again would quadruple each function's size. The cost is that functions run the runtime's SDK
 * version rather than the pinned one, as with the AWS CDK's default for Node.js functions.
 */
const PROVIDED_BY_RUNTIME = ["@aws-sdk/*"];

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
export function bundleHandler(entry: string): Promise<Bundle> {
  const entryPath = resolve(entry);
  let bundle = cache.get(entryPath);
  if (!bundle) {
    bundle = buildBundle(entryPath);
    cache.set(entryPath, bundle);
  }
  return bundle;
}

async function buildBundle(entryPath: string): Promise<Bundle> {
  const result = await build({
    entryPoints: [entryPath],
    outfile: CODE_FILE,
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
    external: PROVIDED_BY_RUNTIME,
    plugins: [englishZodLocalesOnly],
    // Some CommonJS dependencies call `require` for Node built-ins, which ES modules lack.
    banner: { js: 'import{createRequire}from"node:module";const require=createRequire(import.meta.url);' },
    logLevel: "silent",
  });
  const code = result.outputFiles.find((file) => file.path.endsWith(CODE_FILE));
  const map = result.outputFiles.find((file) => file.path.endsWith(MAP_FILE));
  if (!code || !map) throw new Error(`esbuild produced no ${CODE_FILE} and ${MAP_FILE} for ${entryPath}`);
  const files = {
    [CODE_FILE]: Buffer.from(code.contents),
    [MAP_FILE]: Buffer.from(filterSourceMap(map.text, (source) => !source.includes("node_modules/"))),
  };

  const hash = createHash("sha256");
  for (const [name, contents] of Object.entries(files)) hash.update(name).update(contents);
  const root = join(tmpdir(), "fanout-bundles");
  const directory = join(root, hash.digest("hex").slice(0, 24));
  if (!existsSync(directory)) {
    mkdirSync(root, { recursive: true });
    const staging = mkdtempSync(`${directory}.`);
    for (const [name, contents] of Object.entries(files)) {
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
  return { directory, codeBytes: files[CODE_FILE].byteLength, mapBytes: files[MAP_FILE].byteLength };
}

export function defaultHandlerEntry(jobType: string): string {
  return fileURLToPath(new URL(`../handlers/${jobType}.ts`, import.meta.url));
}

/** The bundle of every job type's handler, keyed by job type, built in parallel. */
export async function bundleWorkers(
  registry: Registry,
  handlerEntry: (jobType: string) => string = defaultHandlerEntry,
): Promise<ReadonlyMap<string, Bundle>> {
  const types = registry.jobList.map((job) => job.type);
  const bundles = await Promise.all(types.map((type) => bundleHandler(handlerEntry(type))));
  return new Map(types.map((type, i) => [type, bundles[i] as Bundle]));
}
