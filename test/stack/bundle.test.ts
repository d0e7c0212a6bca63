import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Testing } from "cdktf";
import { loadConfig } from "fanout";
import { type Bundle, bundleWorkers, FanoutStack } from "fanout/cdktf";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registry } from "../../shared/jobs/index.ts";

/** The size goal for one deployed handler zip, with the pinned AWS SDK clients inside. */
const MAX_ZIP_BYTES = 300 * 1024;
/**
 * An idempotent job type also carries Powertools Idempotency and the DynamoDB client (about 27 KiB zipped, in a
 * chunk its first record loads); the other types leave them out.
 */
const MAX_IDEMPOTENT_ZIP_BYTES = MAX_ZIP_BYTES + 40 * 1024;
/** The size goal without the SDK, for those who opt out of bundling it (`bundleAwsSdk: false`). */
const MAX_ZIP_BYTES_WITHOUT_SDK = 150 * 1024;
const REPO_NODE_MODULES = new URL("../../node_modules", import.meta.url).pathname;

let bundles: ReadonlyMap<string, Bundle>;
let withoutSdk: ReadonlyMap<string, Bundle>;
const outdirs: string[] = [];
/** The zip each job type's function deploys, by job type, with and without the SDK. */
const zips = new Map<string, string>();
const zipsWithoutSdk = new Map<string, string>();

function synthesizeZips(from: ReadonlyMap<string, Bundle>, into: Map<string, string>): void {
  const stack = new FanoutStack(Testing.app(), { registry, bundles: from, region: "us-east-1" });
  const outdir = Testing.fullSynth(stack);
  outdirs.push(outdir);
  const synthesized = JSON.parse(Testing.synth(stack)) as {
    resource: { aws_lambda_function: Record<string, { function_name: string; filename: string }> };
  };
  for (const fn of Object.values(synthesized.resource.aws_lambda_function)) {
    into.set(
      fn.function_name.slice(registry.app.length + 1),
      join(outdir, "stacks", registry.app, fn.filename),
    );
  }
}

/** Every file of a bundle directory, relative to it. */
function filesOf(directory: string, under = ""): string[] {
  return readdirSync(join(directory, under), { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? filesOf(directory, join(under, entry.name)) : [join(under, entry.name)],
  );
}

/** Imports the bundle's entry and every chunk it may load later, from a directory holding only the bundle. */
function loadIn(directory: string, linkNodeModules: boolean) {
  const dir = mkdtempSync(join(tmpdir(), "fanout-bundle-load-"));
  try {
    cpSync(directory, dir, { recursive: true });
    if (linkNodeModules) symlinkSync(REPO_NODE_MODULES, join(dir, "node_modules"));
    const modules = filesOf(dir).filter((f) => f.endsWith(".mjs") && !f.startsWith("node_modules"));
    const script = `const m = await import("./index.mjs"); for (const f of ${JSON.stringify(modules)}) await import("./" + f); process.stdout.write(typeof m.handler);`;
    return spawnSync(process.execPath, ["--enable-source-maps", "--input-type=module", "-e", script], {
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
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

beforeAll(async () => {
  // The real handlers, bundled once for the whole file.
  const { handlerPath } = await loadConfig();
  bundles = await bundleWorkers(registry, { handlerEntry: handlerPath });
  withoutSdk = await bundleWorkers(registry, { handlerEntry: handlerPath, bundleAwsSdk: false });
  synthesizeZips(bundles, zips);
  synthesizeZips(withoutSdk, zipsWithoutSdk);
}, 120_000);

afterAll(() => {
  for (const outdir of outdirs) rmSync(outdir, { recursive: true, force: true });
});

describe.each(
  registry.jobList.map((job) => [job.type, job.idempotency ? MAX_IDEMPOTENT_ZIP_BYTES : MAX_ZIP_BYTES]),
)("handler bundle of %s", (type, maxZipBytes) => {
  it(`is zipped into at most ${maxZipBytes / 1024} KiB`, async ({ annotate }) => {
    const bundle = bundles.get(type) as Bundle;
    const zipBytes = statSync(zips.get(type) as string).size;
    const line = `${type}: ${(zipBytes / 1024).toFixed(1)} KiB zipped (code ${(bundle.codeBytes / 1024).toFixed(1)} KiB, source maps ${(bundle.mapBytes / 1024).toFixed(1)} KiB)`;
    await annotate(line);
    process.stdout.write(`${line}\n`);
    expect(zipBytes).toBeLessThanOrEqual(maxZipBytes);
  });

  it("carries Powertools Idempotency and the DynamoDB client only if the job type is idempotent", () => {
    const directory = (bundles.get(type) as Bundle).directory;
    const code = filesOf(directory)
      .filter((f) => f.endsWith(".mjs"))
      .map((f) => readFileSync(join(directory, f), "utf8"))
      .join("\n");
    // The DynamoDB client's JSON protocol target, and Powertools' conditional claim.
    const carries = code.includes("DynamoDB_20120810") && code.includes("attribute_not_exists(#id)");
    expect(carries).toBe(registry.jobs[type as keyof typeof registry.jobs].idempotency !== undefined);
  });

  it("loads on Node.js 22 from the bundle alone: every chunk, the AWS SDK's included, needs no node_modules", () => {
    // Like /var/task: a package the runtime does not ship (@aws-sdk/lib-storage) must be in the zip.
    const result = loadIn((bundles.get(type) as Bundle).directory, false);
    expect(result.stderr).toBe("");
    expect(result.stdout).toBe("function");
  });

  it(`without the SDK, is zipped into at most ${MAX_ZIP_BYTES_WITHOUT_SDK / 1024} KiB and loads beside the runtime's SDK`, () => {
    expect(statSync(zipsWithoutSdk.get(type) as string).size).toBeLessThanOrEqual(MAX_ZIP_BYTES_WITHOUT_SDK);
    const result = loadIn((withoutSdk.get(type) as Bundle).directory, true);
    expect(result.stderr).toBe("");
    expect(result.stdout).toBe("function");
  });
});
