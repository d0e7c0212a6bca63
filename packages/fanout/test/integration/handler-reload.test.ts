import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { GetQueueAttributesCommand } from "@aws-sdk/client-sqs";
import { expect, it } from "vitest";
import { startLocalFanout } from "../../src/local/local-fanout.ts";
import { testRegistry } from "../fixtures/registry.ts";
import { fixtureHandler } from "../support/harness.ts";
import { localFanoutKit, waitUntil } from "../support/local-fanout-kit.ts";

const source = `import { createJobHandler } from ${JSON.stringify(pathToFileURL(join(import.meta.dirname, "../../src/consumer/job-handler.ts")).href)};
import { testRegistry } from ${JSON.stringify(pathToFileURL(join(import.meta.dirname, "../fixtures/registry.ts")).href)};

export const handler = createJobHandler(testRegistry, "echo", async () => {});
`;
const DOES_NOT_LOAD = "handler does not load";

it("a handler that does not load is handed no jobs until a reload brings one that does: none loses an attempt", async () => {
  const dir = mkdtempSync(join(tmpdir(), "fanout-handler-reload-"));
  const echo = join(dir, "echo.ts");
  writeFileSync(echo, `${source}\nexport const broken = ;\n`);
  const fanout = await startLocalFanout({
    registry: testRegistry,
    port: 0,
    handlerPath: (type) => (type === "echo" ? echo : fixtureHandler(type)),
  });
  const kit = localFanoutKit(fanout, testRegistry);
  const runner = fanout.runners.get("echo");
  const logs: string[] = [];
  runner?.on("log", (line) => logs.push(line));
  try {
    await waitUntil(
      () => logs.some((line) => line.includes(DOES_NOT_LOAD)),
      30_000,
      () => logs.join("\n"),
    );
    await kit.publisher().publishMany([1, 2, 3].map((n) => ({ type: "echo" as const, payload: { n } })));
    const depth = async () => {
      const { Attributes } = await fanout.clients.sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: kit.queueUrl("echo"),
          AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        }),
      );
      return [Attributes?.ApproximateNumberOfMessages, Attributes?.ApproximateNumberOfMessagesNotVisible];
    };
    // Waiting in the queue, visible: not received by a worker that could not run them.
    await expect.poll(depth, { timeout: 10_000 }).toEqual(["3", "0"]);

    writeFileSync(echo, source);
    await runner?.reload();
    await kit.waitFor((o) => o.filter((x) => x.jobType === "echo" && x.kind === "processed").length === 3);
    expect(kit.outcomes.filter((o) => o.jobType === "echo").map((o) => [o.kind, o.attempt])).toEqual([
      ["processed", 1],
      ["processed", 1],
      ["processed", 1],
    ]);
    const said = logs.filter((line) => line.includes(DOES_NOT_LOAD)).map((line) => JSON.parse(line));
    expect(said).toHaveLength(1);
    expect(said[0]).toMatchObject({ level: "ERROR", service: "echo" });
    expect(said[0].error).toMatch(/SyntaxError|Expression expected/);
  } finally {
    await fanout.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
