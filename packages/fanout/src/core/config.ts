import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { ConfigurationError, errorMessage } from "./errors.ts";
import type { Registry } from "./registry.ts";

/**
 * What an app tells Fanout about itself, in `fanout.config.ts` at its root: where its registry and handlers
 * are. The CLI, `fanout start`, `fanout add-worker` and the stack all read it.
 */
export interface FanoutConfig {
  /** The module that exports the app's registry (`export const registry = defineRegistry(...)`). */
  readonly registry: string;
  /** The directory of the Lambda entries, one `<job type>.ts` (or `.js`) per job type. */
  readonly handlers: string;
  /** A module exporting `demoJobs()`, the jobs `fanout start --demo` publishes. Optional. */
  readonly demo?: string;
}

export function defineConfig(config: FanoutConfig): FanoutConfig {
  return config;
}

/** A config with its paths resolved against the config file's directory, and the registry loaded. */
export interface LoadedConfig {
  readonly file: string;
  readonly root: string;
  readonly registry: Registry;
  readonly registryModule: string;
  readonly handlersDirectory: string;
  /** The Lambda entry of a job type. */
  handlerPath(jobType: string): string;
  readonly demoModule: string | undefined;
}

export const CONFIG_FILE_NAMES = ["fanout.config.ts", "fanout.config.js", "fanout.config.mjs"];

/** `fanout.config.ts` (or `.js`, `.mjs`) in this directory or the nearest one above it. */
export function findConfigFile(from: string = process.cwd()): string | undefined {
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    const found = CONFIG_FILE_NAMES.map((name) => join(dir, name)).find((file) => existsSync(file));
    if (found) return found;
    if (dirname(dir) === dir) return undefined;
  }
}

async function importModule(file: string, what: string): Promise<Record<string, unknown>> {
  try {
    return (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (error) {
    throw new ConfigurationError(`Cannot load ${what} ${file}: ${errorMessage(error)}`, { cause: error });
  }
}

function isRegistry(value: unknown): value is Registry {
  return typeof value === "object" && value !== null && "app" in value && "jobList" in value;
}

/** Loads the app's config (default: found from `cwd` upward) and the registry it names. */
export async function loadConfig(file?: string, cwd: string = process.cwd()): Promise<LoadedConfig> {
  file = file === undefined ? findConfigFile(cwd) : resolve(cwd, file);
  if (!file) {
    throw new ConfigurationError(
      `No ${CONFIG_FILE_NAMES[0]} here or in a parent directory: create one (see the README, "Use Fanout in your own app"), or pass --config <file>.`,
    );
  }
  const path = resolve(file);
  if (!existsSync(path)) throw new ConfigurationError(`Config file ${path} does not exist.`);
  const config = (await importModule(path, "the config file")).default as FanoutConfig | undefined;
  if (!config || typeof config.registry !== "string" || typeof config.handlers !== "string") {
    throw new ConfigurationError(
      `${path} must export default defineConfig({ registry: "<module>", handlers: "<directory>" }).`,
    );
  }
  const root = dirname(path);
  const registryModule = resolve(root, config.registry);
  const exported = await importModule(registryModule, "the registry module");
  const registry = [exported.registry, exported.default].find(isRegistry);
  if (!registry) {
    throw new ConfigurationError(
      `${registryModule} exports no registry: export const registry = defineRegistry({...}).`,
    );
  }
  const handlersDirectory = resolve(root, config.handlers);
  return {
    file: path,
    root,
    registry,
    registryModule,
    handlersDirectory,
    handlerPath: (jobType) => {
      const candidates = [".ts", ".js", ".mjs"].map((extension) =>
        join(handlersDirectory, `${jobType}${extension}`),
      );
      return candidates.find((candidate) => existsSync(candidate)) ?? (candidates[0] as string);
    },
    demoModule: config.demo === undefined ? undefined : resolve(root, config.demo),
  };
}
