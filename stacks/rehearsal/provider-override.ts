import type { TerraformJson } from "./exclusions.ts";

/**
 * The file Terraform merges over cdk.tf.json in the rehearsal's copy of the stack. Override files merge after
 * every other file (the `_override.tf.json` suffix); `zz_` keeps it last among override files too.
 */
export const OVERRIDE_FILE = "zz_rehearsal_override.tf.json";

/**
 * The provider's `endpoints` key for each resource or data source type prefix; the longest matching prefix
 * wins, and `null` marks data sources the provider computes without calling AWS. A type without an entry
 * fails the rehearsal: with no endpoint, its calls would go to real AWS.
 */
const SERVICE_BY_TYPE_PREFIX: Readonly<Record<string, string | null>> = {
  aws_cloudwatch_log_: "logs",
  aws_cloudwatch_metric_alarm: "cloudwatch",
  aws_cloudwatch_composite_alarm: "cloudwatch",
  aws_cloudwatch_dashboard: "cloudwatch",
  aws_dynamodb_: "dynamodb",
  aws_sns_: "sns",
  aws_sqs_: "sqs",
  aws_s3_: "s3",
  aws_iam_policy_document: null,
  aws_iam_: "iam",
  aws_kms_: "kms",
  aws_lambda_: "lambda",
  aws_scheduler_: "scheduler",
  aws_caller_identity: "sts",
  aws_partition: null,
  aws_region: null,
};

/**
 * The provider asks STS for the account id (and validates the keys) before touching any resource, whatever
 * the stack holds.
 */
const ALWAYS = ["sts"];

export function serviceOf(type: string): string | null {
  const prefix = Object.keys(SERVICE_BY_TYPE_PREFIX)
    .filter((p) => type.startsWith(p))
    .sort((a, b) => b.length - a.length)[0];
  if (prefix === undefined) {
    throw new Error(
      `The rehearsal does not know which AWS service "${type}" calls, so it cannot point it at moto; add its prefix to SERVICE_BY_TYPE_PREFIX in stacks/rehearsal/provider-override.ts.`,
    );
  }
  return SERVICE_BY_TYPE_PREFIX[prefix] ?? null;
}

/** Every service the stack's resources and data sources call, derived from their types. */
export function servicesUsed(config: TerraformJson): string[] {
  const types = [...Object.keys(config.resource ?? {}), ...Object.keys(config.data ?? {})];
  const services = new Set(ALWAYS);
  for (const type of types) {
    const service = serviceOf(type);
    if (service) services.add(service);
  }
  return [...services].sort();
}

/** The keys and checks that real AWS would need, replaced by what moto accepts. */
const MOTO_CREDENTIALS = {
  access_key: "rehearsal-access-key",
  secret_key: "rehearsal-secret-key",
  skip_credentials_validation: true,
  // moto answers sts:GetCallerIdentity, so the stack's account look-up runs as it does in AWS.
  skip_requesting_account_id: false,
  skip_metadata_api_check: true,
  // Bucket subdomains of 127.0.0.1 do not resolve.
  s3_use_path_style: true,
};

/**
 * The override: every aws provider block (cdktf writes `provider.aws` as a list, one entry per alias) gets
 * moto's endpoints and fake keys. Terraform merges an override provider block into the block with the same
 * name and alias, argument by argument, and a nested block type of the override (`endpoints`) replaces that
 * type only, so the stack's region and `default_tags` stay. A backend block in an override file replaces the
 * stack's backend whatever its type, which keeps the rehearsal's state out of the project and out of S3.
 */
export function rehearsalOverride(config: TerraformJson, endpoint: string, statePath: string): object {
  const aws = (config.provider as { aws?: unknown } | undefined)?.aws;
  const blocks = (Array.isArray(aws) ? aws : aws ? [aws] : []) as { alias?: string }[];
  if (blocks.length === 0) throw new Error("The synthesized stack configures no aws provider to override.");
  const endpoints = Object.fromEntries(servicesUsed(config).map((service) => [service, endpoint]));
  const terraform = config.terraform as { backend?: unknown; cloud?: unknown } | undefined;
  return {
    "//": "Written by the Fanout rehearsal (stacks/rehearsal) into its own copy of the stack: points the AWS provider at moto_server.",
    ...(terraform?.backend || terraform?.cloud
      ? { terraform: { backend: { local: { path: statePath } } } }
      : {}),
    provider: {
      aws: blocks.map((block) => ({
        ...(block.alias ? { alias: block.alias } : {}),
        ...MOTO_CREDENTIALS,
        endpoints: [endpoints],
      })),
    },
  };
}
