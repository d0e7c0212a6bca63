import { InvalidGroupIdError } from "./errors.ts";
import type { JobDefinition } from "./registry.ts";

/**
 * SNS and SQS FIFO take a message group id or deduplication id of 1 to 128 characters: letters, digits and
 * ASCII punctuation (`!"#$%&'()*+,-./:;<=>?@[\]^_\`{|}~`), so no spaces and nothing beyond ASCII.
 */
export const FIFO_ID_PATTERN = /^[\x21-\x7e]{1,128}$/;

/** What a FIFO message carries beyond a standard one. */
export interface FifoIds {
  readonly messageGroupId: string;
  readonly messageDeduplicationId: string;
}

/**
 * The ids of a job of an ordered type: its group from `groupBy` applied to the parsed payload, its job id as
 * the deduplication id (a producer's retry of the same job within SNS's five minutes is dropped). Undefined for
 * a job type without `ordering`. Throws `InvalidGroupIdError` for ids SNS would refuse.
 */
export function fifoIdsOf(job: JobDefinition, parsedPayload: unknown, jobId: string): FifoIds | undefined {
  const ordering = job.ordering;
  if (!ordering) return undefined;
  let group: unknown;
  try {
    group = ordering.groupOf(parsedPayload);
  } catch (error) {
    throw new InvalidGroupIdError(job.type, "groupId", undefined, { cause: error, jobId });
  }
  if (typeof group !== "string" || !FIFO_ID_PATTERN.test(group)) {
    throw new InvalidGroupIdError(job.type, "groupId", group, { jobId });
  }
  if (!FIFO_ID_PATTERN.test(jobId)) throw new InvalidGroupIdError(job.type, "jobId", jobId, { jobId });
  return { messageGroupId: group, messageDeduplicationId: jobId };
}
