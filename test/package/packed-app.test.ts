import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { once } from "node:events";
import { cpSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { readdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findTerraformTools, stackDirectories, writeMirrorConfig } from "../../stacks/terraform-check.ts";
import { type AppManifest, cutLockfile, type Lockfile, nestedUnder } from "./lockfile.ts";

const REPO = fileURLToPath(new URL("../..", import.meta.url));
const LIBRARY = join(REPO, "packages/fanout");
const APP_TEMPLATE = fileURLToPath(new URL("app", import.meta.url));
const REPO_LOCK = JSON.parse(readFileSync(join(REPO, "package-lock.json"), "utf8")) as Lockfile;

/** The version this repository installed of a package: what the npm cache holds. */
function installed(name: string): string {
  return (
    JSON.parse(readFileSync(join(REPO, "node_modules", name, "package.json"), "utf8")) as { version: string }
  ).version;
}
const pinned = (...names: string[]) => Object.fromEntries(names.map((name) => [name, installed(name)]));

/**
 * What an app outside this repository runs with: Node 22 first on the PATH (the one running this test) and
 * npm's cache, never the registry; nothing of this repository's npm script environment.
 */
function appEnvironment(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith("npm_")));
  return {
    ...env,
    ...(process.env.npm_config_cache ? { npm_config_cache: process.env.npm_config_cache } : {}),
    npm_config_offline: "true",
    npm_config_audit: "false",
    npm_config_fund: "false",
    npm_config_update_notifier: "false",
    PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ""}`,
    ...extra,
  };
}

interface Ran {
  readonly status: number | null;
  readonly output: string;
}

function run(command: string, args: readonly string[], cwd: string, env = appEnvironment()): Ran {
  const result = spawnSync(command, args, { cwd, env, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  if (result.error) throw result.error;
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

function succeed(command: string, args: readonly string[], cwd: string, env?: NodeJS.ProcessEnv): string {
  const { status, output } = run(command, args, cwd, env);
  if (status !== 0) throw new Error(`${command} ${args.join(" ")} exited ${status}:\n${output}`);
  return output;
}

interface Packed {
  readonly file: string;
  readonly size: number;
  readonly unpackedSize: number;
  readonly entryCount: number;
}

/** `npm pack` of the library, as it would be published. */
function pack(destination: string): Packed {
  const [packed] = JSON.parse(
    succeed("npm", ["pack", "--json", "--pack-destination", destination], LIBRARY),
  ) as Array<{ filename: string; size: number; unpackedSize: number; entryCount: number }>;
  if (!packed) throw new Error("npm pack reported no tarball");
  return { ...packed, file: join(destination, packed.filename) };
}

/** An app in its own directory, the packed library copied in and installed by `npm ci` from the cache. */
function installApp(dir: string, tarball: string, manifest: AppManifest): void {
  cpSync(tarball, join(dir, "fanout.tgz"));
  const library = JSON.parse(readFileSync(join(LIBRARY, "package.json"), "utf8")) as Record<string, unknown>;
  const integrity = `sha512-${createHash("sha512").update(readFileSync(tarball)).digest("base64")}`;
  const own = {
    ...nestedUnder(REPO_LOCK, "packages/fanout", "node_modules/fanout"),
    "node_modules/fanout": {
      version: library.version,
      resolved: "file:fanout.tgz",
      integrity,
      dependencies: library.dependencies,
      peerDependencies: library.peerDependencies,
      peerDependenciesMeta: library.peerDependenciesMeta,
      bin: library.bin,
      engines: library.engines,
    },
  } as Lockfile["packages"];
  const lock = cutLockfile(REPO_LOCK, manifest, own);
  writeFileSync(
    join(dir, "package.json"),
    `${JSON.stringify({ ...manifest, type: "module", private: true }, null, 2)}\n`,
  );
  writeFileSync(join(dir, "package-lock.json"), `${JSON.stringify(lock, null, 2)}\n`);
  succeed("npm", ["ci", "--offline", "--no-audit", "--no-fund"], dir);
}

async function directoryBytes(dir: string): Promise<number> {
  let bytes = 0;
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) bytes += statSync(join(entry.parentPath, entry.name)).size;
  }
  return bytes;
}

const MiB = 1024 * 1024;
const RUNTIME_PEERS = pinned(
  "@aws-sdk/client-s3",
  "@aws-sdk/client-sns",
  "@aws-sdk/client-sqs",
  "@aws-sdk/lib-storage",
  "zod",
);

describe("the packed library, installed into an app outside this repository", () => {
  let work: string;
  let packed: Packed;

  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), "fanout-packed-"));
    packed = pack(work);
  }, 120_000);
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it("is a small package: compiled JavaScript, declarations and the bin, no sources or tests", () => {
    const files = succeed("tar", ["-tzf", packed.file], work).trim().split("\n");
    expect(files).toContain("package/bin/fanout.js");
    expect(files).toContain("package/dist/index.js");
    expect(files).toContain("package/dist/index.d.ts");
    expect(files).toContain("package/dist/cdktf.d.ts");
    expect(files.filter((f) => /\/(src|test)\/|\.tsbuildinfo$/.test(f))).toEqual([]);
    expect(packed.size).toBeLessThan(1 * MiB);
    process.stdout.write(
      `package: ${packed.entryCount} files, ${(packed.size / 1024).toFixed(1)} KiB packed, ${(packed.unpackedSize / 1024).toFixed(1)} KiB unpacked\n`,
    );
  });

  describe("a service that only publishes", () => {
    let dir: string;

    beforeAll(() => {
      dir = mkdtempSync(join(work, "producer-"));
      installApp(dir, packed.file, {
        name: "producer",
        version: "1.0.0",
        dependencies: { fanout: "file:fanout.tgz", zod: RUNTIME_PEERS.zod as string },
      });
    }, 300_000);

    it("gets the AWS clients it needs and none of the deploy, local-cloud or bundler packages", async () => {
      const modules = join(dir, "node_modules");
      const present = (name: string) => spawnSync("test", ["-d", join(modules, name)]).status === 0;
      expect(Object.keys(RUNTIME_PEERS).filter((name) => !present(name))).toEqual([]);
      expect(
        [
          "fauxqs",
          "esbuild",
          "cdktf",
          "constructs",
          "@cdktf/provider-aws",
          "@aws-sdk/client-cloudwatch",
        ].filter(present),
      ).toEqual([]);
      const imported = succeed(
        "node",
        ["--input-type=module", "-e", 'const m = await import("fanout"); console.log(typeof m.Publisher);'],
        dir,
      );
      expect(imported.trim()).toBe("function");
      const bytes = await directoryBytes(modules);
      expect(bytes).toBeLessThan(60 * MiB);
      process.stdout.write(`producer-only app: node_modules ${(bytes / MiB).toFixed(1)} MiB\n`);
    });

    it("is told which package to install when it runs an operator's command", () => {
      cpSync(join(APP_TEMPLATE, "fanout.config.ts"), join(dir, "fanout.config.ts"));
      cpSync(join(APP_TEMPLATE, "src"), join(dir, "src"), { recursive: true });
      expect(run("npx", ["fanout", "--local", "status"], dir)).toEqual({
        status: 78,
        output:
          "fanout: This command needs the package @aws-sdk/client-cloudwatch, which this app has not installed: npm install --save-dev @aws-sdk/client-cloudwatch.\n",
      });
    });
  });

  describe("an app with its own registry, handlers and cdktf stack", () => {
    let dir: string;

    beforeAll(() => {
      dir = mkdtempSync(join(work, "shop-"));
      cpSync(APP_TEMPLATE, dir, { recursive: true });
      installApp(dir, packed.file, {
        name: "shop",
        version: "1.0.0",
        dependencies: { fanout: "file:fanout.tgz", ...RUNTIME_PEERS },
        devDependencies: pinned(
          "@aws-sdk/client-cloudwatch",
          "@aws-sdk/client-sts",
          "@cdktf/provider-aws",
          "@types/node",
          "cdktf",
          "constructs",
          "esbuild",
          "fauxqs",
          "typescript",
        ),
      });
    }, 600_000);

    it("type-checks, and a publish() whose payload breaks the schema does not compile", () => {
      expect(run("npx", ["tsc", "-p", "."], dir)).toEqual({ status: 0, output: "" });
      writeFileSync(
        join(dir, "src/wrong-payload.ts"),
        [
          'import { Publisher } from "fanout";',
          'import type { registry } from "./jobs.ts";',
          "",
          "export function resizeWrongly(publisher: Publisher<typeof registry>) {",
          '  return publisher.publish("resize-image", { url: "https://example.com/cat.png", width: "wide" });',
          "}",
          "",
        ].join("\n"),
      );
      try {
        const result = run("npx", ["tsc", "-p", "."], dir);
        expect(result.status).toBe(2);
        expect(result.output).toMatch(
          /^src\/wrong-payload\.ts\(5,\d+\): error TS2322: Type 'string' is not assignable to type 'number'\./m,
        );
      } finally {
        rmSync(join(dir, "src/wrong-payload.ts"));
      }
    }, 120_000);

    const tools = findTerraformTools();
    const validateTitle = "synthesizes its stack, and terraform validate accepts it";
    it.skipIf(!tools.available)(
      tools.available ? validateTitle : `${validateTitle} (skipped: ${tools.reason})`,
      () => {
        if (!tools.available) return;
        succeed("node", ["stacks/main.ts"], dir);
        const stackDir = stackDirectories(join(dir, "cdktf.out")).get("shop");
        expect(stackDir).toBeDefined();
        const synthesized = JSON.parse(readFileSync(join(stackDir as string, "cdk.tf.json"), "utf8")) as {
          resource: Record<string, Record<string, { name?: string }>>;
        };
        expect(Object.keys(synthesized.resource.aws_s3_bucket ?? {})).toHaveLength(2);
        expect(
          Object.values(synthesized.resource.aws_sqs_queue ?? {})
            .map((queue) => queue.name)
            .filter((name) => name === "shop-resize-image" || name === "shop-send-receipt"),
        ).toHaveLength(2);
        const cliConfig = join(work, "terraform.rc");
        writeMirrorConfig(cliConfig, tools.mirror);
        const env = appEnvironment({
          TF_CLI_CONFIG_FILE: cliConfig,
          TF_IN_AUTOMATION: "1",
          CHECKPOINT_DISABLE: "1",
        });
        succeed(tools.terraform, ["init", "-input=false", "-no-color"], stackDir as string, env);
        expect(succeed(tools.terraform, ["validate", "-no-color"], stackDir as string, env)).toMatch(
          /Success! The configuration is valid\./,
        );
      },
      300_000,
    );

    describe("npx fanout start", () => {
      let start: ChildProcess;
      const lines: Record<string, unknown>[] = [];
      let port: string;

      beforeAll(async () => {
        start = spawn("npx", ["fanout", "start"], {
          cwd: dir,
          env: appEnvironment({ FANOUT_LOCAL_PORT: "0", FANOUT_DASHBOARD_PORT: "0" }),
          stdio: ["ignore", "pipe", "inherit"],
          // Its own process group, so that SIGINT reaches npx and fanout both, as Ctrl-C in a terminal does.
          detached: true,
        });
        const output = createInterface({ input: start.stdout as NodeJS.ReadableStream });
        outputClosed = once(output, "close");
        output.on("line", (line) => lines.push(JSON.parse(line)));
        const [ready] = (await once(output, "line")) as [string];
        const endpoint = (JSON.parse(ready) as { endpoint?: string }).endpoint ?? "";
        port = new URL(endpoint).port;
      }, 120_000);
      /** Resolves once every process of the group has closed its output: fanout itself, not only npx. */
      let outputClosed: Promise<unknown>;
      let stopped = false;
      const stop = () => {
        if (!stopped) process.kill(-(start.pid as number), "SIGINT");
        stopped = true;
        return outputClosed;
      };
      afterAll(stop);

      it("runs the app's local cloud and processes one job of each type", async () => {
        const env = appEnvironment({ FANOUT_LOCAL_PORT: port });
        const published = [
          succeed(
            "npx",
            [
              "fanout",
              "--local",
              "publish",
              "resize-image",
              '{"url":"https://example.com/a.png","width":64}',
            ],
            dir,
            env,
          ),
          succeed(
            "npx",
            ["fanout", "--local", "publish", "send-receipt", '{"orderId":"o-1","email":"a@example.com"}'],
            dir,
            env,
          ),
        ].map((line) => /job ([0-9a-f-]{36})/.exec(line)?.[1]);
        await expect
          .poll(
            () =>
              published.map(
                (jobId) =>
                  lines.find((line) => line.jobId === jobId && line.outcome === "processed")?.jobType,
              ),
            { timeout: 30_000, interval: 100 },
          )
          .toEqual(["resize-image", "send-receipt"]);
      }, 60_000);

      it("npx fanout status --local lists both job types", () => {
        const status = succeed(
          "npx",
          ["fanout", "status", "--local"],
          dir,
          appEnvironment({ FANOUT_LOCAL_PORT: port }),
        );
        expect(status).toMatch(/^resize-image\b/m);
        expect(status).toMatch(/^send-receipt\b/m);
      }, 60_000);

      it("stops cleanly on Ctrl-C", async () => {
        await stop();
        expect(lines.at(-2)).toMatchObject({ message: "stopping", signal: "SIGINT" });
        expect(lines.at(-1)?.message).toBe("stopped");
      });
    });
  });
});
