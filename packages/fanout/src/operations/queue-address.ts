/** A queue found by name: what SQS calls need (url) and what move tasks and policies need (arn). */
export interface QueueAddress {
  readonly name: string;
  readonly url: string;
  readonly arn: string;
}

/** Finds a queue by the name the naming function gives it; the CLI's connection and the dashboard both do. */
export type QueueLookup = (name: string) => Promise<QueueAddress>;
