/**
 * Resource types that moto 5.2.1 cannot apply, or cannot work with once applied, found by applying the whole
 * stack against it and running the checks. They are removed from the rehearsal's copy of cdk.tf.json only:
 * the stack users deploy keeps them. Every other type of the stack applied, worked and was destroyed cleanly
 * (KMS key and its policy, S3 lifecycle, Lambda functions and event source mappings, alarms, IAM roles and
 * policies, topic and queue policies, subscriptions with redrive policies). An entry here admits that the
 * rehearsal does not cover that type: add one only for a type that really fails, with what was observed.
 */
export interface RehearsalExclusion {
  readonly type: string;
  readonly reason: string;
}

export const REHEARSAL_EXCLUSIONS: readonly RehearsalExclusion[] = [
  {
    type: "aws_sqs_queue_redrive_allow_policy",
    reason:
      "moto 5.2.1 accepts SetQueueAttributes with RedriveAllowPolicy but never returns the attribute, so the " +
      "provider waits for it to appear: terraform apply was still creating all four after 230 s.",
  },
  {
    type: "aws_s3_bucket_policy",
    reason:
      "applies, but moto 5.2.1 then answers 403 with an empty body to every object request in the bucket " +
      "(the Publisher's PutObject failed with UnknownError): its evaluator has no request context, so the " +
      "DenyInsecureTransport condition on aws:SecureTransport cannot match, and moto counts a statement whose " +
      "condition does not match as a Deny.",
  },
];

export interface TerraformJson {
  resource?: Record<string, Record<string, Record<string, unknown>>>;
  data?: Record<string, Record<string, Record<string, unknown>>>;
  [block: string]: unknown;
}

export interface RemovedResources {
  readonly type: string;
  readonly addresses: readonly string[];
}

/**
 * Removes every resource of the excluded types, and the `depends_on` entries naming them. Any other reference
 * to one (an attribute used elsewhere, an output) would need that other thing dropped too, which would
 * rehearse less than the stack without saying so: that fails instead.
 */
export function removeExcludedResources(
  config: TerraformJson,
  exclusions: readonly RehearsalExclusion[] = REHEARSAL_EXCLUSIONS,
): RemovedResources[] {
  const removed: RemovedResources[] = [];
  const resources = config.resource ?? {};
  for (const { type } of exclusions) {
    const names = Object.keys(resources[type] ?? {});
    delete resources[type];
    removed.push({ type, addresses: names.map((name) => `${type}.${name}`) });
  }
  const gone = new Set(removed.flatMap((r) => r.addresses));
  if (gone.size === 0) return removed;

  for (const byName of [...Object.values(config.resource ?? {}), ...Object.values(config.data ?? {})]) {
    for (const block of Object.values(byName)) {
      if (Array.isArray(block.depends_on)) {
        block.depends_on = (block.depends_on as string[]).filter((dependency) => !gone.has(dependency));
        if ((block.depends_on as string[]).length === 0) delete block.depends_on;
      }
    }
  }
  const remaining = JSON.stringify(config);
  const referenced = [...gone].filter(
    (address) => remaining.includes(`${address}.`) || remaining.includes(`"${address}"`),
  );
  if (referenced.length > 0) {
    throw new Error(
      `The stack refers to excluded resources beyond depends_on: ${referenced.join(", ")}. The rehearsal cannot drop them without dropping what refers to them.`,
    );
  }
  return removed;
}
