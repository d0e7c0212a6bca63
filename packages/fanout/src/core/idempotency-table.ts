/**
 * The one definition of the table where idempotent job types record which job ids ran: the cdktf stack
 * deploys it and the local cloud creates it from here, and the consumer's Powertools persistence layer reads
 * and writes the same attributes.
 */
export interface IdempotencyTable {
  readonly name: string;
  /** The partition key (a string): `<job type>#<hash of the job id>`, Powertools' idempotency key. */
  readonly keyAttribute: string;
  /** Epoch seconds after which a record no longer counts; DynamoDB's TTL deletes it some time later. */
  readonly expiryAttribute: string;
}

/** Powertools' own attribute names, so its DynamoDB persistence layer needs no mapping. */
const KEY_ATTRIBUTE = "id";
const EXPIRY_ATTRIBUTE = "expiration";

/** DynamoDB table names are regional: the app's name keeps two apps of one account apart. */
export function idempotencyTable(app: string): IdempotencyTable {
  return { name: `${app}-idempotency`, keyAttribute: KEY_ATTRIBUTE, expiryAttribute: EXPIRY_ATTRIBUTE };
}

/** The DynamoDB calls Powertools' persistence layer makes: claim (put), complete (update), release (delete), and read when a claim is refused. */
export const IDEMPOTENCY_TABLE_ACTIONS = [
  "dynamodb:GetItem",
  "dynamodb:PutItem",
  "dynamodb:UpdateItem",
  "dynamodb:DeleteItem",
] as const;
