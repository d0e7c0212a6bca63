/** SNS's `PublishBatch` and SQS's `SendMessageBatch` both take at most ten entries per request. */
export const MAX_BATCH_ENTRIES = 10;

/**
 * Greedy packing in input order: a new request starts when the next entry would break either limit, ten
 * entries or `maxBytes` of all entries together (both services count a batch's entries' sizes together).
 */
export function packBatches<M extends { readonly size: number }>(
  messages: readonly M[],
  maxBytes: number,
): M[][] {
  const batches: M[][] = [];
  let current: M[] = [];
  let bytes = 0;
  for (const message of messages) {
    if (current.length === MAX_BATCH_ENTRIES || (current.length > 0 && bytes + message.size > maxBytes)) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(message);
    bytes += message.size;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}
