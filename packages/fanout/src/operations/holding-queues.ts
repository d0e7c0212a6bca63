import { UNROUTED } from "../core/naming.ts";
import { readQueues, type Topology } from "../core/topology.ts";

/**
 * A queue where jobs wait for an operator: a consumer's DLQ (its worker gave up), a subscription's DLQ (SNS
 * could not deliver), or the unrouted queue (no worker is subscribed for the type). Each knows where a redrive
 * sends its jobs.
 */
export type HoldingQueue =
  | {
      readonly kind: "dead-letters" | "undelivered";
      readonly consumer: string;
      readonly queueName: string;
      /** The queue a redrive moves the jobs back to. */
      readonly redriveTo: string;
    }
  | {
      readonly kind: "unrouted";
      readonly consumer: typeof UNROUTED;
      readonly queueName: string;
      /** Each job goes to the queue of its own type, once a worker exists for it. */
      readonly redriveTo: "by-type";
    };

export type HoldingKind = HoldingQueue["kind"];

/** The holding queue of a consumer (job type, subscriber or `unrouted`), or undefined for an unknown name. */
export function holdingQueue(
  topology: Topology,
  consumer: string,
  undelivered: boolean,
): HoldingQueue | undefined {
  if (consumer === UNROUTED) {
    const unrouted = topology.unrouted;
    return undelivered
      ? { kind: "undelivered", consumer, queueName: unrouted.deliveryDlqName, redriveTo: unrouted.queueName }
      : { kind: "unrouted", consumer, queueName: unrouted.queueName, redriveTo: "by-type" };
  }
  const queue = readQueues(topology).find((q) => q.consumer === consumer);
  if (!queue) return undefined;
  return undelivered
    ? { kind: "undelivered", consumer, queueName: queue.deliveryDlqName, redriveTo: queue.queueName }
    : { kind: "dead-letters", consumer, queueName: queue.dlqName, redriveTo: queue.queueName };
}

/** Every holding queue of the topology, in the order `fanout status` lists the queues. */
export function holdingQueues(topology: Topology): HoldingQueue[] {
  return [...readQueues(topology).map((q) => q.consumer), UNROUTED].flatMap((consumer) =>
    [false, true].map((undelivered) => holdingQueue(topology, consumer, undelivered) as HoldingQueue),
  );
}

/** Where SNS or the consumer put a job, in words for an operator. */
export function describeHolding(holding: HoldingQueue): string {
  switch (holding.kind) {
    case "dead-letters":
      return `dead letters of ${holding.consumer}`;
    case "undelivered":
      return `jobs SNS could not deliver to ${holding.redriveTo}`;
    case "unrouted":
      return "jobs of a type no worker is subscribed for";
  }
}
