import type { PublishBatchCommandOutput } from "@aws-sdk/client-sns";
import type { InitializeMiddleware } from "@smithy/types";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeEnvelope } from "../../src/core/envelope.ts";
import { JobValidationError, UnknownJobTypeError } from "../../src/core/errors.ts";
import type { JobRequest } from "../../src/core/publisher.ts";
import type { TestRegistry } from "../fixtures/registry.ts";
import { drain, type Harness, startHarness } from "../support/harness.ts";

// biome-ignore lint/suspicious/noExplicitAny: the SNS client's middleware stack is typed over every command
type Middleware = InitializeMiddleware<any, any>;

/** Records every SNS request the real client sends, by command name, with its entries' job ids. */
function recordRequests(h: Harness) {
  const requests: { command: string; jobIds: string[] }[] = [];
  const middleware: Middleware = (next, context) => async (args) => {
    const input = args.input as { PublishBatchRequestEntries?: { Message?: string }[] };
    requests.push({
      command: context.commandName ?? "",
      jobIds: (input.PublishBatchRequestEntries ?? []).map((e) => decodeEnvelope(e.Message ?? "").id),
    });
    return next(args);
  };
  h.fanout.clients.sns.middlewareStack.add(middleware, { step: "initialize", name: "recordRequests" });
  return {
    requests,
    remove: () => h.fanout.clients.sns.middlewareStack.remove("recordRequests"),
  };
}

function smallJobs(count: number): JobRequest<TestRegistry>[] {
  return Array.from({ length: count }, (_, n) => ({ type: "echo", payload: { n } }));
}

describe("bulk publishing through PublishBatch", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ workers: false });
  });
  afterAll(() => h.stop());

  it("publishes 25 small jobs in 3 PublishBatch requests, each job exactly once", async () => {
    const recorder = recordRequests(h);
    const outcomes = await h.publisher().publishMany(smallJobs(25));
    recorder.remove();
    expect(recorder.requests.map((r) => [r.command, r.jobIds.length])).toEqual([
      ["PublishBatchCommand", 10],
      ["PublishBatchCommand", 10],
      ["PublishBatchCommand", 5],
    ]);
    expect(outcomes.every((o) => o.ok)).toBe(true);
    const received = await drain(h.fanout.clients.sqs, h.queueUrl("echo"), 25);
    expect(
      received
        .map((m) => decodeEnvelope(m.Body ?? "").payload)
        .sort((a, b) => (a as { n: number }).n - (b as { n: number }).n),
    ).toEqual(Array.from({ length: 25 }, (_, n) => ({ n })));
  });

  it("packs by size too: jobs near 100 KiB go at most two to a request", async () => {
    const recorder = recordRequests(h);
    const text = "x".repeat(100 * 1024);
    const outcomes = await h
      .publisher()
      .publishMany(Array.from({ length: 5 }, (_, n) => ({ type: "echo", payload: { n, text } })));
    recorder.remove();
    expect(outcomes.every((o) => o.ok && !o.offloaded)).toBe(true);
    expect(recorder.requests.map((r) => r.jobIds.length)).toEqual([2, 2, 1]);
    await drain(h.fanout.clients.sqs, h.queueUrl("echo"), 5);
  });

  it("retries only the entry SNS failed, and the job arrives once", async () => {
    const recorder = recordRequests(h);
    let throttled: string | undefined;
    // The local cloud never throttles one entry of a batch; this stands in for SNS doing so once.
    const throttleOnce: Middleware = (next) => async (args) => {
      const input = args.input as { PublishBatchRequestEntries: { Id: string; Message: string }[] };
      if (throttled !== undefined || input.PublishBatchRequestEntries.length < 2) return next(args);
      const [victim, ...rest] = input.PublishBatchRequestEntries;
      throttled = decodeEnvelope(victim?.Message ?? "").id;
      const result = await next({ ...args, input: { ...input, PublishBatchRequestEntries: rest } });
      const output = result.output as PublishBatchCommandOutput;
      output.Failed = [{ Id: victim?.Id, Code: "Throttled", SenderFault: false, Message: "Rate exceeded" }];
      return result;
    };
    h.fanout.clients.sns.middlewareStack.add(throttleOnce, {
      step: "initialize",
      name: "throttleOnce",
      priority: "low",
    });
    const outcomes = await h
      .publisher({ retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 1 } })
      .publishMany(smallJobs(5));
    h.fanout.clients.sns.middlewareStack.remove("throttleOnce");
    recorder.remove();

    expect(recorder.requests.map((r) => r.jobIds)).toEqual([outcomes.map((o) => o.jobId), [throttled]]);
    expect(outcomes.every((o) => o.ok)).toBe(true);
    const received = await drain(h.fanout.clients.sqs, h.queueUrl("echo"), 5);
    expect(received.map((m) => decodeEnvelope(m.Body ?? "").id).sort()).toEqual(
      outcomes.map((o) => o.jobId).sort(),
    );
  });

  it("rejects an invalid payload with a typed error before anything is sent", async () => {
    const recorder = recordRequests(h);
    const publish = h.publisher().publish("echo", { n: "seven" } as unknown as { n: number });
    await expect(publish).rejects.toBeInstanceOf(JobValidationError);
    await expect(publish).rejects.toThrow(/Payload for job type "echo" is invalid: n: /);
    await expect(h.publisher().publish("nope" as "echo", { n: 1 })).rejects.toBeInstanceOf(
      UnknownJobTypeError,
    );
    recorder.remove();
    expect(recorder.requests).toEqual([]);
    expect(await drain(h.fanout.clients.sqs, h.queueUrl("echo"))).toEqual([]);
  });

  it("reports invalid jobs of a bulk publish one by one and sends the rest", async () => {
    const outcomes = await h.publisher().publishMany([
      { type: "echo", payload: { n: 1 } },
      { type: "echo", payload: { n: 1.5 } },
      { type: "echo", payload: { n: 3 } },
    ]);
    expect(outcomes.map((o) => o.ok)).toEqual([true, false, true]);
    const failed = outcomes[1];
    expect(failed?.ok === false && failed.error).toBeInstanceOf(JobValidationError);
    expect(await drain(h.fanout.clients.sqs, h.queueUrl("echo"), 2)).toHaveLength(2);
  });
});
