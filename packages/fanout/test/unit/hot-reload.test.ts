import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { type AppLayout, classifyChange } from "../../src/local/hot-reload.ts";
import { type TopologySummary, topologyChanges } from "../../src/local/topology-changes.ts";

const ROOT = join("/", "app");
const layout: AppLayout = {
  configFile: join(ROOT, "fanout.config.ts"),
  registryDirectory: join(ROOT, "shared", "jobs"),
  handlersDirectory: join(ROOT, "handlers"),
  jobTypes: ["resize-image", "send-receipt"],
};

describe("which workers a changed file reloads", () => {
  it("a job type's own handler reloads that job type alone", () => {
    expect(classifyChange(join(ROOT, "handlers", "resize-image.ts"), layout)).toEqual({
      kind: "handler",
      jobType: "resize-image",
    });
  });

  it("another module among the handlers reloads them all: any of them may import it", () => {
    expect(classifyChange(join(ROOT, "handlers", "lib", "images.ts"), layout)).toEqual({ kind: "handlers" });
    expect(classifyChange(join(ROOT, "handlers", "retired-type.ts"), layout)).toEqual({ kind: "handlers" });
  });

  it("the config and the registry's modules are a registry change", () => {
    expect(classifyChange(layout.configFile, layout)).toEqual({ kind: "registry" });
    expect(classifyChange(join(ROOT, "shared", "jobs", "index.ts"), layout)).toEqual({ kind: "registry" });
  });

  it("editors' temporary files and files that are not code reload nothing", () => {
    for (const file of [
      join(ROOT, "handlers", ".resize-image.ts.swp"),
      join(ROOT, "handlers", "resize-image.ts~"),
      join(ROOT, "handlers", "4913"),
      join(ROOT, "README.md"),
      join(ROOT, "shared", "demo-jobs.ts"),
    ]) {
      expect(classifyChange(file, layout), file).toBeUndefined();
    }
  });
});

describe("what a registry change needs a restart for", () => {
  const running: TopologySummary = {
    handlersDirectory: "/app/handlers",
    workers: { "resize-image": '{"batchSize":10}', "send-receipt": '{"batchSize":10}' },
    rest: '{"topic":"t"}',
  };

  it("nothing, when only schemas or code changed (the summary leaves them out)", () => {
    expect(topologyChanges(running, { ...running })).toEqual([]);
  });

  it("job types added or removed, without the unrouted filter that follows them", () => {
    expect(
      topologyChanges(running, {
        ...running,
        workers: { "resize-image": '{"batchSize":10}', "send-invoice": '{"batchSize":10}' },
        rest: '{"topic":"t","unrouted":"changed"}',
      }),
    ).toEqual(["adds send-invoice", "removes send-receipt"]);
  });

  it("a worker's settings, and settings of the topic or subscribers", () => {
    expect(
      topologyChanges(running, {
        ...running,
        workers: { ...running.workers, "send-receipt": '{"batchSize":1}' },
        rest: '{"topic":"u"}',
      }),
    ).toEqual([
      "changes the worker settings of send-receipt",
      "changes the topic, the subscribers or the registry's settings",
    ]);
  });
});
