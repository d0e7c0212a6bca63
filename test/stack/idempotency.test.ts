import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { PERSISTENCE_ATTRIBUTE_KEY_MAPPINGS } from "@aws-lambda-powertools/idempotency";
import { defineJob, idempotencyTable } from "fanout";
import type { PolicyStatement } from "fanout/cdktf";
import { beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { fixtureBundles, ref, type Synthesized, synthesize, testRegistry } from "./synth.ts";

const parse = (text: unknown) => JSON.parse(String(text)) as { Statement: PolicyStatement[] };
const list = (value: string | readonly string[] | undefined): readonly string[] =>
  value === undefined ? [] : typeof value === "string" ? [value] : value;

const sendReceipt = defineJob({
  type: "send-receipt",
  description: "Mails a receipt once per job id.",
  schema: z.object({ id: z.string() }),
  idempotency: { ttlSeconds: 86_400 },
});
const registry = testRegistry([sendReceipt]);
const plainRegistry = testRegistry();
const table = idempotencyTable(registry.app);
let stack: Synthesized;
let plain: Synthesized;

beforeAll(async () => {
  stack = synthesize({ registry, bundles: await fixtureBundles(registry) });
  plain = synthesize({ registry: plainRegistry, bundles: await fixtureBundles(plainRegistry) });
});

const functionOf = (s: Synthesized, type: string) =>
  s.one("aws_lambda_function", (c) => c.function_name === `${registry.app}-${type}`);
const statementsOf = (s: Synthesized, type: string) => {
  const role = s.target(functionOf(s, type).config.role);
  return parse(s.one("aws_iam_role_policy", (c) => c.role === ref(role, "id")).config.policy).Statement;
};
const variablesOf = (s: Synthesized, type: string) =>
  (functionOf(s, type).config.environment as { variables: Record<string, string> }).variables;
const dynamoDbActions = (statements: readonly PolicyStatement[]) =>
  statements.flatMap((st) => st.Action).filter((a) => a.startsWith("dynamodb:"));
const idempotencyTableResource = () => stack.one("aws_dynamodb_table", () => true);

/** The DynamoDB commands Powertools' persistence layer sends, read from the installed package itself. */
function powertoolsDynamoDbActions(): string[] {
  const require = createRequire(import.meta.url);
  const source = readFileSync(require.resolve("@aws-lambda-powertools/idempotency/dynamodb"), "utf8");
  const commands = new Set(
    [...source.matchAll(/new (?:\w+\.)?(\w+)Command\(/g)].map((m) => `dynamodb:${m[1]}`),
  );
  return [...commands].sort();
}

describe("the idempotency table", () => {
  it("exists only in an app with an idempotent job type", () => {
    expect(plain.of("aws_dynamodb_table")).toEqual([]);
    expect(stack.of("aws_dynamodb_table")).toHaveLength(1);
  });

  it("is on demand, keyed and expired on Powertools' own attributes", () => {
    expect(PERSISTENCE_ATTRIBUTE_KEY_MAPPINGS.expiryAttr).toBe(table.expiryAttribute);
    expect(idempotencyTableResource().config).toMatchObject({
      name: `${registry.app}-idempotency`,
      billing_mode: "PAY_PER_REQUEST",
      hash_key: table.keyAttribute,
      attribute: [{ name: table.keyAttribute, type: "S" }],
      ttl: { attribute_name: "expiration", enabled: true },
      point_in_time_recovery: { enabled: false },
    });
    expect(table.keyAttribute).toBe("id");
  });

  it("has a name DynamoDB accepts: 3 to 255 of letters, digits, _ . and -", () => {
    expect(String(idempotencyTableResource().config.name)).toMatch(/^[A-Za-z0-9_.-]{3,255}$/);
  });

  it("is encrypted with the stack's customer-managed key", () => {
    const sse = idempotencyTableResource().config.server_side_encryption as {
      enabled: boolean;
      kms_key_arn: string;
    };
    expect(sse.enabled).toBe(true);
    const topic = stack.one("aws_sns_topic", (c) => c.name === `${registry.app}-jobs`);
    expect(sse.kms_key_arn).toBe(ref(stack.target(topic.config.kms_master_key_id), "arn"));
  });
});

describe("who may use the idempotency table", () => {
  it("grants exactly the item actions Powertools' DynamoDB persistence calls", () => {
    expect(powertoolsDynamoDbActions()).toEqual([
      "dynamodb:DeleteItem",
      "dynamodb:GetItem",
      "dynamodb:PutItem",
      "dynamodb:UpdateItem",
    ]);
    const grants = statementsOf(stack, "send-receipt").filter((s) => dynamoDbActions([s]).length > 0);
    expect(grants).toHaveLength(1);
    expect([...(grants[0]?.Action ?? [])].sort()).toEqual(powertoolsDynamoDbActions());
    expect(list(grants[0]?.Resource)).toEqual([ref(idempotencyTableResource(), "arn")]);
  });

  it("lets the idempotent worker use the key only through DynamoDB, for this table", () => {
    const topic = stack.one("aws_sns_topic", (c) => c.name === `${registry.app}-jobs`);
    const key = stack.target(topic.config.kms_master_key_id);
    const keyGrants = statementsOf(stack, "send-receipt").filter((s) =>
      s.Action.some((a) => a.startsWith("kms:")),
    );
    expect(keyGrants).toEqual([
      expect.objectContaining({
        Action: ["kms:GenerateDataKey", "kms:Decrypt"],
        Resource: ref(key, "arn"),
        Condition: {
          StringEquals: {
            "kms:ViaService": "dynamodb.eu-west-1.amazonaws.com",
            "kms:EncryptionContext:aws:dynamodb:tableName": ref(idempotencyTableResource(), "name"),
          },
        },
      }),
    ]);
  });

  it("gives nothing of it to the other workers and the catch-all", () => {
    for (const type of ["ingest", "index", "catch-all"]) {
      const statements = statementsOf(stack, type);
      expect(dynamoDbActions(statements)).toEqual([]);
      expect(statements.filter((s) => s.Condition?.StringEquals?.["kms:ViaService"])).toEqual([]);
    }
    for (const type of ["ingest", "index"]) {
      expect(variablesOf(stack, type).FANOUT_IDEMPOTENCY_TABLE).toBeUndefined();
    }
  });

  it("passes the table's name to the idempotent worker in its environment", () => {
    expect(variablesOf(stack, "send-receipt").FANOUT_IDEMPOTENCY_TABLE).toBe(
      ref(idempotencyTableResource(), "name"),
    );
  });
});
