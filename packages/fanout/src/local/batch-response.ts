import type { SQSBatchResponse, SQSRecord } from "aws-lambda";

/** Lambda treats a response it cannot read, or one naming a record it did not send, as a failure of the whole batch. */
export function failedRecordIds(response: unknown, records: readonly SQSRecord[]): Set<string> | undefined {
  if (response === undefined || response === null) return new Set();
  const failures = (response as SQSBatchResponse).batchItemFailures;
  if (failures === undefined) return new Set();
  if (!Array.isArray(failures)) return undefined;
  const known = new Set(records.map((r) => r.messageId));
  const ids = new Set<string>();
  for (const failure of failures) {
    const id = (failure as { itemIdentifier?: unknown })?.itemIdentifier;
    if (typeof id !== "string" || !known.has(id)) return undefined;
    ids.add(id);
  }
  return ids;
}
