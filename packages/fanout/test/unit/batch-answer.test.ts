import type { SNSClient } from "@aws-sdk/client-sns";
import { afterEach, describe, expect, it, vi } from "vitest";
import { backoffDelay } from "../../src/core/backoff.ts";
import { judgeBatchAnswer } from "../../src/core/batch-sender.ts";
import { PublishError } from "../../src/core/errors.ts";
import type { PayloadWriter } from "../../src/core/payload-store.ts";
import { Publisher } from "../../src/core/publisher.ts";
import { testRegistry } from "../fixtures/registry.ts";
import { preparedMessage } from "./factories.ts";

const senderFault = (id: string) => ({
  Id: id,
  Code: "InvalidParameter",
  SenderFault: true,
  Message: "too long",
});
const serviceFault = (id: string) => ({ Id: id, Code: "InternalError", SenderFault: false });

describe("reading a PublishBatch answer", () => {
  const [a, b, c] = ["a", "b", "c"].map(preparedMessage) as [
    ReturnType<typeof preparedMessage>,
    ReturnType<typeof preparedMessage>,
    ReturnType<typeof preparedMessage>,
  ];

  it("keeps the message id of each entry SNS took", () => {
    const verdict = judgeBatchAnswer([a], { Successful: [{ Id: "0", MessageId: "m-1" }] }, false);
    expect(verdict.outcomes.get(a)).toMatchObject({ ok: true, jobId: "a", messageId: "m-1" });
    expect(verdict.retry).toEqual([]);
  });

  it("fails a sender-fault entry at once, even with attempts left: SNS will never take it", () => {
    const verdict = judgeBatchAnswer(
      [a, b],
      { Successful: [{ Id: "1" }], Failed: [senderFault("0")] },
      false,
    );
    expect(verdict.retry).toEqual([]);
    const outcome = verdict.outcomes.get(a);
    expect(outcome).toMatchObject({ ok: false, jobId: "a" });
    expect(outcome?.ok === false && outcome.error).toBeInstanceOf(PublishError);
    expect(outcome?.ok === false && outcome.error.message).toMatch(
      /SNS refused the entry: InvalidParameter: too long/,
    );
  });

  it("sends a service-fault entry again while attempts are left, and fails it on the last", () => {
    expect(judgeBatchAnswer([a], { Failed: [serviceFault("0")] }, false).retry).toEqual([a]);
    const last = judgeBatchAnswer([a], { Failed: [serviceFault("0")] }, true);
    expect(last.retry).toEqual([]);
    expect(last.outcomes.get(a)).toMatchObject({ ok: false });
  });

  it("sends an entry the answer does not mention again, and fails it on the last attempt", () => {
    expect(judgeBatchAnswer([a, b, c], { Successful: [{ Id: "1" }] }, false).retry).toEqual([a, c]);
    const last = judgeBatchAnswer([a], {}, true).outcomes.get(a);
    expect(last?.ok === false && last.error.message).toMatch(/without a result for this entry/);
  });
});

describe("Publisher.publishMany against a PublishBatch that refuses some entries", () => {
  const payloads: PayloadWriter = {
    bucket: "unused",
    put: () => Promise.reject(new Error("no job here is large enough to be offloaded")),
  };

  it("resends only the service-fault entry, never the sender-fault one", async () => {
    const requests: string[][] = [];
    const send = vi.fn(async (command: { input: { PublishBatchRequestEntries: { Message: string }[] } }) => {
      const ns = command.input.PublishBatchRequestEntries.map((e) => String(JSON.parse(e.Message).payload.n));
      requests.push(ns);
      if (requests.length === 1)
        return { Successful: [{ Id: "2", MessageId: "m-3" }], Failed: [senderFault("0"), serviceFault("1")] };
      return { Successful: [{ Id: "0", MessageId: "m-2" }] };
    });
    const publisher = new Publisher({
      registry: testRegistry,
      sns: { send } as unknown as SNSClient,
      payloads,
      topicArn: "arn:aws:sns:us-east-1:123456789012:fanout-test-jobs",
      retry: { attempts: 3, baseDelayMs: 0, maxDelayMs: 0 },
    });
    const outcomes = await publisher.publishMany(
      [1, 2, 3].map((n) => ({ type: "echo" as const, payload: { n } })),
    );
    expect(requests).toEqual([["1", "2", "3"], ["2"]]);
    expect(outcomes.map((o) => o.ok)).toEqual([false, true, true]);
    expect(outcomes.map((o) => (o.ok ? o.messageId : o.error.name))).toEqual(["PublishError", "m-2", "m-3"]);
  });
});

describe("the publisher's retry delay", () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it("draws from zero up to base × 2^(attempt − 1)", () => {
    vi.spyOn(Math, "random").mockReturnValue(0.999_999);
    const policy = { attempts: 5, baseDelayMs: 100, maxDelayMs: 5_000 };
    expect([1, 2, 3, 4].map((attempt) => backoffDelay(policy, attempt))).toEqual([100, 200, 400, 800]);
  });

  it("never waits longer than its maximum", () => {
    vi.spyOn(Math, "random").mockReturnValue(0.999_999);
    expect(backoffDelay({ attempts: 20, baseDelayMs: 100, maxDelayMs: 5_000 }, 12)).toBe(5_000);
  });
});
