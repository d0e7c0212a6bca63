import { describe, expect, it } from "vitest";
import { isTransientAwsError } from "../../src/core/transient.ts";

/** An error shaped as the AWS SDK v3 throws it: a name, a fault, the HTTP status of the answer. */
const answer = (
  name: string,
  status: number,
  fault: "client" | "server" = status >= 500 ? "server" : "client",
) => Object.assign(new Error(name), { name, $fault: fault, $metadata: { httpStatusCode: status } });

describe("isTransientAwsError: only what may succeed when sent again", () => {
  it.each([
    ["a 500 InternalError", answer("InternalError", 500)],
    ["a 503 ServiceUnavailable", answer("ServiceUnavailable", 503)],
    ["throttling (400 Throttling)", answer("Throttling", 400)],
    ["S3's SlowDown", answer("SlowDown", 503)],
    ["a 429", answer("TooManyRequests", 429)],
    [
      "a connection reset before any answer",
      Object.assign(new Error("socket hang up"), { code: "ECONNRESET" }),
    ],
    ["the SDK's request timeout", Object.assign(new Error("timed out"), { name: "TimeoutError" })],
    ["what the SDK marks retryable", Object.assign(new Error("x"), { $retryable: { throttling: false } })],
  ])("%s is transient", (_what, error) => {
    expect(isTransientAwsError(error)).toBe(true);
  });

  it.each([
    ["a 403 AccessDenied", answer("AccessDenied", 403)],
    ["a 400 InvalidParameterValue", answer("InvalidParameterValue", 400)],
    ["a TypeError from our own code", new TypeError("x is not a function")],
    ["a URIError from a lone surrogate", new URIError("URI malformed")],
    [
      "missing credentials",
      Object.assign(new Error("Could not load credentials"), { name: "CredentialsProviderError" }),
    ],
    ["a string", "boom"],
    ["undefined", undefined],
  ])("%s is not", (_what, error) => {
    expect(isTransientAwsError(error)).toBe(false);
  });
});
