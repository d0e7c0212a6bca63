import type { PolicyStatement } from "fanout/cdktf";

/**
 * Security checks over a synthesized stack's JSON (`Testing.synth`), each returning its offences so a test can
 * show both that the real stack passes and that a mutated copy fails.
 */

export type StackJson = Record<string, Record<string, Record<string, Record<string, unknown>>>>;

interface Document {
  Statement: PolicyStatement[];
}

const resources = (json: StackJson, type: string) => Object.entries(json.resource?.[type] ?? {});
const list = (value: string | readonly string[] | undefined) =>
  value === undefined ? [] : typeof value === "string" ? [value] : value;
const isTlsDeny = (s: PolicyStatement) =>
  s.Effect === "Deny" && s.Condition?.Bool?.["aws:SecureTransport"] === "false";

/** Where the stack's IAM documents are: resource type and the field that holds the JSON document. */
export const POLICY_FIELDS: readonly (readonly [string, string])[] = [
  ["aws_iam_role", "assume_role_policy"],
  ["aws_iam_role_policy", "policy"],
  ["aws_s3_bucket_policy", "policy"],
  ["aws_sqs_queue_policy", "policy"],
  ["aws_kms_key", "policy"],
  ["aws_iam_policy", "policy"],
  ["aws_sns_topic_policy", "policy"],
  ["aws_xray_resource_policy", "policy_document"],
];

/** Every IAM document of the stack: role policies, trust policies, queue, bucket and key policies. */
function policies(json: StackJson): { where: string; type: string; document: Document }[] {
  return POLICY_FIELDS.flatMap(([type, field]) =>
    resources(json, type).map(([name, config]) => ({
      where: `${type}.${name}`,
      type,
      document: JSON.parse(String(config[field])) as Document,
    })),
  );
}

/** No statement may allow `*` or `service:*`; the bucket's TLS deny is a Deny, which only narrows access. */
export function wildcardActions(json: StackJson): string[] {
  return policies(json).flatMap(({ where, document }) =>
    document.Statement.filter(
      (s) => !isTlsDeny(s) && s.Action.some((a) => a === "*" || a.endsWith(":*")),
    ).map((s) => `${where}: ${s.Action.join(",")}`),
  );
}

/**
 * `*`, or an ARN whose whole resource part is `*` (every resource of a service in an account). A wildcard
 * inside a named resource, such as a log group's `:log-stream:*` (Lambda names its streams), is not one.
 */
function isWildcardResource(resource: string): boolean {
  return resource === "*" || /^arn:[^:]*:[^:]*:[^:]*:[^:]*:\*$/.test(resource);
}

/** X-Ray's trace-writing actions support no resource-level permissions: AWS documents them on `*` only. */
const XRAY_WITHOUT_RESOURCES = new Set([
  "xray:PutTraceSegments",
  "xray:PutTelemetryRecords",
  "xray:GetSamplingRules",
  "xray:GetSamplingTargets",
]);
const writesTracesOnly = (s: PolicyStatement) => s.Action.every((a) => XRAY_WITHOUT_RESOURCES.has(a));

/**
 * `*` resources only where AWS requires them: a KMS key policy's statements (the key itself), the TLS deny
 * (which must cover everything), and X-Ray's trace writes (no resource-level permissions exist for them).
 * Anywhere else, a statement names its resources.
 */
export function wildcardResources(json: StackJson): string[] {
  return policies(json).flatMap(({ where, type, document }) =>
    document.Statement.filter(
      (s) =>
        type !== "aws_kms_key" &&
        !isTlsDeny(s) &&
        !writesTracesOnly(s) &&
        list(s.Resource).some(isWildcardResource),
    ).map((s) => `${where}: ${list(s.Resource).join(",")}`),
  );
}

/** Every queue policy lets only SNS send, and only on behalf of the stack's own job topic (the one subscribed). */
export function queuesOpenBeyondTopic(json: StackJson): string[] {
  // The app's job topics: the standard one, and the FIFO one of the ordered types.
  const topicArns = new Set(
    resources(json, "aws_sns_topic_subscription").map(([, c]) => String(c.topic_arn)),
  );
  return policies(json)
    .filter((p) => p.type === "aws_sqs_queue_policy")
    .flatMap(({ where, document }) =>
      document.Statement.filter(
        (s) =>
          s.Effect === "Allow" &&
          !(
            typeof s.Principal === "object" &&
            s.Principal.Service === "sns.amazonaws.com" &&
            s.Principal.AWS === undefined &&
            s.Action.every((a) => a === "sqs:SendMessage") &&
            topicArns.has(String(s.Condition?.ArnEquals?.["aws:SourceArn"])) &&
            Object.keys(s.Condition ?? {}).length === 1
          ),
      ).map((s) => `${where}: ${JSON.stringify(s.Principal)} ${s.Action.join(",")}`),
    );
}

/** Every queue, the topic and the bucket are encrypted at rest. */
export function unencrypted(json: StackJson): string[] {
  const offences = resources(json, "aws_sqs_queue")
    .filter(([, c]) => c.sqs_managed_sse_enabled !== true && !c.kms_master_key_id)
    .map(([name]) => `aws_sqs_queue.${name}`);
  offences.push(
    ...resources(json, "aws_sns_topic")
      .filter(([, c]) => !c.kms_master_key_id)
      .map(([name]) => `aws_sns_topic.${name}`),
  );
  const encryptedBuckets = new Set(
    resources(json, "aws_s3_bucket_server_side_encryption_configuration")
      .filter(([, c]) =>
        (
          c.rule as { apply_server_side_encryption_by_default?: { sse_algorithm?: string } }[] | undefined
        )?.some((r) => r.apply_server_side_encryption_by_default?.sse_algorithm),
      )
      .map(([, c]) => String(c.bucket)),
  );
  offences.push(
    ...resources(json, "aws_s3_bucket")
      .filter(([name]) => !encryptedBuckets.has(`\${aws_s3_bucket.${name}.id}`))
      .map(([name]) => `aws_s3_bucket.${name}`),
  );
  return offences;
}

/** Every bucket has a policy that denies all S3 actions over plain HTTP, on the bucket and its objects. */
export function bucketsAllowingPlainHttp(json: StackJson): string[] {
  return resources(json, "aws_s3_bucket")
    .filter(([name]) => {
      const arn = `\${aws_s3_bucket.${name}.arn}`;
      return !resources(json, "aws_s3_bucket_policy").some(([, c]) =>
        (JSON.parse(String(c.policy)) as Document).Statement.some(
          (s) =>
            isTlsDeny(s) &&
            s.Principal === "*" &&
            s.Action.includes("s3:*") &&
            list(s.Resource).includes(arn) &&
            list(s.Resource).includes(`${arn}/*`),
        ),
      );
    })
    .map(([name]) => `aws_s3_bucket.${name}`);
}
