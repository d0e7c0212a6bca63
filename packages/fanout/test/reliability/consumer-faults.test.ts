import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEAD_LETTER_ATTRIBUTES } from "../../src/consumer/dead-letter.ts";
import { type FaultHarness, startFaultHarness } from "../support/fault-harness.ts";
import type { AwsRequest } from "../support/fault-proxy.ts";

/** Big enough to be offloaded: its consumer reads it from S3. */
const LARGE = "x".repeat(300 * 1024);
const internalError = { kind: "error", status: 500, code: "InternalError" } as const;

describe("consumer faults: S3 and SQS errors between the consumers and the cloud", () => {
  let h: FaultHarness;
  beforeAll(async () => {
    h = await startFaultHarness();
  });
  afterAll(() => h.stop());

  const toQueue = (consumer: string, dlq: boolean) => (request: AwsRequest) =>
    request.body.toString("utf8").includes(`"${dlq ? h.dlqUrl(consumer) : h.queueUrl(consumer)}"`);
  const attemptsOf = (jobId: string) =>
    h.outcomes.filter((o) => o.jobId === jobId).map((o) => [o.attempt, o.kind]);

  it.each([
    { status: 500, code: "InternalError" },
    { status: 503, code: "ServiceUnavailable" },
    { status: 503, code: "SlowDown" },
  ])(
    "S3 GetObject $status $code twice: the consumer's SDK retries and the job is processed on its first attempt",
    async (fault) => {
      const published = await h.publisher().publish("work", { n: 1, text: LARGE });
      expect(published.offloaded).toBe(true);
      const rule = h.proxy.inject({
        service: "s3",
        action: "GetObject",
        times: 2,
        fault: { kind: "error", ...fault },
      });
      const result = await h.settleAndCheck(`GetObject ${fault.code} ×2`, [published]);
      expect(rule.hits).toBe(2);
      expect(result.processed).toBe(1);
      expect(attemptsOf(published.jobId)).toEqual([[1, "processed"]]);
    },
  );

  it("S3 GetObject SlowDown past the SDK's retries: the job fails transiently, is retried, and is processed", async () => {
    h.proxy.inject({
      service: "s3",
      action: "GetObject",
      times: 4,
      fault: { kind: "error", status: 503, code: "SlowDown" },
    });
    const published = await h.publisher().publish("work", { n: 2, text: LARGE });
    const result = await h.settleAndCheck("GetObject SlowDown ×4", [published]);
    expect(result.processed).toBe(1);
    // The envelope could not be read, so the failed attempt is logged under the unknown job id.
    expect(attemptsOf(published.jobId)).toEqual([[2, "processed"]]);
    expect(h.outcomes).toContainEqual(
      expect.objectContaining({ jobId: null, kind: "failed", attempt: 1, errorCode: "SlowDown" }),
    );
  });

  it("SQS SendMessage to the DLQ fails: the record is reported failed, retried, and dead-lettered with its reason", async () => {
    const rule = h.proxy.inject({
      service: "sqs",
      action: "SendMessage",
      times: 3,
      when: toQueue("work", true),
      fault: internalError,
    });
    const published = await h.publisher().publish("work", { n: 3, mode: "permanent" });
    const result = await h.settleAndCheck("DLQ send InternalError ×3", [published], 30_000);
    expect(rule.hits).toBe(3);
    expect(result.deadLettered).toBe(1);
    expect(attemptsOf(published.jobId)).toEqual([
      [1, "failed"],
      [2, "dead-lettered"],
    ]);
    const dead = h.deadLetters.find((d) => d.jobId === published.jobId);
    expect(dead?.attributes[DEAD_LETTER_ATTRIBUTES.code]).toBe("PermanentJobError");
    expect(dead?.attributes[DEAD_LETTER_ATTRIBUTES.receiveCount]).toBe("2");
  });

  it("SQS SendMessage to the DLQ fails on every attempt: SQS redrive moves the job to its DLQ, without a reason", async () => {
    // Redrive by SQS is the last line of defence: the consumer could not write the reason, so none is attached.
    const rule = h.proxy.inject({
      service: "sqs",
      action: "SendMessage",
      times: 1_000,
      when: toQueue("timed", true),
      fault: internalError,
    });
    const published = await h.publisher().publish("timed", { n: 4, mode: "throw" });
    const result = await h.settleAndCheck("DLQ send always fails", [published], 30_000);
    rule.remove();
    expect(result.deadLettered).toBe(1);
    expect(result.redrivenWithoutReason).toEqual([published.jobId]);
  });

  it("SQS DeleteMessageBatch fails past the SDK's retries: the batch is delivered again and the duplicates are counted", async () => {
    const rule = h.proxy.inject({
      service: "sqs",
      action: "DeleteMessageBatch",
      times: 3,
      when: toQueue("timed", false),
      fault: internalError,
    });
    const outcomes = await h
      .publisher()
      .publishMany(Array.from({ length: 3 }, (_, n) => ({ type: "timed", payload: { n } })));
    await h.waitFor((o) =>
      outcomes.every((p) => o.filter((x) => x.jobId === p.jobId && x.kind === "processed").length === 2),
    );
    const result = await h.settleAndCheck("DeleteMessageBatch InternalError ×3", outcomes);
    expect(rule.hits).toBe(3);
    expect(result.processed).toBe(3);
    expect(Object.values(result.duplicates)).toEqual([2, 2, 2]);
  });

  it("SQS ChangeMessageVisibility fails: the retry waits for the visibility timeout instead, and the job is processed", async () => {
    const rule = h.proxy.inject({
      service: "sqs",
      action: "ChangeMessageVisibility",
      times: 3,
      fault: internalError,
    });
    const published = await h.publisher().publish("timed", { n: 5, mode: "throw-once" });
    const result = await h.settleAndCheck("ChangeMessageVisibility InternalError ×3", [published]);
    expect(rule.hits).toBe(3);
    expect(attemptsOf(published.jobId)).toEqual([
      [1, "failed"],
      [2, "processed"],
    ]);
    expect(result.duplicates).toEqual({});
  });

  it("S3 GetObject answers slowly, well within the function's 10-second timeout: processed on the first attempt", async () => {
    const published = await h.publisher().publish("work", { n: 6, text: LARGE });
    h.proxy.inject({ service: "s3", action: "GetObject", times: 1, fault: { kind: "delay", ms: 600 } });
    await h.settleAndCheck("GetObject delayed 600 ms", [published]);
    expect(attemptsOf(published.jobId)).toEqual([[1, "processed"]]);
  });

  it("S3 GetObject holds its answer five times past the 1-second timeout: the invocation is ended at the timeout, the job comes back and is processed", async () => {
    const published = await h.publisher().publish("timed", { n: 7, text: LARGE });
    const rule = h.proxy.inject({
      service: "s3",
      action: "GetObject",
      times: 1,
      fault: { kind: "delay", ms: 5_000 },
    });
    await h.settleAndCheck("GetObject held past the timeout", [published]);
    expect(rule.hits).toBe(1);
    const timedOut = h.outcomes.filter(
      (o) => o.kind === "failed" && o.jobType === "timed" && o.jobId === null,
    );
    expect(timedOut.map((o) => [o.attempt, o.errorCode, o.reason])).toContainEqual([
      1,
      "Sandbox.Timedout",
      "Sandbox.Timedout: Task timed out after 1 seconds",
    ]);
    expect(attemptsOf(published.jobId)).toEqual([[2, "processed"]]);
  });

  it("S3 PutObject fails for a consumer's follow-up publish: the job is retried, and the follow-up's pointer never precedes its object", async () => {
    const rule = h.proxy.inject({
      service: "s3",
      action: "PutObject",
      times: 3,
      fault: { kind: "error", status: 503, code: "SlowDown" },
    });
    const published = await h.publisher().publish("work", { n: 8, mode: "publish-large" });
    const result = await h.settleAndCheck("follow-up PutObject SlowDown ×3", [published]);
    expect(rule.hits).toBe(3);
    expect(attemptsOf(published.jobId)).toEqual([
      [1, "failed"],
      [2, "processed"],
    ]);
    expect(result.pointerBeforeObject).toEqual([]);
    expect(h.outcomes.find((o) => o.jobId === published.jobId && o.kind === "failed")?.errorCode).toBe(
      "PublishError",
    );
  });
});
