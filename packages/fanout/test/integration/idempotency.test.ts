import { fileURLToPath } from "node:url";
import { DescribeTableCommand, DynamoDBClient, ScanCommand } from "@aws-sdk/client-dynamodb";
import { type Message, SendMessageCommand } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { JobOutcome } from "../../src/consumer/outcome.ts";
import { baseClientConfig } from "../../src/core/client-config.ts";
import { LOCAL_CREDENTIALS, LOCAL_REGION } from "../../src/local/endpoint.ts";
import { type LocalFanout, startLocalFanout } from "../../src/local/local-fanout.ts";
import { redrive } from "../../src/operations/redrive.ts";
import { idempotentRegistry, RAN_MESSAGE } from "../fixtures/idempotent-registry.ts";
import { drain } from "../support/harness.ts";
import { type LocalFanoutKit, localFanoutKit } from "../support/local-fanout-kit.ts";
import { synthesizeRegistry } from "../support/stack.ts";

const TYPE = "send-once";
const worker = idempotentRegistry.jobs[TYPE];
let fanout: LocalFanout;
let kit: LocalFanoutKit<typeof idempotentRegistry>;
/** Every JSON line the functions logged. */
const lines: Record<string, unknown>[] = [];

beforeAll(async () => {
  fanout = await startLocalFanout({
    registry: idempotentRegistry,
    port: 0,
    handlerPath: (type) =>
      fileURLToPath(new URL(`../fixtures/idempotent-handlers/${type}.ts`, import.meta.url)),
  });
  kit = localFanoutKit(fanout, idempotentRegistry);
  for (const runner of fanout.runners.values()) {
    runner.on("log", (line) => {
      try {
        lines.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        // Not a JSON log line (a stack trace, say).
      }
    });
  }
});
afterAll(() => fanout?.stop());

const runsOf = (jobId: string) => lines.filter((l) => l.message === RAN_MESSAGE && l.jobId === jobId).length;
const outcomesOf = (jobId: string) => kit.outcomes.filter((o) => o.jobId === jobId);
const waitForOutcome = (jobId: string, match: (o: JobOutcome) => boolean, count = 1, ms = 60_000) =>
  kit.waitFor((all) => all.filter((o) => o.jobId === jobId && match(o)).length >= count, ms);
const publish = (
  jobId: string,
  payload: { n: number; holdMs?: number; failFirst?: boolean; hangFirst?: boolean },
) => kit.publisher().publishMany([{ type: TYPE, payload, jobId }]);

describe("an idempotent job type against the local cloud and its DynamoDB (dynalite)", () => {
  it("runs a job once though it is delivered three more times: visibility expiry, duplicate publish, redrive", async () => {
    // The first delivery completes the job; the other job of its batch outlives the function's timeout, so the
    // whole invocation fails and SQS delivers both records again once their visibility timeout expires.
    const [first] = await kit.publisher().publishMany([
      { type: TYPE, payload: { n: 1 }, jobId: "once-1" },
      { type: TYPE, payload: { n: 2, hangFirst: true }, jobId: "hang-1" },
    ]);
    expect(first?.ok).toBe(true);
    await waitForOutcome("once-1", (o) => o.kind === "processed" && o.attempt === 2);
    const redelivered = outcomesOf("once-1").find((o) => o.attempt === 2);
    expect(redelivered?.skipped).toBe(true);
    await waitForOutcome("hang-1", (o) => o.kind === "processed");

    // A producer's retry publishes the same job id again: a new message.
    await publish("once-1", { n: 1 });
    await waitForOutcome("once-1", (o) => o.kind === "processed" && o.skipped === true, 2);

    // A copy of the job dead-lettered and redriven by an operator.
    const wire = await drain(fanout.clients.sqs, fanout.provisioned.queues.get("audit")?.queueUrl ?? "");
    const copy = wire.find((m: Message) => (JSON.parse(m.Body ?? "{}") as { id?: string }).id === "once-1");
    expect(copy).toBeDefined();
    await fanout.clients.sqs.send(
      new SendMessageCommand({
        QueueUrl: kit.dlqUrl(TYPE),
        MessageBody: copy?.Body,
        MessageAttributes: copy?.MessageAttributes,
      }),
    );
    const names = fanout.topology.workers[0];
    const address = (name: string | undefined) => {
      const found = name ? fanout.provisioned.addresses.get(name) : undefined;
      if (!found) throw new Error(`no queue ${name}`);
      return found;
    };
    const moved = await redrive(fanout.clients.sqs, address(names?.dlqName), address(names?.queueName));
    expect(moved.moved).toBe(1);
    await waitForOutcome("once-1", (o) => o.kind === "processed" && o.skipped === true, 3);

    expect(runsOf("once-1")).toBe(1);
    expect(outcomesOf("once-1").map((o) => [o.kind, o.skipped ?? false])).toEqual([
      ["processed", false],
      ["processed", true],
      ["processed", true],
      ["processed", true],
    ]);
  }, 90_000);

  it("runs a job once when two deliveries arrive together, and the second waits instead of failing", async () => {
    await kit.publisher().publishMany([
      { type: TYPE, payload: { n: 3, holdMs: 1_500 }, jobId: "once-2" },
      { type: TYPE, payload: { n: 3, holdMs: 1_500 }, jobId: "once-2" },
    ]);
    await waitForOutcome("once-2", (o) => o.kind === "processed", 2);
    expect(runsOf("once-2")).toBe(1);
    expect(outcomesOf("once-2").map((o) => o.skipped ?? false)).toEqual([false, true]);
    // The duplicate was held back while the first ran: one INFO line, no failure outcome.
    const waited = lines.filter(
      (l) => l.jobId === "once-2" && String(l.message).includes("running in another invocation"),
    );
    expect(waited).toHaveLength(1);
    expect(waited[0]).toMatchObject({ level: "INFO", retryInSeconds: worker.worker.timeoutSeconds });
    expect(outcomesOf("once-2").filter((o) => o.kind !== "processed")).toEqual([]);
  }, 60_000);

  it("leaves a failed job retryable: the next delivery runs it, and after it succeeds none does", async () => {
    await publish("once-3", { n: 4, failFirst: true });
    await waitForOutcome("once-3", (o) => o.kind === "processed");
    expect(outcomesOf("once-3").map((o) => [o.kind, o.attempt, o.skipped ?? false])).toEqual([
      ["failed", 1, false],
      ["processed", 2, false],
    ]);
    expect(runsOf("once-3")).toBe(2);
    await publish("once-3", { n: 4, failFirst: true });
    await waitForOutcome("once-3", (o) => o.skipped === true);
    expect(runsOf("once-3")).toBe(2);
  }, 60_000);

  it("keeps its records in the app's table, keyed by job type, with Powertools' expiration", async () => {
    await publish("once-4", { n: 5 });
    await waitForOutcome("once-4", (o) => o.kind === "processed");
    const idempotency = fanout.idempotency;
    expect(idempotency?.tableName).toBe("fanout-once-idempotency");
    const dynamodb = new DynamoDBClient(
      baseClientConfig({
        endpoint: idempotency?.endpoint,
        region: LOCAL_REGION,
        credentials: LOCAL_CREDENTIALS,
      }),
    );
    try {
      const { Items = [] } = await dynamodb.send(new ScanCommand({ TableName: idempotency?.tableName }));
      expect(Items.length).toBeGreaterThanOrEqual(1);
      for (const item of Items) {
        expect(item.id?.S).toMatch(/^send-once#[A-Za-z0-9+/]{22}==$/);
        expect(item.status?.S).toBe("COMPLETED");
        const expiration = Number(item.expiration?.N);
        expect(expiration - Date.now() / 1000).toBeGreaterThan(3_500);
        expect(expiration - Date.now() / 1000).toBeLessThanOrEqual(3_601);
      }
    } finally {
      dynamodb.destroy();
    }
  });

  it("creates the same table the stack deploys: name, key schema and billing", async () => {
    const stack = await synthesizeRegistry(idempotentRegistry);
    const deployed = stack.one("aws_dynamodb_table", () => true).config;
    const dynamodb = new DynamoDBClient(
      baseClientConfig({
        endpoint: fanout.idempotency?.endpoint,
        region: LOCAL_REGION,
        credentials: LOCAL_CREDENTIALS,
      }),
    );
    try {
      const { Table } = await dynamodb.send(new DescribeTableCommand({ TableName: String(deployed.name) }));
      expect(Table?.KeySchema).toEqual([{ AttributeName: deployed.hash_key, KeyType: "HASH" }]);
      expect(Table?.AttributeDefinitions).toEqual(
        (deployed.attribute as { name: string; type: string }[]).map((a) => ({
          AttributeName: a.name,
          AttributeType: a.type,
        })),
      );
      expect(Table?.BillingModeSummary?.BillingMode).toBe(deployed.billing_mode);
    } finally {
      dynamodb.destroy();
    }
  }, 60_000);
});
