import type { SQSClient } from "@aws-sdk/client-sqs";
import { decodeRecord } from "../consumer/record-decoder.ts";
import { toSqsRecord } from "../consumer/sqs-record.ts";
import { LEGACY_SIZE_ATTRIBUTE, SIZE_ATTRIBUTE, SQS_MAX_MESSAGE_BYTES } from "../core/claim-check.ts";
import { encodeEnvelope } from "../core/envelope.ts";
import { EditedJobTooLargeError } from "../core/errors.ts";
import type { PayloadReader } from "../core/payload-store.ts";
import { type JobDefinition, parsePayload } from "../core/registry.ts";
import { messageSize } from "../core/sqs-limits.ts";
import { byMessageId, withDeadLetter } from "./find-dead-letter.ts";
import type { QueueAddress } from "./queue-address.ts";
import { redrivenAttributes } from "./redrive.ts";
import { type RedriveOneResult, sendBack } from "./redrive-one.ts";

export interface EditedRedrive {
  readonly job: JobDefinition;
  readonly payload: unknown;
  readonly payloads: PayloadReader;
  readonly topicArn: string;
}

/**
 * Moves one dead letter back to its queue with a corrected payload: the same job (id, type, creation time,
 * correlation id), its payload replaced once the job's schema accepts it. The edited job travels inline, so
 * an offloaded original loses its pointer attribute; the old S3 object expires with the bucket's lifecycle.
 */
export async function redriveEdited(
  sqs: SQSClient,
  dlq: QueueAddress,
  source: QueueAddress,
  messageId: string,
  edit: EditedRedrive,
): Promise<RedriveOneResult> {
  parsePayload(edit.job, edit.payload);
  return withDeadLetter(sqs, dlq, byMessageId(messageId), async (found) => {
    const { envelope } = await decodeRecord(toSqsRecord(found), {
      payloads: edit.payloads,
      topicArn: edit.topicArn,
    });
    const body = encodeEnvelope({ ...envelope, payload: edit.payload });
    const attributes = redrivenAttributes(found);
    delete attributes[SIZE_ATTRIBUTE];
    delete attributes[LEGACY_SIZE_ATTRIBUTE];
    const size = messageSize(body, attributes);
    if (size > SQS_MAX_MESSAGE_BYTES) {
      throw new EditedJobTooLargeError(
        `The edited job is ${size} bytes, over SQS's ${SQS_MAX_MESSAGE_BYTES}: publish it again with fanout publish (which offloads it to S3) and delete the dead letter.`,
      );
    }
    return sendBack(sqs, dlq, source, found, body, attributes);
  });
}
