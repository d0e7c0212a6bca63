import { DescribeAlarmsCommand } from "@aws-sdk/client-cloudwatch";
import { paginateListTables } from "@aws-sdk/client-dynamodb";
import { ListBucketsCommand } from "@aws-sdk/client-s3";
import { ListTopicsCommand } from "@aws-sdk/client-sns";
import { listQueueUrls, queueNameOf } from "./aws-reads.ts";
import type { CheckContext, RehearsalCheck } from "./check-runner.ts";
import { runCommand } from "./child-process.ts";
import { withoutAwsSettings } from "./synthesize.ts";

/**
 * Services whose JavaScript client the project does not install, read with boto3, which `moto[server]` brings
 * along. One call lists them all; names only.
 */
const LIST_WITH_BOTO3 = `
import json, sys
import boto3
kw = dict(endpoint_url=sys.argv[1], region_name=sys.argv[2], aws_access_key_id="rehearsal", aws_secret_access_key="rehearsal")
def pages(client, op, key, **args):
    return [item for page in client.get_paginator(op).paginate(**args) for item in page[key]]
iam, lam, logs, kms, scheduler = (boto3.client(s, **kw) for s in ("iam", "lambda", "logs", "kms", "scheduler"))
print(json.dumps({
    "IAM role": [r["RoleName"] for r in pages(iam, "list_roles", "Roles")],
    "IAM managed policy": [p["PolicyName"] for p in pages(iam, "list_policies", "Policies", Scope="Local")],
    "Lambda function": [f["FunctionName"] for f in pages(lam, "list_functions", "Functions")],
    "Lambda event source mapping": [m["FunctionArn"].split(":")[-1] for m in pages(lam, "list_event_source_mappings", "EventSourceMappings")],
    "log group": [g["logGroupName"] for g in pages(logs, "describe_log_groups", "logGroups")],
    "KMS alias": [a["AliasName"] for a in pages(kms, "list_aliases", "Aliases")],
    "schedule group": [g["Name"] for g in scheduler.list_schedule_groups()["ScheduleGroups"]],
}))
`;

/** `fanout-jobs`, `/aws/lambda/fanout-check-order` and `alias/fanout-jobs` all belong to app `fanout`. */
export function belongsToApp(name: string, app: string): boolean {
  return name.split(/[/:]/).some((part) => part === app || part.startsWith(`${app}-`));
}

async function listWithBoto3(endpoint: string, region: string): Promise<Record<string, string[]>> {
  const { stdout } = await runCommand("python3", ["-c", LIST_WITH_BOTO3, endpoint, region], {
    env: withoutAwsSettings(process.env),
    timeoutMs: 60_000,
  });
  return JSON.parse(stdout) as Record<string, string[]>;
}

type Lister = (context: CheckContext) => Promise<string[]>;

/** What `terraform destroy` must have removed: anything named after the app, whatever created it. */
export function leftoverChecks(app: string, region: string): RehearsalCheck[] {
  let boto3Names: Promise<Record<string, string[]>> | undefined;
  const fromBoto3 =
    (kind: string): Lister =>
    async ({ endpoint }) => {
      boto3Names ??= listWithBoto3(endpoint, region);
      const names = (await boto3Names)[kind];
      if (!names) throw new Error(`boto3 listed no "${kind}"`);
      return names;
    };
  const listers: Record<string, Lister> = {
    "SQS queue": async ({ clients }) => (await listQueueUrls(clients.sqs, "")).map(queueNameOf),
    "SNS topic": async ({ clients }) => {
      const arns: string[] = [];
      let NextToken: string | undefined;
      do {
        const page = await clients.sns.send(new ListTopicsCommand({ NextToken }));
        arns.push(...(page.Topics ?? []).flatMap((t) => (t.TopicArn ? [t.TopicArn] : [])));
        NextToken = page.NextToken;
      } while (NextToken);
      return arns.map((arn) => arn.slice(arn.lastIndexOf(":") + 1));
    },
    "S3 bucket": async ({ clients }) =>
      ((await clients.s3.send(new ListBucketsCommand({}))).Buckets ?? []).flatMap((b) =>
        b.Name ? [b.Name] : [],
      ),
    "CloudWatch alarm": async ({ clients }) => {
      const names: string[] = [];
      let NextToken: string | undefined;
      do {
        const page = await clients.cloudwatch.send(
          new DescribeAlarmsCommand({ NextToken, AlarmTypes: ["MetricAlarm", "CompositeAlarm"] }),
        );
        for (const alarm of [...(page.MetricAlarms ?? []), ...(page.CompositeAlarms ?? [])]) {
          if (alarm.AlarmName) names.push(alarm.AlarmName);
        }
        NextToken = page.NextToken;
      } while (NextToken);
      return names;
    },
    "DynamoDB table": async ({ clients }) => {
      const names: string[] = [];
      for await (const page of paginateListTables({ client: clients.dynamodb }, {})) {
        names.push(...(page.TableNames ?? []));
      }
      return names;
    },
    "IAM role": fromBoto3("IAM role"),
    "IAM managed policy": fromBoto3("IAM managed policy"),
    "Lambda function": fromBoto3("Lambda function"),
    "Lambda event source mapping": fromBoto3("Lambda event source mapping"),
    "log group": fromBoto3("log group"),
    "KMS alias": fromBoto3("KMS alias"),
    "schedule group": fromBoto3("schedule group"),
  };
  return Object.entries(listers).map(([kind, list]) => ({
    name: `no ${kind} of ${app} is left`,
    async run(context) {
      const left = (await list(context)).filter((name) => belongsToApp(name, app));
      if (left.length > 0) throw new Error(`left after destroy: ${left.join(", ")}`);
    },
  }));
}
