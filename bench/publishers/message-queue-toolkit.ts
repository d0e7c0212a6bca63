import type { SNSClient } from "@aws-sdk/client-sns";
import type { STSClient } from "@aws-sdk/client-sts";
import { S3PayloadStore } from "@message-queue-toolkit/s3-payload-store";
import { AbstractSnsPublisher } from "@message-queue-toolkit/sns";
import pLimit from "p-limit";
import { z } from "zod";
import { benchAggregatedS3, benchClients, benchSts } from "../clients.ts";
import type { Contender } from "./types.ts";
import { PEER_CONCURRENCY } from "./types.ts";

/** The toolkit's messages carry their id, type and timestamp; the job's fields sit beside them. */
const benchMessageSchema = z.object({
  id: z.string(),
  type: z.literal("bench-job"),
  timestamp: z.string().optional(),
  n: z.number().int(),
  sentAt: z.number(),
  text: z.string(),
});
type BenchMessage = z.infer<typeof benchMessageSchema>;

const silent = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  trace() {},
  fatal() {},
  silent() {},
  level: "silent",
};

/** A publisher class as the toolkit's README shows: a subclass of `AbstractSnsPublisher` with its schemas. */
class BenchPublisher extends AbstractSnsPublisher<BenchMessage> {
  constructor(snsClient: SNSClient, stsClient: STSClient, topicArn: string, payloadStore: S3PayloadStore) {
    super(
      {
        snsClient,
        stsClient,
        logger: silent as never,
        errorReporter: { report: () => {} },
      },
      {
        messageSchemas: [benchMessageSchema],
        messageTypeResolver: { messageTypePath: "type" },
        locatorConfig: { topicArn },
        payloadStoreConfig: { store: payloadStore, storeName: "s3", messageSizeThreshold: 256 * 1024 },
      },
    );
  }
}

export const messageQueueToolkit: Contender = {
  name: "message-queue-toolkit",
  kind: "peer",
  async create(target) {
    const clients = benchClients(target.endpoint, target.counter);
    const sts = benchSts(target.endpoint);
    const store = new S3PayloadStore(
      { s3: benchAggregatedS3(target.endpoint, target.counter) },
      { bucketName: target.bucket },
    );
    const publisher = new BenchPublisher(clients.sns, sts, target.topicArn, store);
    await publisher.init();
    target.counter.reset(); // init's GetTopicAttributes is set-up, not publishing
    return {
      async publishAll(jobs) {
        await pLimit(PEER_CONCURRENCY).map(jobs, (job) =>
          publisher.publish({ id: crypto.randomUUID(), type: "bench-job", ...job }),
        );
      },
      close: async () => {
        await publisher.close();
      },
    };
  },
};
