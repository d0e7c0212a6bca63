import type { Message, SQSClient } from "@aws-sdk/client-sqs";
import { JOB_TYPE_ATTRIBUTE } from "../core/claim-check.ts";
import { looksLikeEnvelope } from "../core/envelope.ts";
import type { Topology } from "../core/topology.ts";
import type { HoldingQueue } from "./holding-queues.ts";
import type { QueueAddress, QueueLookup } from "./queue-address.ts";
import { moveMessages, type RedriveOptions, type RedriveResult, redrive } from "./redrive.ts";

export interface HoldingRedriveResult extends RedriveResult {
  /** Jobs that stayed because no worker queue exists for their type (or they carry none). */
  readonly left: number;
}

/** The job type a message names: its `jobType` attribute, or the type inside a Fanout envelope. */
export function jobTypeOf(message: Message): string | undefined {
  const attribute = message.MessageAttributes?.[JOB_TYPE_ATTRIBUTE]?.StringValue;
  if (attribute !== undefined) return attribute;
  const body = message.Body ?? "";
  if (!looksLikeEnvelope(body)) return undefined;
  try {
    const type = (JSON.parse(body) as { type?: unknown }).type;
    return typeof type === "string" ? type : undefined;
  } catch {
    return undefined;
  }
}

/** The worker queues that exist now; a type whose worker is declared but not yet deployed has none. */
export async function workerQueues(
  topology: Topology,
  queue: QueueLookup,
): Promise<Map<string, QueueAddress>> {
  const found = await Promise.all(
    topology.workers.map(async (worker) => {
      try {
        return [worker.consumer, await queue(worker.queueName)] as const;
      } catch {
        return undefined;
      }
    }),
  );
  return new Map(found.filter((entry) => entry !== undefined));
}

/**
 * Moves the jobs of a holding queue on: dead letters back to their queue (SQS's move task where it exists),
 * undelivered jobs into the queue SNS could not reach, unrouted jobs each to the queue of its type.
 */
export async function redriveHolding(
  sqs: SQSClient,
  topology: Topology,
  holding: HoldingQueue,
  queue: QueueLookup,
  options: RedriveOptions = {},
): Promise<HoldingRedriveResult> {
  const from = await queue(holding.queueName);
  if (holding.kind === "dead-letters") {
    return { ...(await redrive(sqs, from, await queue(holding.redriveTo), options)), left: 0 };
  }
  if (holding.kind === "undelivered") {
    const to = await queue(holding.redriveTo);
    // A subscription's DLQ is not any queue's redrive target, so SQS's move task does not apply to it.
    return { mode: "manual", to: to.name, ...(await moveMessages(sqs, from, () => to, options)) };
  }
  const workers = await workerQueues(topology, queue);
  const result = await moveMessages(
    sqs,
    from,
    (message) => {
      const type = jobTypeOf(message);
      return type === undefined ? undefined : workers.get(type);
    },
    options,
  );
  return { mode: "manual", to: "the queue of each job's type", ...result };
}
