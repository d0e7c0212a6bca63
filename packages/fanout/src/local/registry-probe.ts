import { parentPort, workerData } from "node:worker_threads";
import { loadConfig } from "../core/config.ts";
import { describeTopology } from "../core/topology.ts";
import { LOCAL_PLACEMENT } from "./endpoint.ts";
import { summarizeTopology } from "./topology-changes.ts";

// A thread of its own imports the app's modules afresh: the process that runs `fanout start` has them cached.
const config = await loadConfig(workerData as string);
parentPort?.postMessage(
  summarizeTopology(describeTopology(config.registry, LOCAL_PLACEMENT), config.handlersDirectory),
);
