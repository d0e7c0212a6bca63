/**
 * The consumer baseline: a handler written the fastest way the Powertools documentation shows ("full event
 * schema": the SQS record schema with the body parsed as JSON into the payload schema), reading the same
 * Fanout envelope, logging each record as the docs' example does. So that offloaded records compare too, it
 * resolves a claim-check pointer the simplest way a user would: `GetObject` with an S3 client made at module
 * scope, as the SDK's documentation does. `snsHandler` reads the same jobs delivered inside SNS's notification
 * envelope, with the docs' full event schema for SNS-wrapped SQS records.
 */

import { BatchProcessor, EventType, processPartialResponse } from "@aws-lambda-powertools/batch";
import { parser } from "@aws-lambda-powertools/batch/parser";
import { Logger } from "@aws-lambda-powertools/logger";
import { JSONStringified } from "@aws-lambda-powertools/parser/helpers";
import { SnsSqsNotificationSchema } from "@aws-lambda-powertools/parser/schemas/sns";
import { SqsRecordSchema } from "@aws-lambda-powertools/parser/schemas/sqs";
import { GetObjectCommand, S3Client } from "@aws-sdk/client-s3";
import type { Context, SQSEvent } from "aws-lambda";
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
const pointerSchema = z.tuple([
  z.literal("software.amazon.payloadoffloading.PayloadS3Pointer"),
  z.object({ s3BucketName: z.string(), s3Key: z.string() }),
]);
const messageSchema = z.union([envelopeSchema, pointerSchema]);
const recordSchema = SqsRecordSchema.extend({ body: JSONStringified(messageSchema) });
const snsRecordSchema = SqsRecordSchema.extend({
  body: JSONStringified(SnsSqsNotificationSchema.extend({ Message: JSONStringified(messageSchema) })),
});

const logger = new Logger({ serviceName: "bench-job" });
// Path-style addressing where an endpoint is configured (the local cloud), as on AWS it is not needed.
const s3 = new S3Client({ forcePathStyle: Boolean(process.env.AWS_ENDPOINT_URL) });
const processor = new BatchProcessor(EventType.SQS, { parser, schema: recordSchema, logger });
const snsProcessor = new BatchProcessor(EventType.SQS, { parser, schema: snsRecordSchema, logger });

async function processMessage(messageId: string, body: z.infer<typeof messageSchema>): Promise<void> {
  let envelope: z.infer<typeof envelopeSchema>;
  if (Array.isArray(body)) {
    const object = await s3.send(new GetObjectCommand({ Bucket: body[1].s3BucketName, Key: body[1].s3Key }));
    envelope = envelopeSchema.parse(JSON.parse(await (object.Body?.transformToString() ?? "")));
  } else {
    envelope = body;
  }
  work(envelope.payload);
  logger.info("job processed", { messageId, jobId: envelope.id });
}

export const handler = async (event: SQSEvent, context: Context) =>
  processPartialResponse(
    event,
    ({ messageId, body }: z.infer<typeof recordSchema>) => processMessage(messageId, body),
    processor,
    { context },
  );

export const snsHandler = async (event: SQSEvent, context: Context) =>
  processPartialResponse(
    event,
    ({ messageId, body }: z.infer<typeof snsRecordSchema>) => processMessage(messageId, body.Message),
    snsProcessor,
    { context },
  );
