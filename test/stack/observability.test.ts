import { defineRegistry, describeTopology, FANOUT_METRICS, metricsNamespace } from "fanout";
import { beforeAll, describe, expect, it } from "vitest";
import { registry } from "../../shared/jobs/index.ts";
import { type StackJson, wildcardActions, wildcardResources } from "./stack-security.ts";
import { fixtureBundles, ref, type Synthesized, synthesize, testRegistry } from "./synth.ts";

interface Widget {
  readonly type: string;
  readonly properties: { readonly metrics?: readonly (readonly string[])[]; readonly region?: string };
}

const statements = (policy: unknown): { Action: string[]; Resource: string | string[] }[] =>
  (JSON.parse(String(policy)) as { Statement: { Action: string[]; Resource: string | string[] }[] })
    .Statement;

describe("the CloudWatch dashboard of the app", () => {
  let stack: Synthesized;
  let widgets: Widget[];

  beforeAll(async () => {
    stack = synthesize({ registry, bundles: await fixtureBundles(registry) });
    const [dashboard] = stack.of("aws_cloudwatch_dashboard");
    widgets = (JSON.parse(String(dashboard?.config.dashboard_body)) as { widgets: Widget[] }).widgets;
  });

  it("is one dashboard per app and region, named in the outputs", () => {
    expect(stack.of("aws_cloudwatch_dashboard").map((d) => d.config.dashboard_name)).toEqual([
      `${registry.app}-eu-west-1`,
    ]);
    expect(Object.keys(stack.json.output ?? {})).toContain("dashboard-name");
  });

  it("reads only metrics that exist, of resources the stack creates", () => {
    const queues = new Set(stack.of("aws_sqs_queue").map((q) => q.config.name));
    const functions = new Set(stack.of("aws_lambda_function").map((f) => f.config.function_name));
    const topics = new Set(stack.of("aws_sns_topic").map((t) => t.config.name));
    const fanoutMetrics = new Set<string>(Object.values(FANOUT_METRICS).map((m) => m.name));
    const known: Record<string, { metrics: Set<string>; dimension: string; resources: Set<unknown> }> = {
      "AWS/SQS": {
        metrics: new Set(["ApproximateNumberOfMessagesVisible", "ApproximateAgeOfOldestMessage"]),
        dimension: "QueueName",
        resources: queues,
      },
      "AWS/Lambda": {
        metrics: new Set(["Invocations", "Errors", "Throttles", "Duration"]),
        dimension: "FunctionName",
        resources: functions,
      },
      "AWS/SNS": {
        metrics: new Set([
          "NumberOfMessagesPublished",
          "NumberOfNotificationsFailed",
          "NumberOfNotificationsRedrivenToDlq",
        ]),
        dimension: "TopicName",
        resources: topics,
      },
    };
    const lines = widgets.flatMap((w) => w.properties.metrics ?? []);
    expect(lines.length).toBeGreaterThan(0);
    const offences = lines.filter(([namespace, name, ...dimensions]) => {
      if (namespace === metricsNamespace(registry.app)) {
        return !(
          fanoutMetrics.has(name as string) &&
          dimensions[0] === "service" &&
          dimensions[1] === registry.app &&
          dimensions[2] === "jobType" &&
          registry.jobList.some((j) => j.type === dimensions[3])
        );
      }
      const service = known[namespace as string];
      return !(
        service?.metrics.has(name as string) &&
        dimensions[0] === service.dimension &&
        service.resources.has(dimensions[1])
      );
    });
    expect(offences).toEqual([]);
    expect(widgets.every((w) => w.type !== "metric" || w.properties.region === "eu-west-1")).toBe(true);
  });

  it("shows every job type's queue, DLQ, function and Fanout's outcomes", () => {
    const topology = describeTopology(registry, { accountId: "(account)", region: "eu-west-1" });
    const lines = widgets.flatMap((w) => w.properties.metrics ?? []).map((l) => l.join(" "));
    for (const worker of topology.workers) {
      expect(lines).toContain(`AWS/SQS ApproximateAgeOfOldestMessage QueueName ${worker.queueName}`);
      expect(lines).toContain(`AWS/SQS ApproximateNumberOfMessagesVisible QueueName ${worker.dlqName}`);
      for (const metric of ["Invocations", "Errors", "Throttles", "Duration"]) {
        expect(lines).toContain(`AWS/Lambda ${metric} FunctionName ${worker.names.function}`);
      }
      for (const metric of [FANOUT_METRICS.processed, FANOUT_METRICS.failed, FANOUT_METRICS.deadLettered]) {
        expect(lines).toContain(
          `${metricsNamespace(registry.app)} ${metric.name} service ${registry.app} jobType ${worker.consumer}`,
        );
      }
    }
  });

  it("keeps the error and throttle alarms of every function", () => {
    for (const fn of stack.of("aws_lambda_function")) {
      const alarms = stack
        .of("aws_cloudwatch_metric_alarm", (c) => c.namespace === "AWS/Lambda")
        .filter(
          (a) => (a.config.dimensions as Record<string, unknown>).FunctionName === ref(fn, "function_name"),
        )
        .map((a) => a.config.metric_name);
      expect(alarms.sort()).toEqual(["Errors", "Throttles"]);
    }
  });
});

describe("tracing", () => {
  it("is off by default: no active tracing, no X-Ray permission", async () => {
    const stack = synthesize({ registry, bundles: await fixtureBundles(registry) });
    expect(stack.of("aws_lambda_function").map((f) => f.config.tracing_config)).toEqual(
      stack.of("aws_lambda_function").map(() => undefined),
    );
    expect(stack.of("aws_sns_topic").map((t) => t.config.tracing_config ?? null)).toEqual([null, null, null]);
    expect(stack.of("aws_xray_resource_policy")).toEqual([]);
    const actions = stack
      .of("aws_iam_role_policy")
      .flatMap((p) => statements(p.config.policy).flatMap((s) => s.Action));
    expect(actions.filter((a) => a.startsWith("xray:"))).toEqual([]);
  });

  describe("where the registry turns it on", () => {
    let stack: Synthesized;
    beforeAll(async () => {
      const base = testRegistry();
      const traced = defineRegistry({
        app: base.app,
        jobs: base.jobList,
        subscribers: base.subscribers,
        tracing: true,
      });
      stack = synthesize({ registry: traced, bundles: await fixtureBundles(traced) });
    });

    it("traces every function and the job topic actively", () => {
      expect(stack.of("aws_lambda_function").map((f) => f.config.tracing_config)).toEqual(
        stack.of("aws_lambda_function").map(() => ({ mode: "Active" })),
      );
      expect(stack.one("aws_sns_topic", (c) => c.name === "stacktest-jobs").config.tracing_config).toBe(
        "Active",
      );
    });

    it("lets SNS write traces for this topic only, and each function write its own", () => {
      const [policy, ...others] = stack.of("aws_xray_resource_policy");
      expect(others).toEqual([]);
      const [statement] = JSON.parse(String(policy?.config.policy_document)).Statement;
      expect(statement).toMatchObject({
        Principal: { Service: "sns.amazonaws.com" },
        Condition: {
          ArnLike: { "aws:SourceArn": expect.stringMatching(/:sns:eu-west-1:.*:stacktest-jobs$/) },
        },
      });
      for (const rolePolicy of stack.of("aws_iam_role_policy")) {
        expect(statements(rolePolicy.config.policy)).toContainEqual(
          expect.objectContaining({
            Action: ["xray:PutTraceSegments", "xray:PutTelemetryRecords"],
            Resource: "*",
          }),
        );
      }
    });

    it("grants `*` for the X-Ray writes alone, which have no resource-level permissions", () => {
      expect(wildcardActions(stack.json as StackJson)).toEqual([]);
      expect(wildcardResources(stack.json as StackJson)).toEqual([]);
    });
  });
});
