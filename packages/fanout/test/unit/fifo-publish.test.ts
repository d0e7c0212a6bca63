import type { SNSClient } from "@aws-sdk/client-sns";
import { PublishBatchCommand, PublishCommand } from "@aws-sdk/client-sns";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { decodeEnvelope } from "../../src/core/envelope.ts";
import { InvalidGroupIdError } from "../../src/core/errors.ts";
import { Publisher } from "../../src/core/publisher.ts";
import { defineJob, defineRegistry } from "../../src/core/registry.ts";

const registry = defineRegistry({
  app: "shop",
  jobs: [
    defineJob({
      type: "update-order",
      description: "",
      schema: z.object({ orderId: z.string(), step: z.number() }),
      ordering: { groupBy: "orderId" },
    }),
    defineJob({ type: "send-mail", description: "", schema: z.object({ to: z.string() }) }),
  ],
});

interface Entry {
  readonly topic: string;
  readonly group: string | undefined;
  readonly dedup: string | undefined;
  readonly step: number | undefined;
  readonly id: string;
}

/**
 * An SNS that records what it accepted, in order, and answers entries with a scripted failure: `fail` is asked
 * for each entry and returns a failure code (a sender fault when it starts with "Invalid") or nothing.
 */
function fakeSns(fail: (entry: Entry, seen: number) => string | undefined = () => undefined) {
  const accepted: Entry[] = [];
  const requests: Entry[][] = [];
  const seen = new Map<string, number>();
  const sns = {
    send: async (command: unknown) => {
      if (command instanceof PublishCommand) {
        const input = command.input;
        const envelope = decodeEnvelope(String(input.Message));
        accepted.push({
          topic: String(input.TopicArn),
          group: input.MessageGroupId,
          dedup: input.MessageDeduplicationId,
          step: (envelope.payload as { step?: number }).step,
          id: envelope.id,
        });
        return { MessageId: `m-${accepted.length}` };
      }
      if (!(command instanceof PublishBatchCommand)) throw new Error("unexpected command");
      const entries = (command.input.PublishBatchRequestEntries ?? []).map((e) => {
        const envelope = decodeEnvelope(String(e.Message));
        return {
          batchId: String(e.Id),
          entry: {
            topic: String(command.input.TopicArn),
            group: e.MessageGroupId,
            dedup: e.MessageDeduplicationId,
            step: (envelope.payload as { step?: number }).step,
            id: envelope.id,
          },
        };
      });
      requests.push(entries.map((e) => e.entry));
      const Successful: { Id: string; MessageId: string }[] = [];
      const Failed: { Id: string; Code: string; SenderFault: boolean }[] = [];
      for (const { batchId, entry } of entries) {
        const times = (seen.get(entry.id) ?? 0) + 1;
        seen.set(entry.id, times);
        const code = fail(entry, times);
        if (code) Failed.push({ Id: batchId, Code: code, SenderFault: code.startsWith("Invalid") });
        else {
          accepted.push(entry);
          Successful.push({ Id: batchId, MessageId: `m-${accepted.length}` });
        }
      }
      return { Successful, Failed };
    },
  } as unknown as SNSClient;
  return { sns, accepted, requests };
}

const publisherWith = (sns: SNSClient) =>
  new Publisher({
    registry,
    sns,
    payloads: { bucket: "b", put: async () => ({ bucket: "b", key: "k", size: 0, sha256: "" }) } as never,
    topicArn: "arn:aws:sns:eu-west-1:123456789012:shop-jobs",
    retry: { attempts: 3, baseDelayMs: 0, maxDelayMs: 0 },
  });

const jobsOf = (groups: readonly string[], perGroup: number) =>
  Array.from({ length: perGroup }, (_, step) =>
    groups.map((orderId) => ({
      type: "update-order" as const,
      jobId: `${orderId}-${step}`,
      payload: { orderId, step },
    })),
  ).flat();

const stepsOf = (entries: readonly Entry[], group: string) =>
  entries.filter((e) => e.group === group).map((e) => e.step);

describe("publishing ordered jobs", () => {
  it("sends them to the FIFO topic with the group from groupBy and the job id as deduplication id", async () => {
    const { sns, accepted } = fakeSns();
    const publisher = publisherWith(sns);
    await publisher.publish("update-order", { orderId: "o-1", step: 0 }, { jobId: "job-1" });
    await publisher.publish("send-mail", { to: "a@example.com" });
    expect(accepted[0]).toMatchObject({
      topic: "arn:aws:sns:eu-west-1:123456789012:shop-jobs.fifo",
      group: "o-1",
      dedup: "job-1",
    });
    expect(accepted[1]).toMatchObject({
      topic: "arn:aws:sns:eu-west-1:123456789012:shop-jobs",
      group: undefined,
    });
  });

  it("publishMany keeps each group's order across batches, one job of a group per request", async () => {
    const { sns, accepted, requests } = fakeSns();
    const groups = "abcdefghijkl".split("");
    const jobs = [...jobsOf(groups, 30), { type: "send-mail" as const, payload: { to: "x" } }];
    const outcomes = await publisherWith(sns).publishMany(jobs);
    expect(outcomes.every((o) => o.ok)).toBe(true);
    for (const group of groups) {
      expect(stepsOf(accepted, group)).toEqual(Array.from({ length: 30 }, (_, i) => i));
    }
    expect(accepted.filter((e) => e.group === undefined)).toHaveLength(1);
    const fifoRequests = requests.filter((r) => r[0]?.group !== undefined);
    for (const request of fifoRequests)
      expect(new Set(request.map((e) => e.group)).size).toBe(request.length);
    expect(Math.max(...fifoRequests.map((r) => r.length))).toBe(10);
  });

  it("a job SNS could not take for now is sent again before any later job of its group; other groups go on", async () => {
    const { sns, accepted } = fakeSns((entry, seen) =>
      entry.group === "b" && entry.step === 9 && seen <= 2 ? "Throttled" : undefined,
    );
    const outcomes = await publisherWith(sns).publishMany(jobsOf(["a", "b", "c"], 50));
    expect(outcomes.every((o) => o.ok)).toBe(true);
    for (const group of ["a", "b", "c"]) {
      expect(stepsOf(accepted, group)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    }
  });

  it("a job refused for good fails its group's later jobs unsent, naming it; other groups are published", async () => {
    const { sns, accepted } = fakeSns((entry) =>
      entry.group === "b" && entry.step === 9 ? "InvalidParameter" : undefined,
    );
    const jobs = jobsOf(["a", "b", "c"], 150);
    const outcomes = await publisherWith(sns).publishMany(jobs);
    expect(stepsOf(accepted, "b")).toEqual(Array.from({ length: 9 }, (_, i) => i));
    expect(stepsOf(accepted, "a")).toHaveLength(150);
    expect(stepsOf(accepted, "c")).toHaveLength(150);
    const failed = outcomes.filter((o) => !o.ok);
    expect(failed.map((o) => o.jobId)).toEqual(Array.from({ length: 141 }, (_, i) => `b-${i + 9}`));
    expect(failed[0]?.ok === false && failed[0].error.message).toMatch(/InvalidParameter/);
    expect(failed[1]?.ok === false && failed[1].error.message).toMatch(
      /not sent: job b-9 of the same group \(b\) was not published/,
    );
  });

  it("a job still refused after the last attempt holds its group's later jobs back the same way", async () => {
    const { sns, accepted } = fakeSns((entry) =>
      entry.group === "a" && entry.step === 3 ? "Throttled" : undefined,
    );
    const outcomes = await publisherWith(sns).publishMany(jobsOf(["a"], 20));
    expect(stepsOf(accepted, "a")).toEqual([0, 1, 2]);
    expect(outcomes.filter((o) => !o.ok)).toHaveLength(17);
  });

  it("refuses a job whose group id SNS would refuse with InvalidGroupIdError, unsent, in publish and publishMany", async () => {
    const { sns, accepted } = fakeSns();
    const publisher = publisherWith(sns);
    await expect(publisher.publish("update-order", { orderId: "order 1", step: 0 })).rejects.toThrow(
      InvalidGroupIdError,
    );
    const [bad, good] = await publisher.publishMany([
      { type: "update-order", payload: { orderId: "x".repeat(129), step: 0 } },
      { type: "update-order", payload: { orderId: "o-2", step: 0 } },
    ]);
    expect(bad?.ok === false && bad.error).toBeInstanceOf(InvalidGroupIdError);
    expect(good?.ok).toBe(true);
    expect(accepted.map((e) => e.group)).toEqual(["o-2"]);
  });

  it("refuses a delay for an ordered type, unsent", async () => {
    const { sns, accepted } = fakeSns();
    await expect(
      publisherWith(sns).publish("update-order", { orderId: "o", step: 1 }, { delaySeconds: 10 }),
    ).rejects.toThrow(/ordered job type cannot be delayed/);
    expect(accepted).toEqual([]);
  });
});
