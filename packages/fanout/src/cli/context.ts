import type { Command } from "commander";
import type { LoadedConfig } from "../core/config.ts";
import { ConfigurationError, UsageError } from "../core/errors.ts";
import { UNROUTED } from "../core/naming.ts";
import type { Registry } from "../core/registry.ts";
import { type Connection, type ConnectionOptions, connect } from "./connection.ts";
import type { CliIo } from "./io.ts";
import type { Output } from "./output.ts";

/** What every command gets: the app it works with, its streams, and a way to reach the cloud. */
export interface CommandContext {
  /** The app's registry; reading it without a config (no fanout.config.ts) throws the reason. */
  readonly registry: Registry;
  /** The app's config, for the commands that need its paths (start, add-worker). */
  readonly config: LoadedConfig;
  /** The registry's job types, or none when there is no config (for help texts). */
  knownTypes(): string[];
  readonly io: CliIo;
  readonly output: Output;
  /** Opens a connection from the global options; the caller closes it. */
  connect(command: Command): Connection;
}

/** The app as the CLI found it: a config and its registry, a registry alone (tests), or why there is none. */
export type AppSource =
  | { readonly config: LoadedConfig; readonly registry: Registry }
  | { readonly config: undefined; readonly registry: Registry }
  | { readonly missing: Error };

export function createContext(app: AppSource, io: CliIo, output: Output): CommandContext {
  const registry = (): Registry => {
    if ("missing" in app) throw app.missing;
    return app.registry;
  };
  return {
    get registry() {
      return registry();
    },
    get config() {
      if ("missing" in app) throw app.missing;
      if (!app.config)
        throw new ConfigurationError("This command needs the app's fanout.config.ts; pass --config.");
      return app.config;
    },
    knownTypes: () => ("missing" in app ? [] : jobTypes(app.registry)),
    io,
    output,
    connect: (command) => connect(registry(), command.optsWithGlobals<ConnectionOptions>(), io.env),
  };
}

/** The app's first job type, for help texts' examples. */
export function exampleJobType(context: CommandContext): string {
  return context.knownTypes()[0] ?? "<type>";
}

export function jobTypes(registry: Registry): string[] {
  return registry.jobList.map((j) => j.type);
}

/** A job type of the registry, or a usage error naming the ones that exist. */
export function requireJobType(registry: Registry, type: string): string {
  if (!Object.hasOwn(registry.jobs, type)) {
    throw new UsageError(`Unknown job type "${type}". Known types: ${jobTypes(registry).join(", ")}.`);
  }
  return type;
}

/** A job type, an extra subscriber or `unrouted`: anything with a queue where jobs wait for an operator. */
export function requireHoldingConsumer(registry: Registry, name: string): string {
  if (
    name === UNROUTED ||
    Object.hasOwn(registry.jobs, name) ||
    registry.subscribers.some((s) => s.name === name)
  ) {
    return name;
  }
  const known = [
    ...jobTypes(registry),
    ...registry.subscribers.map((s) => `${s.name} (subscriber)`),
    UNROUTED,
  ];
  throw new UsageError(`Unknown job type "${name}". Known queues: ${known.join(", ")}.`);
}

/** Parses a whole number option, refusing anything else with a usage error. */
export function positiveInteger(option: string, max = Number.MAX_SAFE_INTEGER) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < 1 || n > max) {
      throw new UsageError(`${option} must be a whole number from 1 to ${max}; got "${value}".`);
    }
    return n;
  };
}
