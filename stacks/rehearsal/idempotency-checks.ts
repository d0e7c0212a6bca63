import { DescribeTableCommand, DescribeTimeToLiveCommand } from "@aws-sdk/client-dynamodb";
import { type CheckSuite, Problems } from "./check-runner.ts";
import { stringOutput } from "./terraform.ts";

/**
 * The idempotency table as the registry describes it, read back from moto: on demand, keyed and expired on
 * Powertools' attributes, encrypted with the stack's key. No check when no job type is idempotent.
 */
export const idempotencyChecks: CheckSuite = ({ topology }) => {
  const table = topology.idempotencyTable;
  if (!table) return [];
  return [
    {
      name: `table ${table.name} is on demand, keyed on ${table.keyAttribute}, expires on ${table.expiryAttribute} and is encrypted with the stack's key`,
      async run({ clients: { dynamodb }, outputs }) {
        const problems = new Problems();
        problems.expectEqual(
          "idempotency-table-name output",
          stringOutput(outputs, "idempotency-table-name"),
          table.name,
        );
        const { Table } = await dynamodb.send(new DescribeTableCommand({ TableName: table.name }));
        problems.expectEqual("billing mode", Table?.BillingModeSummary?.BillingMode, "PAY_PER_REQUEST");
        problems.expectEqual("key schema", Table?.KeySchema, [
          { AttributeName: table.keyAttribute, KeyType: "HASH" },
        ]);
        problems.expectEqual("encryption", Table?.SSEDescription?.Status, "ENABLED");
        problems.expectEqual(
          "encryption key",
          Table?.SSEDescription?.KMSMasterKeyArn,
          stringOutput(outputs, "key-arn"),
        );
        const { TimeToLiveDescription: ttl } = await dynamodb.send(
          new DescribeTimeToLiveCommand({ TableName: table.name }),
        );
        problems.expectEqual("TTL status", ttl?.TimeToLiveStatus, "ENABLED");
        problems.expectEqual("TTL attribute", ttl?.AttributeName, table.expiryAttribute);
        problems.throwIfAny();
      },
    },
  ];
};
