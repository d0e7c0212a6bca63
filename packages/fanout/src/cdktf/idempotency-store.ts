import { DynamodbTable } from "@cdktf/provider-aws/lib/dynamodb-table/index.js";
import { Construct } from "constructs";
import type { IdempotencyTable } from "../core/idempotency-table.ts";

export interface IdempotencyStoreProps {
  readonly table: IdempotencyTable;
  /** The customer-managed key the table is encrypted with (the stack's). */
  readonly keyArn: string;
}

/**
 * The DynamoDB table where idempotent job types record the job ids they ran. On demand: a worker writes a few
 * items per job, at whatever rate its queue brings. Records expire by DynamoDB's TTL on Powertools' `expiration`
 * attribute. Point-in-time recovery stays off: the records are claims that expire within the TTL, a restored
 * copy would bring back stale ones, and a lost table costs only what no idempotency would (a duplicate runs).
 */
export class IdempotencyStore extends Construct {
  readonly table: DynamodbTable;

  constructor(scope: Construct, id: string, props: IdempotencyStoreProps) {
    super(scope, id);
    const { table } = props;
    this.table = new DynamodbTable(this, "table", {
      name: table.name,
      billingMode: "PAY_PER_REQUEST",
      hashKey: table.keyAttribute,
      attribute: [{ name: table.keyAttribute, type: "S" }],
      ttl: { attributeName: table.expiryAttribute, enabled: true },
      serverSideEncryption: { enabled: true, kmsKeyArn: props.keyArn },
      pointInTimeRecovery: { enabled: false },
    });
  }
}
