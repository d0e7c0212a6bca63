import { beforeAll, describe, expect, it } from "vitest";
import { registry } from "../../shared/jobs/index.ts";
import {
  bucketsAllowingPlainHttp,
  queuesOpenBeyondTopic,
  type StackJson,
  unencrypted,
  wildcardActions,
  wildcardResources,
} from "./stack-security.ts";
import { fixtureBundles, synthesize } from "./synth.ts";

let stack: StackJson;
beforeAll(async () => {
  stack = synthesize({ registry, bundles: await fixtureBundles(registry) }).json as StackJson;
});

/** A deep copy of the synthesized stack with one resource's configuration changed. */
function mutated(type: string, change: (config: Record<string, unknown>) => void): StackJson {
  const copy = structuredClone(stack);
  const first = Object.values(copy.resource?.[type] ?? {})[0];
  if (!first) throw new Error(`the stack has no ${type}`);
  change(first);
  return copy;
}

/** Rewrites the first statement of a resource's policy document. */
function withStatement(field: string, change: (statement: Record<string, unknown>) => void) {
  return (config: Record<string, unknown>) => {
    const document = JSON.parse(String(config[field])) as { Statement: Record<string, unknown>[] };
    change(document.Statement[0] as Record<string, unknown>);
    config[field] = JSON.stringify(document);
  };
}

describe("security of the synthesized stack", () => {
  it("no IAM statement grants a * or service:* action", () => {
    expect(wildcardActions(stack)).toEqual([]);
    const bad = mutated(
      "aws_iam_role_policy",
      withStatement("policy", (s) => (s.Action = ["sqs:*"])),
    );
    expect(wildcardActions(bad)).toHaveLength(1);
    const star = mutated(
      "aws_sqs_queue_policy",
      withStatement("policy", (s) => (s.Action = ["*"])),
    );
    expect(wildcardActions(star)).toHaveLength(1);
  });

  it("no * resource except in the KMS key policy and the bucket's TLS deny, where AWS requires it", () => {
    expect(wildcardResources(stack)).toEqual([]);
    const bad = mutated(
      "aws_iam_role_policy",
      withStatement("policy", (s) => (s.Resource = "*")),
    );
    expect(wildcardResources(bad)).toHaveLength(1);
    const everyQueue = mutated(
      "aws_iam_role_policy",
      withStatement("policy", (s) => (s.Resource = ["arn:aws:sqs:eu-west-1:123456789012:*"])),
    );
    expect(wildcardResources(everyQueue)).toHaveLength(1);
  });

  it("every queue accepts messages from its topic only, through SNS", () => {
    expect(queuesOpenBeyondTopic(stack)).toEqual([]);
    const anyone = mutated(
      "aws_sqs_queue_policy",
      withStatement("policy", (s) => (s.Principal = "*")),
    );
    expect(queuesOpenBeyondTopic(anyone)).toHaveLength(1);
    const anyTopic = mutated(
      "aws_sqs_queue_policy",
      withStatement("policy", (s) => delete s.Condition),
    );
    expect(queuesOpenBeyondTopic(anyTopic)).toHaveLength(1);
  });

  it("every queue, the topic and the bucket are encrypted at rest", () => {
    expect(unencrypted(stack)).toEqual([]);
    expect(unencrypted(mutated("aws_sqs_queue", (c) => delete c.sqs_managed_sse_enabled))).toHaveLength(1);
    expect(unencrypted(mutated("aws_sns_topic", (c) => delete c.kms_master_key_id))).toHaveLength(1);
    expect(
      unencrypted(mutated("aws_s3_bucket_server_side_encryption_configuration", (c) => (c.rule = []))),
    ).toHaveLength(1);
  });

  it("the bucket denies every request that does not use TLS", () => {
    expect(bucketsAllowingPlainHttp(stack)).toEqual([]);
    const allowed = mutated(
      "aws_s3_bucket_policy",
      withStatement("policy", (s) => (s.Effect = "Allow")),
    );
    expect(bucketsAllowingPlainHttp(allowed)).toHaveLength(1);
    const objectsOnly = mutated(
      "aws_s3_bucket_policy",
      withStatement("policy", (s) => (s.Resource = [])),
    );
    expect(bucketsAllowingPlainHttp(objectsOnly)).toHaveLength(1);
  });
});
