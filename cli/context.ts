import type { Command } from "commander";
import { UNROUTED } from "../shared/naming.ts";
import type { Registry } from "../shared/registry.ts";
import { type Connection, type ConnectionOptions, connect } from "./connection.ts";
import { UsageError } from "./exit-codes.ts";
import type { CliIo } from "./io.ts";
import type { Output } from "./output.ts";

/** What every command gets: the registry it works with, its streams, and a way to reach the cloud. */
export interface CommandContext {
  readonly registry: Registry;
  readonly io: CliIo;
  readonly output: Output;
  /** Opens a connection from the global options; the caller closes it. */
  connect(command: Command): Connection;
}

export function createContext(registry: Registry, io: CliIo, output: Output): CommandContext {
  return {
    registry,
    io,
    output,
    connect: (command) => connect(registry, command.optsWithGlobals<ConnectionOptions>(), io.env),
  };
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
