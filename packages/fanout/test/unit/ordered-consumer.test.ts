import { Logger } from "@aws-lambda-powertools/logger";
import {
  ChangeMessageVisibilityBatchCommand,
  ChangeMessageVisibilityCommand,
  SendMessageCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import type { Context, SQSRecord } from "aws-lambda";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { createJobHandler } from "../../src/consumer/job-handler.ts";
import { toSqsRecord } from "../../src/consumer/sqs-record.ts";
import type { AwsClients } from "../../src/core/aws-clients.ts";
import { encodeEnvelope } from "../../src/core/envelope.ts";
import { PermanentJobError } from "../../src/core/errors.ts";
import { defineJob, defineRegistry } from "../../src/core/registry.ts";

const registry = defineRegistry({
  app: "shop",
  jobs: [
    defineJob({
      type: "update-order",
      description: "",
      schema: z.object({ orderId: z.string(), step: z.number(), fail: z.enum(["no", "once", "always"]) }),
      ordering: { groupBy: "orderId" },
      worker: { retryBackoff: { baseSeconds: 7, maxSeconds: 7 } },
    }),
  ],
});
const resources = {
  topicArn: "arn:aws:sns:eu-west-1:123456789012:shop-jobs",
  bucket: "shop-payloads",
  queueUrl: "https://sqs.eu-west-1.amazonaws.com/123456789012/shop-update-order.fifo",
  dlqUrl: "https://sqs.eu-west-1.amazonaws.com/123456789012/shop-update-order-dlq.fifo",
};
const lambdaContext = { getRemainingTimeInMillis: () => 30_000 } as Context;

/** A record of a FIFO queue, as SQS delivers several of one group in one batch. */
function record(orderId: string, step: number, fail: "no" | "once" | "always" = "no"): SQSRecord {
  const id = `${orderId}-${step}`;
  return toSqsRecord({
    MessageId: `m-${id}`,
    ReceiptHandle: `r-${id}`,
    Body: encodeEnvelope({
      v: 1,
      id,
      type: "update-order",
      createdAt: new Date().toISOString(),
      payload: { orderId, step, fail },
    }),
    Attributes: { ApproximateReceiveCount: "1", MessageGroupId: orderId, MessageDeduplicationId: id },
  });
}

/** What the consumer did, in order: the jobs it ran and the SQS requests it sent. */
function harness(options: { dlqFails?: boolean } = {}) {
  const log: string[] = [];
  const requests: unknown[] = [];
  const sqs = {
    send: async (command: unknown) => {
      requests.push(command);
      if (command instanceof SendMessageCommand) {
        log.push(`dead-letter ${command.input.MessageGroupId}/${command.input.MessageDeduplicationId}`);
        if (options.dlqFails) throw new Error("DLQ unreachable");
        return { MessageId: "dlq-1" };
      }
      if (command instanceof ChangeMessageVisibilityBatchCommand) return { Successful: [], Failed: [] };
      return {};
    },
  } as unknown as SQSClient;
  const handler = createJobHandler(
    registry,
    "update-order",
    async (job) => {
      log.push(`run ${job.orderId}-${job.step}`);
      if (job.fail === "always") throw new PermanentJobError(`step ${job.step} cannot apply`);
      if (job.fail === "once") throw new Error(`step ${job.step} failed`);
    },
    {
      resources,
      clients: { sqs } as unknown as AwsClients,
      logger: new Logger({ serviceName: "t", logLevel: "SILENT" }),
      metrics: false,
    },
  );
  return { handler, log, requests };
}

const failures = (response: { batchItemFailures: { itemIdentifier: string }[] }) =>
  response.batchItemFailures.map((f) => f.itemIdentifier);

describe("the consumer of an ordered type", () => {
  it("runs no later record of a failed record's group, returns them as failures, and runs the other groups", async () => {
    const { handler, log, requests } = harness();
    const response = await handler(
      {
        Records: [
          record("a", 1),
          record("b", 1),
          record("a", 2, "once"),
          record("a", 3),
          record("b", 2),
          record("a", 4),
        ],
      },
      lambdaContext,
    );
    expect(log).toEqual(["run a-1", "run b-1", "run a-2", "run b-2"]);
    expect(failures(response)).toEqual(["m-a-2", "m-a-3", "m-a-4"]);
    // The failed record waits its backoff; the ones held behind it come back with it, not a visibility timeout later.
    const postponed = requests.find((r) => r instanceof ChangeMessageVisibilityCommand) as
      | ChangeMessageVisibilityCommand
      | undefined;
    expect(postponed?.input).toMatchObject({ ReceiptHandle: "r-a-2", VisibilityTimeout: 7 });
    const released = requests.find((r) => r instanceof ChangeMessageVisibilityBatchCommand) as
      | ChangeMessageVisibilityBatchCommand
      | undefined;
    expect(released?.input.Entries?.map((e) => [e.ReceiptHandle, e.VisibilityTimeout])).toEqual([
      ["r-a-3", 7],
      ["r-a-4", 7],
    ]);
  });

  it("runs a dead-lettered record's successors only after its DLQ send, which keeps its group", async () => {
    const { handler, log } = harness();
    const response = await handler(
      { Records: [record("a", 1), record("a", 2, "always"), record("a", 3)] },
      lambdaContext,
    );
    expect(failures(response)).toEqual([]);
    expect(log).toEqual(["run a-1", "run a-2", "dead-letter a/m-a-2", "run a-3"]);
  });

  it("returns a record and its group's successors as failures when its DLQ send fails", async () => {
    const { handler, log } = harness({ dlqFails: true });
    const response = await handler(
      { Records: [record("a", 1, "always"), record("a", 2), record("b", 1)] },
      lambdaContext,
    );
    expect(failures(response)).toEqual(["m-a-1", "m-a-2"]);
    expect(log).toEqual(["run a-1", "dead-letter a/m-a-1", "run b-1"]);
  });
});
