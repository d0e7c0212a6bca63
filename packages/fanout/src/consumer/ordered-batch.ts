import type { Logger } from "@aws-lambda-powertools/logger";
import type { SQSClient } from "@aws-sdk/client-sqs";
import type { SQSBatchResponse, SQSRecord } from "aws-lambda";
import { errorMessage } from "../core/errors.ts";

/**
 * What an ordered type's invocation tracks beyond its outcomes: the records its function was run for, and for
 * each group that failed, when its failed record comes back.
 */
export interface OrderedBatch {
  ran(record: SQSRecord): void;
  failed(record: SQSRecord, retryInSeconds: number): void;
  /**
   * Gives the records Powertools skipped (later records of a failed group) the failed record's delay. SQS FIFO
   * holds a group while any of its messages is in flight: left at the queue's visibility timeout, they would
   * hold the group longer than the failed record's backoff; made visible at the same time, they still come
   * after it, because it is first in its group.
   */
  release(
    records: readonly SQSRecord[],
    response: SQSBatchResponse,
    runtime: {
      readonly clients: { sqs(): Promise<SQSClient> };
      readonly resources: { readonly queueUrl: string };
    },
    logger: Logger,
  ): Promise<void>;
}

export function groupOf(record: SQSRecord): string {
  return record.attributes.MessageGroupId ?? "";
}

export function holdGroupsBack(): OrderedBatch {
  const ran = new Set<string>();
  const delays = new Map<string, number>();
  return {
    ran: (record) => ran.add(record.messageId),
    failed: (record, seconds) => {
      const group = groupOf(record);
      if (!delays.has(group)) delays.set(group, seconds);
    },
    async release(records, response, runtime, logger) {
      const failed = new Set(response.batchItemFailures.map((f) => f.itemIdentifier));
      const skipped = records.filter((r) => failed.has(r.messageId) && !ran.has(r.messageId));
      if (skipped.length === 0) return;
      try {
        const [sqs, { ChangeMessageVisibilityBatchCommand }] = await Promise.all([
          runtime.clients.sqs(),
          import("@aws-sdk/client-sqs"),
        ]);
        const answer = await sqs.send(
          new ChangeMessageVisibilityBatchCommand({
            QueueUrl: runtime.resources.queueUrl,
            Entries: skipped.map((record, i) => ({
              Id: String(i),
              ReceiptHandle: record.receiptHandle,
              VisibilityTimeout: delays.get(groupOf(record)) ?? 0,
            })),
          }),
        );
        if ((answer.Failed ?? []).length > 0) {
          logger.warn(
            "could not set the delay of records held behind a failed one; the queue's visibility timeout applies",
            {
              failed: answer.Failed?.map((f) => f.Code),
            },
          );
        }
      } catch (error) {
        logger.warn(
          "could not set the delay of records held behind a failed one; the queue's visibility timeout applies",
          {
            error: errorMessage(error),
          },
        );
      }
    },
  };
}
