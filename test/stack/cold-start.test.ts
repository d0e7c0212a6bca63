import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { bundleHandler } from "fanout/cdktf";
import { describe, expect, it } from "vitest";

const handler = fileURLToPath(new URL("../../handlers/send-notification.ts", import.meta.url));
const CLIENTS = ["@aws-sdk/client-s3", "@aws-sdk/client-sqs", "@aws-sdk/client-sns"];

/** The code a cold start evaluates before the first record: the entry and what it imports statically. */
function loadedAtImport(directory: string): string {
  const loaded = new Map<string, string>();
  const visit = (file: string) => {
    if (loaded.has(file)) return;
    const code = readFileSync(file, "utf8");
    loaded.set(file, code);
    for (const [, path] of code.matchAll(/(?:\bfrom|\bimport)\s*"(\.{1,2}\/[^"]+\.mjs)"/g)) {
      visit(join(dirname(file), path as string));
    }
  };
  visit(join(directory, "index.mjs"));
  return [...loaded.values()].join("\n");
}

function everyChunk(directory: string): string {
  return readdirSync(directory, { recursive: true, encoding: "utf8" })
    .filter((name) => name.endsWith(".mjs"))
    .map((name) => readFileSync(join(directory, name), "utf8"))
    .join("\n");
}

describe("a job handler bundled as the stack ships it", () => {
  it("loads no AWS SDK client at import: each comes in its own chunk when a record first needs it", async () => {
    const bundle = await bundleHandler(handler, { followUps: true });
    const atImport = loadedAtImport(bundle.directory);
    const shipped = everyChunk(bundle.directory);
    for (const client of CLIENTS) {
      // Each client's package name is bundled with it, for its user agent.
      expect(shipped, `${client} is shipped`).toContain(`name:"${client}"`);
      expect(atImport, `${client} is loaded at import`).not.toContain(`name:"${client}"`);
    }
  });
});
