import { CreateTableCommand, type DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { errorName } from "../core/errors.ts";
import type { IdempotencyTable } from "../core/idempotency-table.ts";

/**
 * Creates the idempotency table with the stack's key schema and billing, through the ordinary SDK call; an
 * existing table is kept with its records, as after `cdktf deploy`. The stack's TTL setting has no local
 * counterpart (dynalite has no `UpdateTimeToLive` and deletes nothing): an expired record still stops counting,
 * because Powertools compares its `expiration` on every claim.
 */
export async function provisionIdempotencyTable(
  dynamodb: DynamoDBClient,
  table: IdempotencyTable,
): Promise<string> {
  try {
    await dynamodb.send(
      new CreateTableCommand({
        TableName: table.name,
        BillingMode: "PAY_PER_REQUEST",
        AttributeDefinitions: [{ AttributeName: table.keyAttribute, AttributeType: "S" }],
        KeySchema: [{ AttributeName: table.keyAttribute, KeyType: "HASH" }],
      }),
    );
  } catch (error) {
    if (errorName(error) !== "ResourceInUseException") throw error;
  }
  return table.name;
}
