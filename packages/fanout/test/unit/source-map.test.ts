import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { SourceMap, type SourceMapPayload } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "esbuild";
import { afterAll, describe, expect, it } from "vitest";
import { filterSourceMap } from "../../src/cdktf/source-map.ts";

const dir = mkdtempSync(join(tmpdir(), "fanout-source-map-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function bundleWithLibrary(): Promise<{ code: string; map: string }> {
  mkdirSync(join(dir, "node_modules", "lib"), { recursive: true });
  writeFileSync(join(dir, "node_modules", "lib", "package.json"), '{"name":"lib","main":"index.js"}');
  writeFileSync(
    join(dir, "node_modules", "lib", "index.js"),
    "export function shout(text) {\n  const loud = text.toUpperCase();\n  if (!loud) throw new Error('empty');\n  return loud + '!';\n}\n",
  );
  writeFileSync(
    join(dir, "app.ts"),
    'import { shout } from "lib";\n\nexport function handler(name: string): string {\n  const greeting = "hello " + name;\n  return shout(greeting);\n}\n',
  );
  const result = await build({
    entryPoints: [join(dir, "app.ts")],
    outfile: join(dir, "out.mjs"),
    bundle: true,
    minify: true,
    format: "esm",
    sourcemap: "external",
    sourcesContent: false,
    write: false,
    absWorkingDir: dir,
  });
  const text = (suffix: string) => result.outputFiles.find((f) => f.path.endsWith(suffix))?.text ?? "";
  return { code: text(".mjs"), map: text(".map") };
}

describe("filterSourceMap", () => {
  it("keeps our mappings unchanged and leaves library code unmapped", async () => {
    const { code, map } = await bundleWithLibrary();
    const original = new SourceMap(JSON.parse(map) as SourceMapPayload);
    const filtered = new SourceMap(JSON.parse(filterSourceMap(map, (s) => !s.includes("node_modules/"))));
    expect(filtered.payload.sources).toEqual(["app.ts"]);

    let ours = 0;
    let library = 0;
    const lines = code.split("\n");
    lines.forEach((line, lineNumber) => {
      for (let column = 0; column < line.length; column++) {
        const before = original.findEntry(lineNumber, column);
        const after = filtered.findEntry(lineNumber, column);
        if (!("originalSource" in before)) continue;
        if (before.originalSource.includes("node_modules")) {
          library++;
          // Terminated by a gap, so no library position is attributed to our code.
          expect("originalSource" in after && after.originalSource.includes("app.ts")).toBe(false);
        } else {
          ours++;
          expect(after).toEqual(before);
        }
      }
    });
    expect(ours).toBeGreaterThan(0);
    expect(library).toBeGreaterThan(0);
  });
});
