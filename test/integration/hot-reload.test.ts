import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { pathToFileURL } from "node:url";
import { GetQueueAttributesCommand, GetQueueUrlCommand } from "@aws-sdk/client-sqs";
import {
  type AwsClients,
  createAwsClients,
  destroyAwsClients,
  PayloadStore,
  Publisher,
  type Registry,
} from "fanout";
import { LOCAL_CREDENTIALS, LOCAL_REGION } from "fanout/local";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitUntil } from "../../packages/fanout/test/support/local-fanout-kit.ts";
import { binEnvironment, FANOUT_BIN, PROJECT_ROOT } from "../support/fanout-bin.ts";

type Line = Record<string, unknown>;

const registrySource = (extraJob = "") => `import { defineJob, defineRegistry } from "fanout";
import { z } from "zod";

export const registry = defineRegistry({
  app: "hotreload",
  keepMessagesWithoutAttributes: false,
  jobs: [
    defineJob({
      type: "stamp",
      description: "Logs which version of its handler ran it.",
      schema: z.object({ n: z.number().int(), hold: z.boolean().default(false) }),
      worker: { batchSize: 1, timeoutSeconds: 60, maxReceiveCount: 3 },
    }),${extraJob}
  ],
});
`;

/** A job with `hold` waits, in its handler, until the test creates the gate file: it is in flight until then. */
const handlerSource = (version: string) => `import { existsSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { createJobHandler } from "fanout";
import { registry } from "../jobs.ts";

const GATE = new URL("../gate", import.meta.url);

export const handler = createJobHandler(registry, "stamp", async (job, { logger }) => {
  if (job.hold) {
    logger.info("holding", { n: job.n });
    while (!existsSync(GATE)) await sleep(20);
  }
  logger.info("stamped", { n: job.n, version: "${version}" });
});
`;

describe("fanout start reloads a handler edited while it runs", () => {
  const app = mkdtempSync(join(tmpdir(), "fanout-hot-reload-"));
  const lines: Line[] = [];
  let child: ChildProcess;
  let exited: Promise<unknown>;
  let clients: AwsClients;
  let publisher: Publisher<Registry>;

  /** As an editor saves: the whole new content appears at once. */
  const save = (file: string, content: string) => {
    const temporary = join(app, `.${file.replaceAll("/", "-")}.tmp`);
    writeFileSync(temporary, content);
    renameSync(temporary, join(app, file));
  };
  const linesWith = (fields: Line) =>
    lines.filter((line) => Object.entries(fields).every(([key, value]) => line[key] === value));
  const waitForLine = (fields: Line, timeout = 30_000) =>
    expect.poll(() => linesWith(fields).length, { timeout, interval: 50 }).toBeGreaterThan(0);
  const publish = async (n: number, hold = false) => (await publisher.publish("stamp", { n, hold })).jobId;
  /** The version of the handler that ran each job, once per run: a job run twice appears twice. */
  const runs = (jobIds: readonly string[]) =>
    jobIds.map((jobId) => linesWith({ message: "stamped", jobId }).map((line) => line.version));

  beforeAll(async () => {
    symlinkSync(join(PROJECT_ROOT, "node_modules"), join(app, "node_modules"), "dir");
    writeFileSync(
      join(app, "package.json"),
      '{ "name": "hot-reload-app", "private": true, "type": "module" }\n',
    );
    writeFileSync(
      join(app, "fanout.config.ts"),
      'import { defineConfig } from "fanout";\n\nexport default defineConfig({ registry: "./jobs.ts", handlers: "./handlers" });\n',
    );
    writeFileSync(join(app, "jobs.ts"), registrySource());
    mkdirSync(join(app, "handlers"));
    writeFileSync(join(app, "handlers", "stamp.ts"), handlerSource("v1"));

    child = spawn(FANOUT_BIN, ["start", "--json"], {
      cwd: app,
      env: binEnvironment({ FANOUT_LOCAL_PORT: "0", FANOUT_DASHBOARD_PORT: "0" }),
      stdio: ["ignore", "pipe", "inherit"],
    });
    exited = once(child, "exit");
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on("line", (line) =>
      lines.push(JSON.parse(line) as Line),
    );
    await waitUntil(
      () => linesWith({ message: "local cloud ready" }).length > 0 || child.exitCode !== null,
      60_000,
      () => JSON.stringify(lines),
    );
    const ready = linesWith({ message: "local cloud ready" })[0] as Line;
    expect(ready.watching).toEqual(["handlers/", "./", "fanout.config.ts"]);
    clients = createAwsClients({
      endpoint: String(ready.endpoint),
      region: LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
    });
    const { registry } = (await import(pathToFileURL(join(app, "jobs.ts")).href)) as { registry: Registry };
    publisher = new Publisher({
      registry,
      sns: clients.sns,
      payloads: new PayloadStore({ s3: clients.s3, bucket: String(ready.bucket) }),
      topicArn: String(ready.topicArn),
    });
  }, 90_000);

  afterAll(async () => {
    if (clients) destroyAwsClients(clients);
    if (child && child.exitCode === null) {
      child.kill("SIGINT");
      await exited;
    }
    rmSync(app, { recursive: true, force: true });
  });

  it("runs the next job on the new code, finishes the job in flight on the old, and loses or repeats none", async () => {
    const first = await publish(1);
    await expect.poll(() => runs([first]), { timeout: 30_000, interval: 50 }).toEqual([["v1"]]);

    const inFlight = await publish(2, true);
    await waitForLine({ message: "holding", jobId: inFlight });
    save("handlers/stamp.ts", handlerSource("v2"));
    await waitForLine({ message: "reloaded", file: "handlers/stamp.ts" });
    const after: string[] = [];
    for (let n = 3; n <= 7; n++) after.push(await publish(n));
    writeFileSync(join(app, "gate"), "");

    const all = [first, inFlight, ...after];
    const processed = () => all.map((jobId) => linesWith({ outcome: "processed", jobId }).length);
    await expect.poll(() => processed().every((count) => count > 0), { timeout: 60_000 }).toBe(true);
    expect(runs(all)).toEqual([["v1"], ["v1"], ["v2"], ["v2"], ["v2"], ["v2"], ["v2"]]);
    expect(processed()).toEqual(all.map(() => 1));
    expect(lines.filter((line) => line.outcome !== undefined && line.outcome !== "processed")).toEqual([]);
    expect(linesWith({ message: "reload failed" })).toEqual([]);
    // Nothing waits for a retry, and nothing was dead-lettered.
    const depth = async (queueName: string) => {
      const { QueueUrl } = await clients.sqs.send(new GetQueueUrlCommand({ QueueName: queueName }));
      const { Attributes } = await clients.sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl,
          AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        }),
      );
      return (
        Number(Attributes?.ApproximateNumberOfMessages) +
        Number(Attributes?.ApproximateNumberOfMessagesNotVisible)
      );
    };
    // A processed job is deleted right after its invocation returns.
    await expect.poll(() => depth("hotreload-stamp"), { timeout: 10_000 }).toBe(0);
    expect(await depth("hotreload-stamp-dlq")).toBe(0);
  }, 120_000);

  it("keeps running the previous code while the handler does not load, and says why", async () => {
    save("handlers/stamp.ts", `${handlerSource("v3")}\nexport const broken = ;\n`);
    await waitForLine({ message: "reload failed", file: "handlers/stamp.ts" });
    const failedLoad = linesWith({ message: "reload failed" })[0] as Line;
    expect(failedLoad.jobTypes).toEqual(["stamp"]);
    expect(String(failedLoad.error)).toMatch(/SyntaxError|Unexpected|Expression expected/);

    const meanwhile = await publish(8);
    await expect.poll(() => runs([meanwhile]), { timeout: 30_000, interval: 50 }).toEqual([["v2"]]);
  }, 60_000);

  it("says that a job type added to the registry needs a restart, and reloads the handlers all the same", async () => {
    save("handlers/stamp.ts", handlerSource("v4"));
    await expect
      .poll(() => linesWith({ message: "reloaded", file: "handlers/stamp.ts" }).length, { timeout: 30_000 })
      .toBe(2);
    save(
      "jobs.ts",
      registrySource(`
    defineJob({ type: "stamp-twice", description: "Another type.", schema: z.object({}) }),`),
    );
    await waitForLine({ message: "restart needed", file: "jobs.ts" });
    expect(linesWith({ message: "restart needed" })[0]?.changes).toEqual(["adds stamp-twice"]);
    await waitForLine({ message: "reloaded", file: "jobs.ts" });

    const later = await publish(9);
    await expect.poll(() => runs([later]), { timeout: 30_000, interval: 50 }).toEqual([["v4"]]);
  }, 60_000);
});
