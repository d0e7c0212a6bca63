import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { JobOutcome, OutcomeKind } from "../../src/consumer/outcome.ts";
import { FANOUT_METRICS, metricsNamespace } from "../../src/core/metric-names.ts";
import { testRegistry } from "../fixtures/registry.ts";
import { type Harness, startHarness } from "../support/harness.ts";

/** One CloudWatch embedded-metric-format document, as a handler printed it. */
interface EmfDocument {
  readonly _aws: {
    readonly Timestamp: number;
    readonly CloudWatchMetrics: readonly {
      readonly Namespace: string;
      readonly Dimensions: readonly (readonly string[])[];
      readonly Metrics: readonly { readonly Name: string; readonly Unit: string }[];
    }[];
  };
  readonly [field: string]: unknown;
}

function emfDocuments(lines: readonly string[]): EmfDocument[] {
  return lines.flatMap((line) => {
    if (!line.includes('"_aws"')) return [];
    return [JSON.parse(line) as EmfDocument];
  });
}

/** Every value a metric was given for a job type, over all the documents. */
function valuesOf(documents: readonly EmfDocument[], jobType: string, name: string): number[] {
  return documents
    .filter((d) => d.jobType === jobType && d._aws.CloudWatchMetrics[0]?.Metrics.some((m) => m.Name === name))
    .flatMap((d) => {
      const value = d[name] as number | number[];
      return Array.isArray(value) ? value : [value];
    });
}

const sum = (values: readonly number[]) => values.reduce((a, b) => a + b, 0);

const JOB_TYPES = ["echo", "always-fails", "fails-first-time"] as const;

function figuresOf(documents: readonly EmfDocument[], jobType: string) {
  return {
    processed: sum(valuesOf(documents, jobType, FANOUT_METRICS.processed.name)),
    failed: sum(valuesOf(documents, jobType, FANOUT_METRICS.failed.name)),
    deadLettered: sum(valuesOf(documents, jobType, FANOUT_METRICS.deadLettered.name)),
    retried: sum(valuesOf(documents, jobType, FANOUT_METRICS.retried.name)),
  };
}

function countOf(outcomes: readonly JobOutcome[], jobType: string, kind: OutcomeKind): number {
  return outcomes.filter((o) => o.jobType === jobType && o.kind === kind).length;
}

describe("the handlers' metrics (EMF), through the local cloud", () => {
  let h: Harness;
  const lines: string[] = [];

  beforeAll(async () => {
    h = await startHarness();
    for (const runner of h.fanout.runners.values()) runner.on("log", (line) => lines.push(line));
    const publisher = h.publisher();
    await publisher.publish("echo", { n: 1 });
    await publisher.publish("echo", { n: 2, text: "x".repeat(300 * 1024) });
    await publisher.publish("echo", { n: 3 });
    await publisher.publish("always-fails", { n: 4 });
    await publisher.publish("fails-first-time", { n: 5, fail: true });
    await h.waitFor(
      (o) =>
        o.filter((x) => x.kind === "processed").length === 4 && o.some((x) => x.kind === "dead-lettered"),
    );
    // An invocation flushes its documents as it ends, after its last outcome event, so wait until the
    // documents account for every outcome rather than for a number of documents.
    await h.waitFor((outcomes) =>
      JOB_TYPES.every((type) => {
        const figures = figuresOf(emfDocuments(lines), type);
        return (
          figures.processed === countOf(outcomes, type, "processed") &&
          figures.failed === countOf(outcomes, type, "failed") &&
          figures.deadLettered === countOf(outcomes, type, "dead-lettered")
        );
      }),
    );
  });
  afterAll(() => h.stop());

  it("name Fanout's metrics, with their units, in the app's namespace and with its two dimensions", () => {
    const documents = emfDocuments(lines).filter((d) => d.ColdStart === undefined);
    expect(documents.length).toBeGreaterThan(0);
    const units = new Map<string, string>(Object.values(FANOUT_METRICS).map((m) => [m.name, m.unit]));
    for (const document of documents) {
      const [directive] = document._aws.CloudWatchMetrics;
      expect(directive?.Namespace).toBe(metricsNamespace(testRegistry.app));
      expect(directive?.Dimensions).toEqual([["service", "jobType"]]);
      expect(document.service).toBe(testRegistry.app);
      for (const metric of directive?.Metrics ?? []) expect(metric.Unit).toBe(units.get(metric.Name));
    }
  });

  it("count what was processed, failed, retried and dead-lettered, as the outcome events do", () => {
    const documents = emfDocuments(lines);
    const figures = (jobType: string) => figuresOf(documents, jobType);
    expect(figures("echo")).toEqual({ processed: 3, failed: 0, deadLettered: 0, retried: 0 });
    // maxReceiveCount 3: two failed attempts, dead-lettered on the third.
    expect(figures("always-fails")).toEqual({ processed: 0, failed: 2, deadLettered: 1, retried: 2 });
    expect(figures("fails-first-time")).toEqual({ processed: 1, failed: 1, deadLettered: 0, retried: 1 });
    for (const type of JOB_TYPES) {
      expect(figures(type)).toMatchObject({
        processed: countOf(h.outcomes, type, "processed"),
        failed: countOf(h.outcomes, type, "failed"),
        deadLettered: countOf(h.outcomes, type, "dead-lettered"),
      });
    }
  });

  it("measure every job's duration, the bytes of their payloads, and count the offloaded ones", () => {
    const documents = emfDocuments(lines);
    const durations = valuesOf(documents, "echo", FANOUT_METRICS.duration.name);
    expect(durations).toHaveLength(3);
    expect(durations.every((ms) => Number.isInteger(ms) && ms >= 0)).toBe(true);
    const echoes = h.outcomes.filter((o) => o.jobType === "echo");
    const bytes = sum(valuesOf(documents, "echo", FANOUT_METRICS.payloadBytes.name));
    expect(bytes).toBe(sum(echoes.map((o) => o.payloadBytes ?? 0)));
    expect(bytes).toBeGreaterThan(300 * 1024);
    expect(sum(valuesOf(documents, "echo", FANOUT_METRICS.offloaded.name))).toBe(1);
  });

  it("name the jobs each invocation processed, for Logs Insights to find them", () => {
    const listed = emfDocuments(lines).flatMap((d) =>
      String(d.processedJobIds ?? "")
        .split(" ")
        .filter(Boolean),
    );
    const processed = h.outcomes.filter((o) => o.kind === "processed").map((o) => o.jobId);
    expect(listed.sort()).toEqual(processed.sort());
  });

  it("report each function's cold start once", () => {
    const coldStarts = emfDocuments(lines).filter((d) => d.ColdStart !== undefined);
    expect(coldStarts.map((d) => d.function_name).sort()).toEqual([
      "fanout-test-always-fails",
      "fanout-test-echo",
      "fanout-test-fails-first-time",
    ]);
    expect(coldStarts.every((d) => d.ColdStart === 1)).toBe(true);
    expect(coldStarts.map((d) => d._aws.CloudWatchMetrics[0]?.Dimensions)).toEqual(
      coldStarts.map(() => [["service", "jobType", "function_name"]]),
    );
  });
});
