import { describe, expect, it } from "vitest";
import {
  errorCode,
  FanoutError,
  isPermanent,
  JobValidationError,
  PublishError,
  UndeclaredFollowUpError,
  WrongQueueError,
} from "../../src/core/errors.ts";

describe("Fanout's errors", () => {
  it("carry where they happened as fields, and their class as name and code", () => {
    const error = new WrongQueueError("resize-image", "send-receipt", {
      jobId: "j-1",
      queueUrl: "https://sqs.eu-west-1.amazonaws.com/123456789012/shop-send-receipt",
    });
    expect(error).toBeInstanceOf(FanoutError);
    expect(error).toMatchObject({
      name: "WrongQueueError",
      jobType: "resize-image",
      jobId: "j-1",
      queueJobType: "send-receipt",
      queueUrl: "https://sqs.eu-west-1.amazonaws.com/123456789012/shop-send-receipt",
      permanent: true,
    });
    expect(errorCode(error)).toBe("WrongQueueError");
    expect(error.message).toMatch(
      /^A "resize-image" job reached the queue of "send-receipt".*Fix the routing/,
    );
    expect(error.message).not.toMatch(/Add it to the registry/);
  });

  it("keep the cause they wrap", () => {
    const cause = new Error("socket hang up");
    const error = new PublishError("SNS did not accept job j-1 (echo): socket hang up", {
      cause,
      jobId: "j-1",
    });
    expect(error.cause).toBe(cause);
    expect(isPermanent(error)).toBe(false);
  });

  it("say what to fix", () => {
    expect(new UndeclaredFollowUpError("check-order", "send-notification").message).toBe(
      'Job type "check-order" published a "send-notification" follow-up, which its worker settings do not list: add "send-notification" to worker.publishes of "check-order" (the deployed function may only publish the types listed there).',
    );
    expect(new JobValidationError("echo", [{ path: "", message: "Required" }]).message).toBe(
      'Payload for job type "echo" is invalid: (payload): Required. Fix the payload to match the job\'s schema.',
    );
  });
});
