import { Logger } from "@aws-lambda-powertools/logger";
import type { Context } from "aws-lambda";
import { describe, expect, it, vi } from "vitest";
import { createJobHandler } from "../../src/consumer/job-handler.ts";
import type { JobOutcome } from "../../src/consumer/outcome.ts";
import { onJobOutcome } from "../../src/consumer/outcome.ts";
import { encodeEnvelope } from "../../src/core/envelope.ts";
import { UndeclaredFollowUpError } from "../../src/core/errors.ts";
import { testRegistry } from "../fixtures/registry.ts";
import { sqsRecord } from "./factories.ts";

const resources = {
  topicArn: "arn:aws:sns:us-east-1:123456789012:fanout-test-jobs",
  bucket: "fanout-test-payloads",
  queueUrl: "https://sqs.us-east-1.amazonaws.com/123456789012/fanout-test-echo",
  dlqUrl: "https://sqs.us-east-1.amazonaws.com/123456789012/fanout-test-echo-dlq",
};
const lambdaContext = { getRemainingTimeInMillis: () => 30_000 } as Context;

function echoRecord(id: string, n: number) {
  const body = encodeEnvelope({
    v: 1,
    id,
    type: "echo",
    createdAt: new Date().toISOString(),
    payload: { n },
  });
  return sqsRecord({ messageId: `m-${id}`, body, receiveCount: 2 });
}

// An inline job that succeeds needs no AWS request: these run without a network.
describe("createJobHandler reports each record's outcome", () => {
  it("to onOutcome, to the logger it is given, and on the outcome channel, with one shape", async () => {
    const logger = new Logger({ serviceName: "orders", logLevel: "DEBUG" });
    const summarised = vi.spyOn(logger, "info").mockImplementation(() => {});
    const logged = vi.spyOn(logger, "debug").mockImplementation(() => {});
    const reported: JobOutcome[] = [];
    const published: JobOutcome[] = [];
    const unsubscribe = onJobOutcome((outcome) => published.push(outcome));
    const seen: number[] = [];
    const handler = createJobHandler(testRegistry, "echo", async (payload) => void seen.push(payload.n), {
      resources,
      logger,
      onOutcome: (outcome) => reported.push(outcome),
      metrics: false,
    });
    try {
      const response = await handler(
        { Records: [echoRecord("j-1", 1), echoRecord("j-2", 2)] },
        lambdaContext,
      );
      expect(response).toEqual({ batchItemFailures: [] });
    } finally {
      unsubscribe();
    }
    expect(seen).toEqual([1, 2]);
    expect(reported).toEqual([
      expect.objectContaining({
        kind: "processed",
        jobType: "echo",
        jobId: "j-1",
        messageId: "m-j-1",
        attempt: 2,
        offloaded: false,
      }),
      expect.objectContaining({ kind: "processed", jobId: "j-2", attempt: 2 }),
    ]);
    expect(published).toEqual(reported);
    expect(logged).toHaveBeenCalledWith(
      "job processed",
      expect.objectContaining({ jobType: "echo", jobId: "j-1", outcome: "processed", attempt: 2 }),
    );
    expect(summarised.mock.calls).toEqual([["jobs processed", { processed: 2, processedJobIds: "j-1 j-2" }]]);
  });

  it("keeps the outcome when onOutcome throws, and says so in the log", async () => {
    const logger = new Logger({ serviceName: "orders", logLevel: "SILENT" });
    const warned = vi.spyOn(logger, "warn");
    const handler = createJobHandler(testRegistry, "echo", async () => {}, {
      resources,
      logger,
      onOutcome: () => {
        throw new Error("metrics are down");
      },
    });
    expect(await handler({ Records: [echoRecord("j-3", 3)] }, lambdaContext)).toEqual({
      batchItemFailures: [],
    });
    expect(warned).toHaveBeenCalledWith("onOutcome threw; the outcome stands", { error: "metrics are down" });
  });
});

describe("createJobHandler gives each job its context", () => {
  it("with the job's ids, a logger whose lines name the job, and functions a job may destructure", async () => {
    const lines: string[] = [];
    const write = vi.spyOn(process.stdout, "write").mockImplementation((chunk) => {
      lines.push(String(chunk));
      return true;
    });
    let seen: { remaining: number; refusal: unknown; ids: unknown } | undefined;
    const handler = createJobHandler(
      testRegistry,
      "echo",
      async (_payload, { logger, publish, remainingTimeMs, jobId, jobType, correlationId, attempt }) => {
        logger.info("charging the card");
        const refusal = await publish("always-fails", { n: 1 }).catch((error: unknown) => error);
        seen = { remaining: remainingTimeMs(), refusal, ids: { jobId, jobType, correlationId, attempt } };
      },
      { resources, metrics: false },
    );
    try {
      await handler({ Records: [echoRecord("j-4", 4)] }, lambdaContext);
    } finally {
      write.mockRestore();
    }
    expect(seen?.ids).toEqual({ jobId: "j-4", jobType: "echo", correlationId: "j-4", attempt: 2 });
    expect(seen?.remaining).toBe(30_000);
    expect(seen?.refusal).toBeInstanceOf(UndeclaredFollowUpError);
    const line = lines.map((l) => JSON.parse(l)).find((l) => l.message === "charging the card");
    expect(line).toMatchObject({ jobType: "echo", jobId: "j-4", correlationId: "j-4", attempt: 2 });
  });
});
