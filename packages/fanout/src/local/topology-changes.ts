import type { Topology } from "../core/topology.ts";

/** What of a topology needs provisioning, in a form that crosses threads and compares as text. */
export interface TopologySummary {
  readonly handlersDirectory: string;
  /** Per job type, its worker's queues and function settings as JSON. */
  readonly workers: Readonly<Record<string, string>>;
  /** The topic, the subscribers, the unrouted queue and the rest, as JSON. */
  readonly rest: string;
}

/** Schemas are code, not topology: a schema change is picked up by reloading the handlers. */
const withoutSchemas = (key: string, value: unknown) => (key === "schema" ? undefined : value);

export function summarizeTopology(topology: Topology, handlersDirectory: string): TopologySummary {
  const { workers, ...rest } = topology;
  return {
    handlersDirectory,
    workers: Object.fromEntries(workers.map((w) => [w.consumer, JSON.stringify(w, withoutSchemas)])),
    rest: JSON.stringify(rest, withoutSchemas),
  };
}

/** What `after` changes that only provisioning (a restart of `fanout start`) applies; empty when nothing. */
export function topologyChanges(before: TopologySummary, after: TopologySummary): string[] {
  const types = (summary: TopologySummary) => Object.keys(summary.workers);
  const added = types(after).filter((type) => !(type in before.workers));
  const removed = types(before).filter((type) => !(type in after.workers));
  const changed = types(after).filter(
    (type) => type in before.workers && before.workers[type] !== after.workers[type],
  );
  const changes = [
    ...(added.length > 0 ? [`adds ${added.join(", ")}`] : []),
    ...(removed.length > 0 ? [`removes ${removed.join(", ")}`] : []),
    ...(changed.length > 0 ? [`changes the worker settings of ${changed.join(", ")}`] : []),
    ...(before.handlersDirectory !== after.handlersDirectory ? ["moves the handlers directory"] : []),
  ];
  // The unrouted queue's filter names every type: it changes with the types, and saying so adds nothing.
  if (added.length === 0 && removed.length === 0 && before.rest !== after.rest) {
    changes.push("changes the topic, the subscribers or the registry's settings");
  }
  return changes;
}
