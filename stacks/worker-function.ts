import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group/index.js";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role/index.js";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy/index.js";
import { LambdaEventSourceMapping } from "@cdktf/provider-aws/lib/lambda-event-source-mapping/index.js";
import { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function/index.js";
import { AssetType, Fn, TerraformAsset } from "cdktf";
import { Construct } from "constructs";
import { functionEnvironment } from "../shared/function-environment.ts";
import { payloadKeyPrefix } from "../shared/naming.ts";
import type { WorkerTopology } from "../shared/topology.ts";
import { BUNDLE_HANDLER, type Bundle } from "./bundle.ts";
import { forTopics, KEY_USE } from "./job-topic.ts";
import { PRODUCER_OBJECT_ACTIONS } from "./payload-bucket.ts";
import { type PolicyStatement, policyDocument } from "./policy.ts";
import { type AlarmTarget, maximumAlarm } from "./queue-alarms.ts";

export interface WorkerFunctionProps {
  readonly worker: WorkerTopology;
  readonly bundle: Bundle;
  readonly queue: { readonly arn: string; readonly url: string };
  readonly dlq: { readonly arn: string; readonly url: string };
  readonly topic: { readonly arn: string; readonly keyArn: string };
  readonly bucket: { readonly name: string; readonly arn: string };
  readonly logRetentionDays: number;
  readonly alarms: AlarmTarget;
}

/** The consumer Lambda of one job type, its log group, its least-privilege role and its SQS trigger. */
export class WorkerFunction extends Construct {
  constructor(scope: Construct, id: string, props: WorkerFunctionProps) {
    super(scope, id);
    const { worker, queue, dlq, topic, bucket } = props;
    const settings = worker.job.worker;

    // Created here rather than by Lambda on first write, so that it has a retention and the role can be
    // limited to it.
    const logGroup = new CloudwatchLogGroup(this, "logs", {
      name: worker.names.logGroup,
      retentionInDays: props.logRetentionDays,
    });
    const role = new IamRole(this, "role", {
      name: worker.names.role,
      assumeRolePolicy: policyDocument([
        {
          Effect: "Allow",
          Principal: { Service: "lambda.amazonaws.com" },
          Action: ["sts:AssumeRole"],
        },
      ]),
    });
    const rolePolicy = new IamRolePolicy(this, "permissions", {
      role: role.id,
      policy: policyDocument(workerPermissions(props, logGroup.arn)),
    });

    const code = new TerraformAsset(this, "code", { path: props.bundle.directory, type: AssetType.ARCHIVE });
    const fn = new LambdaFunction(this, "function", {
      functionName: worker.names.function,
      role: role.arn,
      runtime: "nodejs22.x",
      architectures: ["arm64"],
      handler: BUNDLE_HANDLER,
      filename: code.path,
      sourceCodeHash: Fn.filebase64sha256(code.path),
      memorySize: settings.memoryMb,
      timeout: settings.timeoutSeconds,
      environment: {
        variables: functionEnvironment(worker.consumer, {
          topicArn: topic.arn,
          bucket: bucket.name,
          queueUrl: queue.url,
          dlqUrl: dlq.url,
        }),
      },
      dependsOn: [logGroup],
    });
    new LambdaEventSourceMapping(this, "trigger", {
      eventSourceArn: queue.arn,
      functionName: fn.arn,
      batchSize: settings.batchSize,
      maximumBatchingWindowInSeconds: settings.batchingWindowSeconds,
      // The consumer reports which records failed, so one bad record does not retry its whole batch.
      functionResponseTypes: ["ReportBatchItemFailures"],
      scalingConfig: { maximumConcurrency: settings.maxConcurrency },
      // Lambda checks the role's SQS permissions when the mapping is created.
      dependsOn: [rolePolicy],
    });
    // A failed invocation fails its whole batch (a timeout, a crash, running out of memory); a throttled one
    // still counts a receive toward maxReceiveCount.
    for (const [id, metricName, what] of [
      ["errors", "Errors", "failed (timed out, crashed or ran out of memory)"],
      ["throttles", "Throttles", "were throttled (each counts a receive toward the DLQ)"],
    ] as const) {
      maximumAlarm(this, id, props.alarms, {
        alarmName: `${worker.names.function}-${id}`,
        alarmDescription: `Invocations of ${worker.names.function} ${what}; see its log group ${worker.names.logGroup}.`,
        namespace: "AWS/Lambda",
        metricName,
        dimensions: { FunctionName: fn.functionName },
        statistic: "Sum",
        threshold: 0,
      });
    }
  }
}

function workerPermissions(props: WorkerFunctionProps, logGroupArn: string): PolicyStatement[] {
  const { worker, queue, dlq, topic, bucket } = props;
  const settings = worker.job.worker;
  const objects = (prefix: string) => `${bucket.arn}/${prefix}*`;
  const ownPayloads = objects(payloadKeyPrefix(worker.consumer));
  const statements: PolicyStatement[] = [
    {
      Sid: "ConsumeOwnQueue",
      Effect: "Allow",
      Action: [
        "sqs:ReceiveMessage",
        "sqs:DeleteMessage",
        "sqs:GetQueueAttributes",
        "sqs:ChangeMessageVisibility",
      ],
      Resource: queue.arn,
    },
    // The consumer dead-letters a permanently failing job at once instead of retrying it.
    { Sid: "DeadLetterOwnJobs", Effect: "Allow", Action: ["sqs:SendMessage"], Resource: dlq.arn },
    {
      Sid: "ReadOwnPayloads",
      Effect: "Allow",
      Action: ["s3:GetObject"],
      Resource: [
        ownPayloads,
        ...(settings.foreignPayloadPrefix === null ? [] : [objects(settings.foreignPayloadPrefix)]),
      ],
    },
    // An old payload is copied onto itself so that it outlives a redriven message, and a dead letter too large
    // for its DLQ is stored beside it; both stay under the type's own prefix.
    { Sid: "RefreshOwnPayloads", Effect: "Allow", Action: ["s3:PutObject"], Resource: ownPayloads },
    {
      Sid: "WriteOwnLogs",
      Effect: "Allow",
      Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
      Resource: `${logGroupArn}:log-stream:*`,
    },
  ];
  if (settings.publishes.length > 0) {
    statements.push(
      { Sid: "PublishFollowUps", Effect: "Allow", Action: ["sns:Publish"], Resource: topic.arn },
      // A follow-up above the SNS size limit goes to the bucket first, possibly as a multipart upload.
      {
        Sid: "OffloadFollowUpPayloads",
        Effect: "Allow",
        Action: PRODUCER_OBJECT_ACTIONS,
        Resource: settings.publishes.map((type) => objects(payloadKeyPrefix(type))),
      },
      {
        Sid: "EncryptForTopic",
        Effect: "Allow",
        Action: KEY_USE,
        Resource: topic.keyArn,
        Condition: { StringEquals: forTopics([topic.arn]) },
      },
    );
  }
  return statements;
}
