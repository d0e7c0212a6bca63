import { BatchProcessor, EventType, processPartialResponse } from "@aws-lambda-powertools/batch";
import { Logger } from "@aws-lambda-powertools/logger";
import type { SQSClient } from "@aws-sdk/client-sqs";
import type { SQSRecord } from "aws-lambda";
import { ConfigurationError } from "../core/errors.ts";
import { UNROUTED_QUEUE_VARIABLE } from "../core/function-environment.ts";
import { lazyAwsClients } from "../core/lazy-aws-clients.ts";
import { CATCH_ALL } from "../core/naming.ts";
import type { SqsHandler } from "./job-handler.ts";

export interface CatchAllOptions {
  readonly sqs?: SQSClient;
  readonly unroutedQueueUrl?: string;
}

/**
 * The function behind the filter-less subscription. A message that carries any attribute was delivered by the
 * filters to where it belongs (a worker, or the unrouted queue); one without any could not be filtered at
 * all, so it is kept in the unrouted queue, unchanged.
 */
export function createCatchAllHandler(options: CatchAllOptions = {}): SqsHandler {
  const logger = new Logger({ serviceName: CATCH_ALL });
  const processor = new BatchProcessor(EventType.SQS);
  const client = options.sqs ? async () => options.sqs as SQSClient : lazyAwsClients().sqs;
  const unroutedQueueUrl = () => {
    const url = options.unroutedQueueUrl ?? process.env[UNROUTED_QUEUE_VARIABLE];
    if (!url)
      throw new ConfigurationError(
        `${UNROUTED_QUEUE_VARIABLE} is not set; the stack and the local runner set it.`,
      );
    return url;
  };

  async function sort(record: SQSRecord): Promise<void> {
    if (Object.keys(record.messageAttributes ?? {}).length > 0) return;
    const { SendMessageCommand } = await import("@aws-sdk/client-sqs");
    await (await client()).send(
      new SendMessageCommand({ QueueUrl: unroutedQueueUrl(), MessageBody: record.body }),
    );
    logger.warn("kept a message without attributes in the unrouted queue", {
      messageId: record.messageId,
      bodyBytes: Buffer.byteLength(record.body),
    });
  }

  return async (event, context) => {
    logger.addContext(context);
    return processPartialResponse(event, sort, processor, { context, throwOnFullBatchFailure: false });
  };
}
