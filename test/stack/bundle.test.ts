import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, rmSync, statSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Testing } from "cdktf";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registry } from "../../shared/jobs/index.ts";
import { type Bundle, bundleWorkers } from "../../stacks/bundle.ts";
import { FanoutStack } from "../../stacks/fanout-stack.ts";

/** The size goal for one deployed handler zip. */
const MAX_ZIP_BYTES = 150 * 1024;
const REPO_NODE_MODULES = new URL("../../node_modules", import.meta.url).pathname;

let bundles: ReadonlyMap<string, Bundle>;
let outdir: string;
const zips = new Map<string, string>();

beforeAll(async () => {
  // The real handlers, bundled once for the whole file.
  bundles = await bundleWorkers(registry);
  const stack = new FanoutStack(Testing.app(), { registry, bundles, region: "us-east-1" });
  outdir = Testing.fullSynth(stack);
  const synthesized = JSON.parse(Testing.synth(stack)) as {
    resource: { aws_lambda_function: Record<string, { function_name: string; filename: string }> };
  };
  for (const fn of Object.values(synthesized.resource.aws_lambda_function)) {
    const type = fn.function_name.slice(registry.app.length + 1);
    zips.set(type, join(outdir, "stacks", registry.app, fn.filename));
  }
}, 120_000);

afterAll(() => rmSync(outdir, { recursive: true, force: true }));

describe.each(registry.jobList.map((job) => [job.type]))("handler bundle of %s", (type) => {
  it(`is zipped into at most ${MAX_ZIP_BYTES / 1024} KiB`, async ({ annotate }) => {
    const bundle = bundles.get(type) as Bundle;
    const zipBytes = statSync(zips.get(type) as string).size;
    const line = `${type}: ${(zipBytes / 1024).toFixed(1)} KiB zipped (index.mjs ${(bundle.codeBytes / 1024).toFixed(1)} KiB, index.mjs.map ${(bundle.mapBytes / 1024).toFixed(1)} KiB)`;
    await annotate(line);
    process.stdout.write(`${line}\n`);
    expect(zipBytes).toBeLessThanOrEqual(MAX_ZIP_BYTES);
  });

  it("loads on Node.js 22 with the AWS SDK supplied from outside, as the Lambda runtime does", () => {
    const dir = mkdtempSync(join(tmpdir(), "fanout-bundle-load-"));
    try {
      // Like /var/task next to the runtime's SDK: only the AWS SDK, left out of the bundle, resolves from
      // node_modules.
      cpSync((bundles.get(type) as Bundle).directory, dir, { recursive: true });
      symlinkSync(REPO_NODE_MODULES, join(dir, "node_modules"));
      const script = 'const m = await import("./index.mjs"); process.stdout.write(typeof m.handler);';
      const result = spawnSync(
        process.execPath,
        ["--enable-source-maps", "--input-type=module", "-e", script],
        {
          cwd: dir,
          encoding: "utf8",
          env: {
            PATH: process.env.PATH,
            AWS_REGION: "us-east-1",
            FANOUT_TOPIC_ARN: "arn:aws:sns:us-east-1:123456789012:fanout-jobs",
            FANOUT_PAYLOAD_BUCKET: "fanout-payloads",
            FANOUT_QUEUE_URL: "https://sqs.us-east-1.amazonaws.com/123456789012/fanout-q",
            FANOUT_DLQ_URL: "https://sqs.us-east-1.amazonaws.com/123456789012/fanout-q-dlq",
          },
        },
      );
      expect(result.stderr).toBe("");
      expect(result.stdout).toBe("function");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
