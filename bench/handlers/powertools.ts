/**
 * The consumer baseline: a handler written the way the Powertools documentation shows it (batch utility
 * with its parser integration: `BatchProcessor`, `processPartialResponse`, a zod schema for the body and the
 * `json` transformer), reading the same Fanout envelope, logging each record as the docs' example does.
 * It has no claim check: an offloaded record's pointer fails its schema.
 */
import { BatchProcessor, EventType, processPartialResponse } from "@aws-lambda-powertools/batch";
import { parser } from "@aws-lambda-powertools/batch/parser";
import type { ParsedRecord } from "@aws-lambda-powertools/batch/types";
import { Logger } from "@aws-lambda-powertools/logger";
import type { Context, SQSEvent, SQSRecord } from "aws-lambda";
import { z } from "zod";
import { benchJob } from "../registry.ts";
import { work } from "./work.ts";

const envelopeSchema = z.object({
  v: z.literal(1),
  id: z.string().min(1).max(128),
  type: z.literal("bench-job"),
  createdAt: z.iso.datetime(),
  correlationId: z.string().min(1).max(128).optional(),
  payload: benchJob.schema,
});

const logger = new Logger({ serviceName: "bench-job" });
const processor = new BatchProcessor(EventType.SQS, {
  parser,
  innerSchema: envelopeSchema,
  transformer: "json",
  logger,
});

const recordHandler = async ({
  messageId,
  body,
}: ParsedRecord<SQSRecord, z.infer<typeof envelopeSchema>>) => {
  work(body.payload);
  logger.info("job processed", { messageId, jobId: body.id });
};

export const handler = async (event: SQSEvent, context: Context) =>
  processPartialResponse(event, recordHandler, processor, { context });
