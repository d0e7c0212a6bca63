import { randomUUID } from "node:crypto";
import { parentPort, workerData } from "node:worker_threads";
import type { Context } from "aws-lambda";
import { onJobOutcome } from "../consumer/outcome.ts";
import type { SandboxSettings } from "./lambda-sandbox.ts";

interface Invocation {
  readonly id: number;
  readonly event: unknown;
  readonly deadline: number;
}

const settings = workerData as SandboxSettings;
const module = (await import(settings.handlerPath)) as {
  handler?: (event: unknown, context: Context) => Promise<unknown>;
};
const handler = module.handler;
if (typeof handler !== "function") {
  throw new TypeError(`${settings.handlerPath} does not export a function named "handler".`);
}

function lambdaContext(deadline: number): Context {
  const unsupported = () => {
    throw new Error("Callback-style completion is not supported; return a promise.");
  };
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: settings.functionName,
    functionVersion: "$LATEST",
    invokedFunctionArn: `arn:aws:lambda:${settings.region}:000000000000:function:${settings.functionName}`,
    memoryLimitInMB: String(settings.memoryMb),
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${settings.functionName}`,
    logStreamName: `local/${process.pid}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: unsupported,
    fail: unsupported,
    succeed: unsupported,
  };
}

/** Resolves once everything written to `stream` before has reached the parent thread. */
function flushed(stream: NodeJS.WritableStream): Promise<void> {
  return new Promise((resolve) => stream.write("", () => resolve()));
}

parentPort?.on("message", async (message: Invocation | { readonly flush: true }) => {
  if ("flush" in message) {
    await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
    parentPort?.postMessage({ flushed: true });
    return;
  }
  const invocation = message;
  try {
    const result = await handler(invocation.event, lambdaContext(invocation.deadline));
    parentPort?.postMessage({ id: invocation.id, result });
  } catch (error) {
    const e = error as Error;
    parentPort?.postMessage({
      id: invocation.id,
      error: { name: e?.name ?? "Error", message: e?.message ?? String(error) },
    });
  }
});
// The consumer publishes every outcome in this thread, whichever copy of Fanout the handler imported.
onJobOutcome((outcome) => parentPort?.postMessage({ outcome }));
parentPort?.postMessage({ ready: true });
