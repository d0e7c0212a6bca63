import { SendMessageCommand } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { JOB_ID_ATTRIBUTE } from "../../src/consumer/dead-letter.ts";
import { JOB_TYPE_ATTRIBUTE } from "../../src/core/claim-check.ts";
import { peekMessages } from "../../src/operations/peek.ts";
import { fanout, localEnv } from "../cli/run.ts";
import { drain, type Harness, startHarness } from "../support/harness.ts";

const ALWAYS_FAILS = { [JOB_TYPE_ATTRIBUTE]: { DataType: "String", StringValue: "always-fails" } };

describe("a job published by a non-Fanout producer keeps its id across retries and redrives", () => {
  let h: Harness;
  let env: Record<string, string>;
  beforeAll(async () => {
    h = await startHarness();
    env = localEnv(h.fanout.cloud.port);
  });
  afterAll(() => h.stop());

  const deadLettered = (jobId: string) =>
    h.outcomes.filter((o) => o.jobId === jobId && o.kind === "dead-lettered");

  it("is called by its first message id, which its dead letter carries, and again after a redrive", async () => {
    const { MessageId = "" } = await h.fanout.clients.sqs.send(
      new SendMessageCommand({
        QueueUrl: h.queueUrl("always-fails"),
        MessageBody: '{"n":1}',
        MessageAttributes: ALWAYS_FAILS,
      }),
    );
    await h.waitFor(() => deadLettered(MessageId).length === 1);
    const {
      messages: [dead],
    } = await peekMessages(h.fanout.clients.sqs, h.dlqUrl("always-fails"), 1);
    expect(dead?.MessageAttributes?.[JOB_ID_ATTRIBUTE]?.StringValue).toBe(MessageId);
    expect(dead?.MessageId).not.toBe(MessageId);

    expect((await fanout(["--local", "dlq", "redrive", "always-fails"], { env })).code).toBe(0);
    await h.waitFor(() => deadLettered(MessageId).length === 2);
    expect(h.outcomes.filter((o) => o.kind === "dead-lettered").map((o) => o.jobId)).toEqual([
      MessageId,
      MessageId,
    ]);
  });

  it("keeps the id of a dead letter SQS moved itself (no id attribute yet) when the CLI redrives it", async () => {
    h.outcomes.length = 0;
    await drain(h.fanout.clients.sqs, h.dlqUrl("always-fails"));
    const { MessageId = "" } = await h.fanout.clients.sqs.send(
      new SendMessageCommand({
        QueueUrl: h.dlqUrl("always-fails"),
        MessageBody: '{"n":2}',
        MessageAttributes: ALWAYS_FAILS,
      }),
    );
    expect((await fanout(["--local", "dlq", "redrive", "always-fails"], { env })).code).toBe(0);
    await h.waitFor(() => deadLettered(MessageId).length === 1);
  });
});
