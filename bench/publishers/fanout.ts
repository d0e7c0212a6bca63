import { destroyAwsClients, PayloadStore, Publisher } from "fanout";
import { benchClients } from "../clients.ts";
import { benchRegistry } from "../registry.ts";
import { type Contender, PEER_CONCURRENCY } from "./types.ts";

/** Fanout's `publishMany`: validated, packed 10 to a `PublishBatch`, large payloads offloaded first. */
export const fanout: Contender = {
  name: "Fanout publishMany",
  kind: "fanout",
  async create(target) {
    const clients = benchClients(target.endpoint, target.counter);
    const publisher = new Publisher({
      registry: benchRegistry,
      sns: clients.sns,
      payloads: new PayloadStore({ s3: clients.s3, bucket: target.bucket }),
      topicArn: target.topicArn,
      concurrency: PEER_CONCURRENCY,
    });
    return {
      async publishAll(jobs) {
        const outcomes = await publisher.publishMany(jobs.map((payload) => ({ type: "bench-job", payload })));
        const failed = outcomes.find((o) => !o.ok);
        if (failed && !failed.ok) throw failed.error;
      },
      close: async () => destroyAwsClients(clients),
    };
  },
};
