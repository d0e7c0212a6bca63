import { spawn } from "node:child_process";
import { cp, mkdtemp, readdir, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { pathToFileURL } from "node:url";
import { type JobOutcome, PayloadStore, Publisher, type Registry, typesFilterPolicy } from "fanout";
import { startLocalFanout } from "fanout/local";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fixtureBundles, synthesize } from "../stack/synth.ts";
import { PROJECT_ROOT as ROOT, spawnFanout } from "../support/fanout-bin.ts";

/** A throwaway copy of the parts of the project add-worker touches and the scaffolded test needs. */
async function copyProject(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "fanout-add-worker-"));
  for (const path of [
    "fanout.config.ts",
    "shared",
    "handlers",
    "package.json",
    "tsconfig.json",
    "tsconfig.base.json",
    "vitest.config.ts",
  ]) {
    await cp(join(ROOT, path), join(dir, path), { recursive: true });
  }
  await symlink(join(ROOT, "node_modules"), join(dir, "node_modules"), "dir");
  return dir;
}

async function snapshot(dir: string): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    const path = join(entry.parentPath, entry.name);
    if (entry.isFile() && !path.includes("node_modules"))
      files[relative(dir, path)] = await readFile(path, "utf8");
  }
  return files;
}

describe("fanout add-worker refuses, and then changes nothing", () => {
  let dir: string;
  let before: Record<string, string>;

  beforeAll(async () => {
    dir = await copyProject();
    await writeFile(join(dir, "handlers/taken.ts"), "export {};\n");
    before = await snapshot(dir);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it.each([
    {
      type: "Resize_Image",
      code: 64,
      line: /^fanout: Job type "Resize_Image" is not a valid name: use 2 to 40 lowercase/,
    },
    { type: "a--b", code: 64, line: /is not a valid name/ },
    { type: "x".repeat(41), code: 64, line: /is not a valid name: use 2 to 40/ },
    {
      type: "check-order",
      code: 64,
      line: /^fanout: Job type "check-order" already exists in shared\/jobs\/index\.ts; pick another name\.$/,
    },
    { type: "audit", code: 64, line: /^fanout: "audit" is the name of a subscriber/ },
    {
      type: "taken",
      code: 64,
      line: /^fanout: handlers\/taken\.ts already exists; remove it or pick another name\.$/,
    },
  ])("$type: exit $code with one line", async ({ type, code, line }) => {
    const result = await spawnFanout(["add-worker", type], { cwd: dir });
    expect(result.stderr.split("\n")).toEqual([expect.stringMatching(line), ""]);
    expect(result.code).toBe(code);
    expect(await snapshot(dir)).toEqual(before);
  });

  it("a registry file it cannot edit exactly: exit 65, telling to add the job by hand", async () => {
    const index = join(dir, "shared/jobs/index.ts");
    const original = await readFile(index, "utf8");
    await writeFile(index, original.replace(/jobs: \[(.*)\]/, "jobs: [...[$1]]"));
    const edited = await snapshot(dir);
    const result = await spawnFanout(["add-worker", "resize-image"], { cwd: dir });
    expect(result.stderr).toMatch(
      /^fanout: The registry module is not in the shape add-worker edits .*add the job type by hand/,
    );
    expect(result.code).toBe(65);
    expect(await snapshot(dir)).toEqual(edited);
    await writeFile(index, original);
  });
});

describe("fanout add-worker scaffolds a job type the local cloud runs and the stack deploys", () => {
  const TYPE = "resize-image";
  let dir: string;
  let registry: Registry;

  beforeAll(async () => {
    dir = await copyProject();
    const result = await spawnFanout(["add-worker", TYPE, "--description", "Resizes an image."], {
      cwd: dir,
    });
    expect(result).toEqual({
      code: 0,
      stderr: "",
      stdout: [
        `added job type "${TYPE}":`,
        `  created shared/jobs/${TYPE}.ts`,
        `  created handlers/${TYPE}.ts`,
        `  created test/jobs/${TYPE}.test.ts`,
        "  updated shared/jobs/index.ts",
        `next: edit its schema and handler, run npx vitest run test/jobs/${TYPE}.test.ts;`,
        "restart fanout start to run it locally; npx cdktf deploy creates its queue, DLQ, subscription and function.",
        "",
      ].join("\n"),
    });
    ({ registry } = (await import(pathToFileURL(join(dir, "shared/jobs/index.ts")).href)) as {
      registry: Registry;
    });
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("adds it to the registry, after the existing job types", () => {
    expect(registry.jobList.map((j) => j.type)).toEqual([
      "check-order",
      "render-report",
      "send-notification",
      "summarize-sales",
      "update-order-status",
      TYPE,
    ]);
    expect(registry.jobs[TYPE]?.description).toBe("Resizes an image.");
  });

  it("is provisioned and processed by the local cloud", async () => {
    const local = await startLocalFanout({
      registry,
      port: 0,
      handlerPath: (type) => join(dir, "handlers", `${type}.ts`),
    });
    try {
      const outcomes: JobOutcome[] = [];
      local.runners.get(TYPE)?.on("outcome", (outcome) => outcomes.push(outcome));
      const publisher = new Publisher({
        registry,
        sns: local.clients.sns,
        payloads: new PayloadStore({ s3: local.clients.s3, bucket: local.provisioned.bucket }),
        topicArn: local.provisioned.topicArn,
      });
      const { jobId } = await publisher.publish(TYPE as never, { message: "a cat" } as never);
      await expect
        .poll(() => outcomes.find((o) => o.jobId === jobId)?.kind, { timeout: 30_000, interval: 50 })
        .toBe("processed");
    } finally {
      await local.stop();
    }
  });

  it("is in the synthesized stack: queue, DLQ, filtered subscription and function", async () => {
    const stack = synthesize({ registry, bundles: await fixtureBundles(registry) });
    const name = `${registry.app}-${TYPE}`;
    const queue = stack.one("aws_sqs_queue", (c) => c.name === name);
    stack.one("aws_sqs_queue", (c) => c.name === `${name}-dlq`);
    stack.one("aws_lambda_function", (c) => c.function_name === name);
    const subscription = stack.one(
      "aws_sns_topic_subscription",
      (c) => c.filter_policy === typesFilterPolicy([TYPE]),
    );
    expect(stack.target(subscription.config.endpoint)).toEqual(queue);
  });

  it("writes a test that passes as scaffolded", async () => {
    const vitest = join(ROOT, "node_modules/vitest/vitest.mjs");
    const node = join(ROOT, "node_modules/.bin/node");
    const code = await new Promise<number | null>((resolve) => {
      const child = spawn(node, [vitest, "run", `test/jobs/${TYPE}.test.ts`], { cwd: dir, stdio: "ignore" });
      child.on("close", resolve);
    });
    expect(code).toBe(0);
  });
});
