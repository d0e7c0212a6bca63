import { PayloadStore } from "../core/payload-store.ts";
import type { LocalFanout } from "../local/local-fanout.ts";
import { type Dashboard, type DashboardOptions, startDashboard } from "./dashboard.ts";

export type LocalDashboardOptions = Pick<
  DashboardOptions,
  "allowActions" | "host" | "port" | "sampleIntervalMs" | "ageIntervalMs"
>;

/**
 * The dashboard of a running local Fanout: its queues are known from provisioning (no lookups), and its
 * runners report every outcome. Actions are allowed unless `allowActions: false`: it is the local cloud.
 */
export function startLocalDashboard(
  fanout: LocalFanout,
  options: LocalDashboardOptions = {},
): Promise<Dashboard> {
  const addresses = fanout.provisioned.addresses;
  return startDashboard({
    topology: fanout.topology,
    reader: {
      sqs: fanout.clients.sqs,
      queue: async (name) => {
        const address = addresses.get(name);
        if (!address) throw new Error(`Queue ${name} was not provisioned by this local Fanout.`);
        return address;
      },
    },
    payloads: new PayloadStore({ s3: fanout.clients.s3, bucket: fanout.provisioned.bucket }),
    topicArn: async () => fanout.provisioned.topicArn,
    target: "local",
    endpoint: fanout.cloud.endpoint,
    runners: fanout.runners.values(),
    schedules: fanout.scheduler.schedules,
    scheduler: fanout.scheduler,
    ...options,
    allowActions: options.allowActions ?? true,
  });
}
