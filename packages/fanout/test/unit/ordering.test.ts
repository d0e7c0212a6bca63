import { describe, expect, it } from "vitest";
import { z } from "zod";
import { InvalidGroupIdError, RegistryError } from "../../src/core/errors.ts";
import { fifoIdsOf } from "../../src/core/ordering.ts";
import { defineJob, defineRegistry, MAX_APP_LENGTH, MAX_TYPE_LENGTH } from "../../src/core/registry.ts";
import { describeTopology } from "../../src/core/topology.ts";

const schema = z.object({ orderId: z.string(), status: z.string(), shop: z.number().optional() });
const placement = { accountId: "123456789012", region: "eu-west-1" };

const ordered = (groupBy: Parameters<typeof defineJob<"update-order", typeof schema>>[0]["ordering"]) =>
  defineJob({ type: "update-order", description: "", schema, ...(groupBy ? { ordering: groupBy } : {}) });

describe("ordered job types", () => {
  it("group by a payload field, or by a function of the payload", () => {
    const byField = ordered({ groupBy: "orderId" });
    expect(fifoIdsOf(byField, { orderId: "o-1", status: "paid" }, "job-1")).toEqual({
      messageGroupId: "o-1",
      messageDeduplicationId: "job-1",
    });
    const byFunction = ordered({ groupBy: (p) => `shop-${p.shop ?? 0}` });
    expect(fifoIdsOf(byFunction, { orderId: "o-1", status: "paid", shop: 7 }, "job-2")?.messageGroupId).toBe(
      "shop-7",
    );
    const byNumber = ordered({ groupBy: "shop" });
    expect(fifoIdsOf(byNumber, { orderId: "o", status: "s", shop: 42 }, "j")?.messageGroupId).toBe("42");
    expect(fifoIdsOf(ordered(undefined), { orderId: "o", status: "s" }, "j")).toBeUndefined();
  });

  it.each([
    ["", "empty"],
    ["x".repeat(129), "longer than SNS's 128 characters"],
    ["order 1", "a space"],
    ["commande-é", "beyond ASCII"],
  ])("refuses the group id %j (%s) with InvalidGroupIdError, before anything is sent", (group) => {
    const job = ordered({ groupBy: () => group });
    expect(() => fifoIdsOf(job, { orderId: "o", status: "s" }, "job-1")).toThrow(InvalidGroupIdError);
    expect(() => fifoIdsOf(job, { orderId: "o", status: "s" }, "job-1")).toThrow(/1 to 128 characters/);
  });

  it("accepts every character SNS documents for a group id, up to 128 of them", () => {
    const punctuation = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";
    const group = `aZ09${punctuation}`.padEnd(128, "x");
    const job = ordered({ groupBy: () => group });
    expect(fifoIdsOf(job, { orderId: "o", status: "s" }, "j")?.messageGroupId).toBe(group);
  });

  it("refuses a missing group field, a function that throws, and a job id SNS would refuse as a dedup id", () => {
    const job = ordered({ groupBy: "shop" });
    expect(() => fifoIdsOf(job, { orderId: "o", status: "s" }, "j")).toThrow(InvalidGroupIdError);
    const throwing = ordered({
      groupBy: () => {
        throw new Error("no group");
      },
    });
    expect(() => fifoIdsOf(throwing, { orderId: "o", status: "s" }, "j")).toThrow(InvalidGroupIdError);
    const byField = ordered({ groupBy: "orderId" });
    const error = (() => {
      try {
        fifoIdsOf(byField, { orderId: "o", status: "s" }, "my job");
      } catch (e) {
        return e as InvalidGroupIdError;
      }
    })();
    expect(error?.field).toBe("jobId");
  });

  it("refuses worker settings Lambda does not allow on a FIFO queue", () => {
    for (const worker of [{ batchSize: 11, batchingWindowSeconds: 1 }, { batchingWindowSeconds: 5 }]) {
      expect(() =>
        defineJob({
          type: "update-order",
          description: "",
          schema,
          worker,
          ordering: { groupBy: "orderId" },
        }),
      ).toThrow(/ordered: its worker.batchSize must be at most 10 and worker.batchingWindowSeconds 0/);
    }
  });

  it("refuses a subscriber that lists an ordered type and a schedule of one", () => {
    const job = ordered({ groupBy: "orderId" });
    expect(() =>
      defineRegistry({
        app: "shop",
        jobs: [job],
        subscribers: [{ name: "audit", jobTypes: ["update-order"], description: "" }],
      }),
    ).toThrow(RegistryError);
    expect(() =>
      defineRegistry({
        app: "shop",
        jobs: [job],
        schedules: [
          {
            name: "nightly",
            expression: "cron(0 2 * * ? *)",
            jobType: "update-order",
            payload: { orderId: "o", status: "s" },
          },
        ],
      }),
    ).toThrow(/an ordered type; schedules publish to the standard topic/);
  });

  it("gives an ordered type FIFO queues on the FIFO topic, and keeps the standard types where they were", () => {
    const plain = defineJob({ type: "send-mail", description: "", schema });
    const topology = describeTopology(
      defineRegistry({ app: "shop", jobs: [plain, ordered({ groupBy: "orderId" })] }),
      placement,
    );
    const [mail, order] = topology.workers;
    expect(topology.fifoTopicName).toBe("shop-jobs.fifo");
    expect(mail).toMatchObject({ fifo: false, queueName: "shop-send-mail", dlqName: "shop-send-mail-dlq" });
    expect(order).toMatchObject({
      fifo: true,
      queueName: "shop-update-order.fifo",
      dlqName: "shop-update-order-dlq.fifo",
      deliveryDlqName: "shop-update-order-undelivered.fifo",
      filterPolicy: JSON.stringify({ jobType: ["update-order"] }),
    });
    expect(order?.names.function).toBe("shop-update-order");
    // A foreign producer's job of the ordered type on the standard topic reaches the unrouted queue.
    expect(JSON.parse(topology.unrouted.filterPolicy ?? "")).toEqual({
      $or: [{ jobType: [{ "anything-but": ["send-mail"] }] }, { jobType: [{ exists: false }] }],
    });
    expect(
      describeTopology(defineRegistry({ app: "shop", jobs: [plain] }), placement).fifoTopicName,
    ).toBeNull();
  });

  it("keeps the longest names within SQS's 80 and SNS's 256 characters, .fifo included", () => {
    const app = "a".repeat(MAX_APP_LENGTH);
    const type = `t${"x".repeat(MAX_TYPE_LENGTH - 1)}`;
    const job = defineJob({ type, description: "", schema, ordering: { groupBy: "orderId" } });
    const topology = describeTopology(defineRegistry({ app, jobs: [job] }), placement);
    const worker = topology.workers[0];
    expect(type).toHaveLength(MAX_TYPE_LENGTH);
    // AWS documents: a queue name has up to 80 characters (alphanumerics, hyphens, underscores), a FIFO
    // queue's ending .fifo; a topic name up to 256, a FIFO topic's ending .fifo.
    for (const name of [worker?.queueName, worker?.dlqName, worker?.deliveryDlqName]) {
      expect(name).toMatch(/^[A-Za-z0-9_-]{1,75}\.fifo$/);
      expect(name?.length).toBeLessThanOrEqual(80);
    }
    expect(topology.fifoTopicName).toMatch(/^[A-Za-z0-9_-]{1,251}\.fifo$/);
  });
});
