/** Helpers for an app's own tests: Lambda-shaped SQS records, and a synthesized stack to query. */

export { ref, type Synthesized, type SynthResource, synthesizedStack } from "./cdktf/synthesized.ts";
export { type RecordSource, toSqsRecord } from "./consumer/sqs-record.ts";
