import type { RequestCounter } from "../counter.ts";
import type { BenchPayload } from "../registry.ts";

/** What every publisher under test is given: the same local cloud, topic, bucket and request counter. */
export interface PublishTarget {
  readonly endpoint: string;
  readonly topicArn: string;
  readonly bucket: string;
  readonly counter: RequestCounter;
}

export interface PublisherUnderTest {
  /** Publishes every job; throws if any was not accepted. */
  publishAll(jobs: readonly BenchPayload[]): Promise<void>;
  close(): Promise<void>;
}

export interface Contender {
  readonly name: string;
  /** The peer it stands for, shown in the tables. */
  readonly kind: "fanout" | "peer" | "floor";
  create(target: PublishTarget): Promise<PublisherUnderTest>;
}

/** The single-publish peers publish at this concurrency, as the reference figures do. */
export const PEER_CONCURRENCY = 10;
