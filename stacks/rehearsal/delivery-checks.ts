import { HeadObjectCommand } from "@aws-sdk/client-s3";
import { DeleteMessageBatchCommand, ReceiveMessageCommand, type SQSClient } from "@aws-sdk/client-sqs";
import {
  decodeEnvelope,
  decodePointer,
  defineJob,
  defineRegistry,
  type PayloadPointer,
  PayloadStore,
  type PublishedJob,
  Publisher,
  type Registry,
  type Topology,
} from "fanout";
import { z } from "zod";
import { listQueueUrls, queueNameOf } from "./aws-reads.ts";
import { type CheckSuite, Problems } from "./check-runner.ts";
import { samplePayload } from "./sample-jobs.ts";
import { stringOutput } from "./terraform.ts";

interface ReceivedMessage {
  readonly queue: string;
  readonly body: string;
  /** The published job it carries, when it is one of the rehearsal's. */
  readonly jobId: string | undefined;
  readonly pointer: PayloadPointer | undefined;
}

/** Receives until the queue answers empty, deleting as it goes, so later checks start from empty queues. */
async function drain(sqs: SQSClient, url: string): Promise<{ body: string }[]> {
  const messages: { body: string }[] = [];
  for (;;) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: url,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 1,
        MessageAttributeNames: ["All"],
      }),
    );
    if (Messages.length === 0) return messages;
    messages.push(...Messages.map((m) => ({ body: m.Body ?? "" })));
    await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: url,
        Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
      }),
    );
  }
}

/** A type no worker is subscribed for, as a producer ahead of the deployed registry would publish. */
const UNKNOWN_TYPE = "rehearsal-unknown-type";

/**
 * The queues a job of this type must reach: its worker's (or the unrouted queue, for a type the registry does
 * not know), and every subscriber's that takes the type.
 */
function expectedQueues(registry: Registry, topology: Topology, type: string): string[] {
  const worker = topology.workers.find((w) => w.consumer === type);
  // An ordered type goes through the FIFO topic, which only its own queue is subscribed to.
  if (worker?.fifo) return [worker.queueName];
  const subscribers = registry.subscribers
    .filter((s) => s.jobTypes === "*" || s.jobTypes.includes(type))
    .map(
      (s) => topology.subscribers.find((q) => q.consumer === s.name)?.queueName ?? `(no queue for ${s.name})`,
    );
  // The catch-all gets every message; moto runs no function to sort them.
  const catchAll = topology.catchAll ? [topology.catchAll.queueName] : [];
  return [worker ? worker.queueName : topology.unrouted.queueName, ...subscribers, ...catchAll].sort();
}

function describe(job: PublishedJob): string {
  return `${job.offloaded ? "offloaded" : "inline"} ${job.type} job ${job.jobId}`;
}

/**
 * Publishes through Fanout's own Publisher, as a producer would, then reads every queue of the app (not only
 * the expected ones, so a job that also lands in a DLQ or the unrouted queue is caught).
 */
export const deliveryChecks: CheckSuite = ({ registry, topology }) => {
  const published: PublishedJob[] = [];
  const received: ReceivedMessage[] = [];

  return [
    {
      name: "Publisher sends one inline and one offloaded job of every type, and one of a type the stack lacks",
      async run({ clients, outputs }) {
        const payloads = new PayloadStore({ s3: clients.s3, bucket: stringOutput(outputs, "bucket-name") });
        const common = {
          registry: registry as Registry,
          sns: clients.sns,
          payloads,
          topicArn: stringOutput(outputs, "topic-arn"),
        };
        const inline = new Publisher(common);
        const offloading = new Publisher({ ...common, alwaysOffload: true });
        // The registry one type ahead of the deployed stack: the job is sent, and only the unrouted queue
        // (and the subscribers of every type) may keep it.
        const aheadRegistry = defineRegistry({
          app: registry.app,
          jobs: [defineJob({ type: UNKNOWN_TYPE, description: "", schema: z.object({ note: z.string() }) })],
        });
        published.push(
          await new Publisher({ ...common, registry: aheadRegistry }).publish(UNKNOWN_TYPE, {
            note: "ahead",
          }),
        );
        const problems = new Problems();
        for (const { type } of registry.jobList) {
          for (const [publisher, offloaded] of [
            [inline, false],
            [offloading, true],
          ] as const) {
            try {
              const job = await publisher.publish(type, samplePayload(type));
              published.push(job);
              if (job.offloaded !== offloaded)
                problems.add(`${describe(job)} was expected ${offloaded ? "offloaded" : "inline"}`);
            } catch (error) {
              problems.add(`${type} (${offloaded ? "offloaded" : "inline"}): ${(error as Error).message}`);
            }
          }
        }
        problems.throwIfAny();
      },
    },
    {
      name: "every job reaches exactly its type's queue (the unknown one the unrouted queue) and its subscribers', once",
      async run({ clients }) {
        if (published.length === 0) throw new Error("nothing was published");
        const byKey = new Map(published.filter((j) => j.payloadKey).map((j) => [j.payloadKey, j.jobId]));
        const urls = await listQueueUrls(clients.sqs, `${registry.app}-`);
        const drained = await Promise.all(
          urls.map(async (url) => ({ queue: queueNameOf(url), messages: await drain(clients.sqs, url) })),
        );
        // moto's event source mapping receives the catch-all's messages to invoke its function, which needs
        // Docker; after five receives SQS moves them to the catch-all's DLQ. Either place is the catch-all.
        const catchAll = topology.catchAll;
        const asDelivered = (queue: string) =>
          catchAll && queue === catchAll.dlqName ? catchAll.queueName : queue;
        for (const { queue: receivedFrom, messages } of drained) {
          const queue = asDelivered(receivedFrom);
          for (const { body } of messages) {
            const pointer = decodePointer(body);
            let jobId: string | undefined;
            try {
              jobId = pointer ? byKey.get(pointer.key) : decodeEnvelope(body).id;
            } catch {
              jobId = undefined;
            }
            received.push({ queue, body, jobId, pointer });
          }
        }

        const problems = new Problems();
        const ours = new Set(published.map((j) => j.jobId));
        for (const message of received) {
          if (!message.jobId || !ours.has(message.jobId)) {
            problems.add(
              `${message.queue} holds a message the rehearsal did not publish: ${message.body.slice(0, 120)}`,
            );
          }
        }
        for (const job of published) {
          const arrivals = received
            .filter((m) => m.jobId === job.jobId)
            .map((m) => m.queue)
            .sort();
          const expected = expectedQueues(registry, topology, job.type);
          if (JSON.stringify(arrivals) !== JSON.stringify(expected)) {
            problems.add(
              `${describe(job)} reached [${arrivals.join(", ")}], expected [${expected.join(", ")}]`,
            );
          }
        }
        problems.throwIfAny();
      },
    },
    {
      name: "every offloaded job's payload object is in the bucket, and its pointers read back intact",
      async run({ clients, outputs }) {
        const bucket = stringOutput(outputs, "bucket-name");
        const store = new PayloadStore({ s3: clients.s3, bucket });
        const offloaded = published.filter((j) => j.offloaded);
        if (offloaded.length === 0) throw new Error("no job was offloaded");
        const problems = new Problems();
        for (const job of offloaded) {
          try {
            await clients.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: job.payloadKey }));
          } catch (error) {
            problems.add(`s3://${bucket}/${job.payloadKey} of ${describe(job)}: ${(error as Error).name}`);
            continue;
          }
          const pointers = received.filter((m) => m.jobId === job.jobId && m.pointer);
          if (pointers.length === 0) problems.add(`no pointer to ${describe(job)} was received`);
          for (const { pointer, queue } of pointers) {
            if (!pointer) continue;
            try {
              const envelope = decodeEnvelope(await store.get(pointer));
              if (envelope.id !== job.jobId)
                problems.add(`the pointer in ${queue} reads job ${envelope.id}, expected ${job.jobId}`);
            } catch (error) {
              problems.add(`the pointer in ${queue} to ${describe(job)}: ${(error as Error).message}`);
            }
          }
        }
        problems.throwIfAny();
      },
    },
  ];
};
