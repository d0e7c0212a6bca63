import { unroutedFilterPolicy } from "fanout";
import { describe, expect, it } from "vitest";
import { fixtureBundles, type Synthesized, synthesize, testJob, testRegistry } from "./synth.ts";

async function synthesizeRegistry(extra: Parameters<typeof testRegistry>[0]): Promise<Synthesized> {
  const registry = testRegistry(extra);
  return synthesize({ registry, bundles: await fixtureBundles(registry) });
}

/**
 * Every resource a worker brings, by Terraform type: its queue, DLQ and subscription DLQ, the queue policies
 * of the two SNS sends to, its subscription, function, role and alarms (four on queues, two on the function).
 */
const ONE_WORKER = [
  "aws_cloudwatch_log_group",
  ...Array.from({ length: 6 }, () => "aws_cloudwatch_metric_alarm"),
  "aws_iam_role",
  "aws_iam_role_policy",
  "aws_lambda_event_source_mapping",
  "aws_lambda_function",
  "aws_sns_topic_subscription",
  "aws_sqs_queue",
  "aws_sqs_queue",
  "aws_sqs_queue",
  "aws_sqs_queue_policy",
  "aws_sqs_queue_policy",
  "aws_sqs_queue_redrive_allow_policy",
];

describe("adding a job type to the registry", () => {
  it("adds exactly one worker's resources and outputs, and changes only the unrouted queue's filter and the dashboard", async () => {
    const before = await synthesizeRegistry([]);
    const after = await synthesizeRegistry([testJob("reindex")]);
    const addresses = (s: Synthesized) => new Set(s.resources.map((r) => r.address));

    const added = after.resources.filter((r) => !addresses(before).has(r.address));
    expect(added.map((r) => r.type).sort()).toEqual(ONE_WORKER);
    expect(added.every((r) => r.address.includes("_reindex-"))).toBe(true);
    expect(before.resources.filter((r) => !addresses(after).has(r.address))).toEqual([]);

    const changed = before.resources
      .filter(
        (r) =>
          JSON.stringify(r.config) !==
          JSON.stringify(after.resources.find((a) => a.address === r.address)?.config),
      )
      .map((r) => ({
        address: r.address,
        filter: after.resources.find((a) => a.address === r.address)?.config.filter_policy,
      }));
    // "archive" receives every type by an exists filter, so it stays as it is; only the unrouted queue's
    // filter learns that the new type is now routed, and the dashboard gains the new type's row.
    expect(changed).toEqual([
      { address: expect.stringMatching(/^aws_cloudwatch_dashboard\./), filter: undefined },
      {
        address: expect.stringMatching(/^aws_sns_topic_subscription\.fanout_unrouted-/),
        filter: unroutedFilterPolicy(["ingest", "index", "reindex"]),
      },
    ]);

    const dashboard = after.resources.find((r) => r.type === "aws_cloudwatch_dashboard");
    expect(String(dashboard?.config.dashboard_body)).toContain(`"QueueName","stacktest-reindex"`);

    const outputs = (s: Synthesized) => Object.keys(s.json.output ?? {});
    expect(
      outputs(after)
        .filter((o) => !outputs(before).includes(o))
        .sort(),
    ).toEqual(["reindex-dlq-url", "reindex-queue-url", "reindex-undelivered-url"]);
  });
});
