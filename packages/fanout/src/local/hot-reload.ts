import { type Dirent, type FSWatcher, readdirSync, statSync, watch } from "node:fs";
import { basename, dirname, extname, join, relative, sep } from "node:path";
import { Worker } from "node:worker_threads";
import type { LoadedConfig } from "../core/config.ts";
import { errorMessage } from "../core/errors.ts";
import { sibling } from "../core/module-path.ts";
import type { LocalFanout } from "./local-fanout.ts";
import { summarizeTopology, type TopologySummary, topologyChanges } from "./topology-changes.ts";

/** What one reload did, for the operator: one line each. */
export type ReloadReport =
  | { readonly kind: "reloaded"; readonly file: string; readonly jobTypes: readonly string[] }
  | {
      readonly kind: "reload-failed";
      readonly file: string;
      readonly jobTypes: readonly string[];
      readonly error: string;
    }
  /** The registry now describes queues the running local cloud lacks: provisioning happens at start only. */
  | { readonly kind: "restart-needed"; readonly file: string; readonly changes: readonly string[] };

/** Where an app's code is, as the watcher tells its files apart. */
export interface AppLayout {
  readonly configFile: string;
  readonly registryDirectory: string;
  readonly handlersDirectory: string;
  readonly jobTypes: readonly string[];
}

export type AppChange =
  /** A job type's own entry, `handlers/<type>.ts`. */
  | { readonly kind: "handler"; readonly jobType: string }
  /** Any other module in the handlers directory: any handler may import it. */
  | { readonly kind: "handlers" }
  /** The config, or a module beside the registry's: the topology may have changed, and every handler with it. */
  | { readonly kind: "registry" };

const IGNORED_DIRECTORIES = new Set(["node_modules", "dist"]);

/** A subdirectory of the handlers whose modules a handler may import. */
function watchable(directoryName: string): boolean {
  return !IGNORED_DIRECTORIES.has(directoryName) && !directoryName.startsWith(".");
}

function isDirectory(path: string): boolean {
  return statSync(path, { throwIfNoEntry: false })?.isDirectory() ?? false;
}

const CODE_EXTENSIONS = new Set([".ts", ".mts", ".cts", ".js", ".mjs", ".cjs", ".json"]);

/** What a changed file means for the running workers; undefined for files that are not code (editors' temporary files among them). */
export function classifyChange(file: string, layout: AppLayout): AppChange | undefined {
  if (file === layout.configFile) return { kind: "registry" };
  const name = basename(file);
  if (name.startsWith(".") || !CODE_EXTENSIONS.has(extname(name))) return undefined;
  const inHandlers = file.startsWith(`${layout.handlersDirectory}${sep}`);
  const jobType = name.slice(0, -extname(name).length);
  if (inHandlers && dirname(file) === layout.handlersDirectory && layout.jobTypes.includes(jobType)) {
    return { kind: "handler", jobType };
  }
  if (dirname(file) === layout.registryDirectory) return { kind: "registry" };
  if (inHandlers) return { kind: "handlers" };
  return undefined;
}

/** Loads the app's config and registry in a thread of their own, as they are on disk now. */
function probeRegistry(configFile: string): Promise<TopologySummary> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(sibling("./registry-probe.ts", import.meta.url), { workerData: configFile });
    worker.once("message", (summary: TopologySummary) => {
      resolve(summary);
      void worker.terminate();
    });
    worker.once("error", reject);
    worker.once("exit", (code) => reject(new Error(`the registry probe exited with code ${code}`)));
  });
}

export interface HotReloadOptions {
  readonly fanout: LocalFanout;
  readonly config: LoadedConfig;
  readonly report: (report: ReloadReport) => void;
  /** How long the files must be quiet before a reload: an editor's save is several events. Default 100 ms. */
  readonly debounceMs?: number;
}

export interface HotReload {
  /** What is watched, relative to the app: directories (with a slash) and the config file. */
  readonly watching: readonly string[];
  /** Stops watching, after the reload under way, if any. */
  close(): Promise<void>;
}

/**
 * Watches the app's handlers, its registry and its config, and reloads the workers whose code changed: the
 * next batch runs the code on disk, a batch in hand finishes on the code it started with (see
 * `LambdaSandbox.reload`). A registry change that the running topology cannot follow (a job type added or
 * removed, a worker's queue settings) is reported as needing a restart; the handlers are reloaded all the same.
 */
export function watchApp(options: HotReloadOptions): HotReload {
  const { fanout, config, report } = options;
  const root = config.root;
  const jobTypes = fanout.topology.workers.map((w) => w.consumer);
  const layout: AppLayout = {
    configFile: config.file,
    registryDirectory: dirname(config.registryModule),
    handlersDirectory: config.handlersDirectory,
    jobTypes,
  };
  const running = summarizeTopology(fanout.topology, config.handlersDirectory);
  const display = (file: string) => relative(root, file).split(sep).join("/") || ".";
  const changed = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let applying: Promise<void> = Promise.resolve();

  const reload = async (file: string, types: readonly string[]) => {
    const results = await Promise.allSettled(
      types.map((type) => fanout.runners.get(type)?.reload() ?? Promise.resolve()),
    );
    const reloaded = types.filter((_, i) => results[i]?.status === "fulfilled");
    if (reloaded.length > 0) report({ kind: "reloaded", file, jobTypes: reloaded });
    const failures = new Map<string, string[]>();
    results.forEach((result, i) => {
      if (result.status === "fulfilled") return;
      const error = errorMessage(result.reason);
      failures.set(error, [...(failures.get(error) ?? []), types[i] as string]);
    });
    for (const [error, failed] of failures) report({ kind: "reload-failed", file, jobTypes: failed, error });
  };

  const apply = async (files: readonly string[]) => {
    const changes = files.flatMap((file) => {
      const change = classifyChange(file, layout);
      return change ? [{ file, change }] : [];
    });
    const registry = changes.filter((c) => c.change.kind === "registry").map((c) => display(c.file));
    const shared = changes.filter((c) => c.change.kind === "handlers").map((c) => display(c.file));
    if (registry.length > 0) {
      const file = registry.join(", ");
      let summary: TopologySummary;
      try {
        summary = await probeRegistry(config.file);
      } catch (error) {
        report({ kind: "reload-failed", file, jobTypes, error: errorMessage(error) });
        return;
      }
      const needed = topologyChanges(running, summary);
      if (needed.length > 0) report({ kind: "restart-needed", file, changes: needed });
    }
    if (registry.length > 0 || shared.length > 0) {
      await reload([...registry, ...shared].join(", "), jobTypes);
      return;
    }
    for (const { file, change } of changes) {
      if (change.kind === "handler") await reload(display(file), [change.jobType]);
    }
  };

  const flush = () => {
    timer = undefined;
    const files = [...changed];
    changed.clear();
    applying = applying
      .then(() => apply(files))
      .catch((error: unknown) =>
        report({
          kind: "reload-failed",
          file: files.map(display).join(", "),
          jobTypes,
          error: errorMessage(error),
        }),
      );
  };

  const watchers = new Map<string, FSWatcher>();
  const watching: string[] = [];
  const onChange = (file: string) => {
    changed.add(file);
    clearTimeout(timer);
    timer = setTimeout(flush, options.debounceMs ?? 100);
  };
  // One watcher per directory, not `recursive`: on Linux that follows files, not directories, and loses a
  // file an editor saves by renaming a new one over it.
  const watchDirectory = (directory: string, subdirectories: boolean) => {
    if (watchers.has(directory)) return;
    let watcher: FSWatcher;
    try {
      watcher = watch(directory, (_event, name) => {
        if (name === null) return;
        const file = join(directory, name.toString());
        if (subdirectories && isDirectory(file)) {
          if (watchable(name.toString())) watchTree(file);
        } else onChange(file);
      });
    } catch {
      return; // A directory that does not exist (no handlers yet) has nothing to reload.
    }
    // A watched directory that goes away ends its watcher, not `fanout start`.
    watcher.on("error", () => {
      watcher.close();
      watchers.delete(directory);
    });
    watchers.set(directory, watcher);
  };
  const watchTree = (directory: string) => {
    watchDirectory(directory, true);
    let entries: Dirent[];
    try {
      entries = readdirSync(directory, { withFileTypes: true });
    } catch {
      return; // Gone again already.
    }
    for (const entry of entries) {
      if (entry.isDirectory() && watchable(entry.name)) {
        watchTree(join(directory, entry.name));
      }
    }
  };
  // The whole tree only below the app's root: the root's would take in node_modules.
  if (layout.handlersDirectory !== root && isDirectory(layout.handlersDirectory)) {
    watchTree(layout.handlersDirectory);
  } else {
    watchDirectory(layout.handlersDirectory, false);
  }
  if (watchers.has(layout.handlersDirectory)) watching.push(`${display(layout.handlersDirectory)}/`);
  if (!watchers.has(layout.registryDirectory)) {
    watchDirectory(layout.registryDirectory, false);
    watching.push(`${display(layout.registryDirectory)}/`);
  }
  watchDirectory(dirname(config.file), false);
  watching.push(display(config.file));

  return {
    watching,
    close: async () => {
      for (const watcher of watchers.values()) watcher.close();
      clearTimeout(timer);
      await applying;
    },
  };
}
