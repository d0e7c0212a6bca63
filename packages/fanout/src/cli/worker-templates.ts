/** The files `add-worker` writes for a new job type; each passes `tsc` and `biome check` as written. */

export function jobModule(type: string, identifier: string, description: string): string {
  return `import { defineJob } from "fanout";
import { z } from "zod";

/** ${description} */
export const ${identifier} = defineJob({
  type: "${type}",
  description: ${JSON.stringify(description)},
  // The contract with producers: \`fanout publish\` and \`publish()\` refuse payloads that do not match it.
  schema: z.object({
    message: z.string().min(1).max(1_000),
  }),
});
`;
}

/** `registryImport` is the registry module's path relative to the handler. */
export function handlerModule(type: string, registryImport: string): string {
  return `import { createJobHandler } from "fanout";
import { registry } from "${registryImport}";

export const handler = createJobHandler(registry, "${type}", async (payload, { logger }) => {
  // Throw to retry the job (PermanentJobError to dead-letter it at once); return to acknowledge it.
  logger.info("${type} job done", { characters: payload.message.length });
});
`;
}

/** `registryImport` is the registry module's path relative to the test. */
export function handlerTest(type: string, registryImport: string): string {
  return `import { type JobOutcome, loadConfig, PayloadStore, Publisher } from "fanout";
import { type LocalFanout, startLocalFanout } from "fanout/local";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registry } from "${registryImport}";

describe("${type} jobs on the local cloud", () => {
  let fanout: LocalFanout;
  let publisher: Publisher<typeof registry>;
  const outcomes: JobOutcome[] = [];

  beforeAll(async () => {
    const { handlerPath } = await loadConfig();
    fanout = await startLocalFanout({ registry, port: 0, handlerPath });
    fanout.runners.get("${type}")?.on("outcome", (outcome) => outcomes.push(outcome));
    publisher = new Publisher({
      registry,
      sns: fanout.clients.sns,
      payloads: new PayloadStore({ s3: fanout.clients.s3, bucket: fanout.provisioned.bucket }),
      topicArn: fanout.provisioned.topicArn,
    });
  });
  afterAll(() => fanout?.stop());

  it("provisions the queue, delivers a published job to the handler and processes it", async () => {
    expect(fanout.provisioned.queues.has("${type}")).toBe(true);
    const { jobId } = await publisher.publish("${type}", { message: "hello" });
    await expect
      .poll(() => outcomes.find((o) => o.jobId === jobId)?.kind, { timeout: 30_000, interval: 50 })
      .toBe("processed");
  });

  it("refuses a payload that does not match the schema before sending it", async () => {
    await expect(publisher.publish("${type}", { message: "" })).rejects.toThrow(/is invalid/);
  });
});
`;
}
