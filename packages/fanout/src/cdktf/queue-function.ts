import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group/index.js";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role/index.js";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy/index.js";
import { LambdaEventSourceMapping } from "@cdktf/provider-aws/lib/lambda-event-source-mapping/index.js";
import { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function/index.js";
import { AssetType, Fn, TerraformAsset } from "cdktf";
import { Construct } from "constructs";
import type { WorkerNames } from "../core/naming.ts";
import type { FunctionSettings } from "../core/topology.ts";
import { BUNDLE_HANDLER, type Bundle } from "./bundle.ts";
import { type PolicyStatement, policyDocument } from "./policy.ts";
import { type AlarmTarget, maximumAlarm } from "./queue-alarms.ts";

export interface QueueFunctionProps {
  readonly names: Pick<WorkerNames, "function" | "role" | "logGroup">;
  readonly settings: FunctionSettings;
  readonly bundle: Bundle;
  readonly queue: { readonly arn: string; readonly url: string };
  readonly environment: Record<string, string>;
  /** What it may do beyond reading its own queue and writing its own logs. */
  readonly permissions: readonly PolicyStatement[];
  readonly logRetentionDays: number;
  readonly alarms: AlarmTarget;
  /** Active X-Ray tracing (the registry's `tracing`). */
  readonly tracing: boolean;
  /** A FIFO queue: Lambda takes no batching window for it. */
  readonly fifo?: boolean | undefined;
}

/**
 * What Lambda's active tracing needs. X-Ray has no resource-level permissions for these two actions, so they
 * are the stack's one grant on `*` (AWS's own AWSXRayDaemonWriteAccess is the same), and only where tracing is on.
 */
export const XRAY_WRITE: PolicyStatement = {
  Sid: "WriteTraces",
  Effect: "Allow",
  Action: ["xray:PutTraceSegments", "xray:PutTelemetryRecords"],
  Resource: "*",
};

/**
 * A Lambda function triggered by one queue: its log group, a role limited to that queue, that log group and
 * the permissions it is given, the SQS trigger with partial batch responses, and alarms on its failures.
 */
export class QueueFunction extends Construct {
  constructor(scope: Construct, id: string, props: QueueFunctionProps) {
    super(scope, id);
    const { names, settings, queue } = props;
    // Created here rather than by Lambda on first write, so that it has a retention and the role can be
    // limited to it.
    const logGroup = new CloudwatchLogGroup(this, "logs", {
      name: names.logGroup,
      retentionInDays: props.logRetentionDays,
    });
    const role = new IamRole(this, "role", {
      name: names.role,
      assumeRolePolicy: policyDocument([
        { Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: ["sts:AssumeRole"] },
      ]),
    });
    const rolePolicy = new IamRolePolicy(this, "permissions", {
      role: role.id,
      policy: policyDocument([
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
        ...props.permissions,
        ...(props.tracing ? [XRAY_WRITE] : []),
        {
          Sid: "WriteOwnLogs",
          Effect: "Allow",
          Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
          Resource: `${logGroup.arn}:log-stream:*`,
        },
      ]),
    });

    const code = new TerraformAsset(this, "code", { path: props.bundle.directory, type: AssetType.ARCHIVE });
    const fn = new LambdaFunction(this, "function", {
      functionName: names.function,
      role: role.arn,
      runtime: "nodejs22.x",
      architectures: ["arm64"],
      handler: BUNDLE_HANDLER,
      filename: code.path,
      sourceCodeHash: Fn.filebase64sha256(code.path),
      memorySize: settings.memoryMb,
      timeout: settings.timeoutSeconds,
      environment: { variables: props.environment },
      ...(props.tracing ? { tracingConfig: { mode: "Active" } } : {}),
      dependsOn: [logGroup],
    });
    new LambdaEventSourceMapping(this, "trigger", {
      eventSourceArn: queue.arn,
      functionName: fn.arn,
      batchSize: settings.batchSize,
      ...(props.fifo ? {} : { maximumBatchingWindowInSeconds: settings.batchingWindowSeconds }),
      // The function reports which records failed, so one bad record does not retry its whole batch.
      functionResponseTypes: ["ReportBatchItemFailures"],
      scalingConfig: { maximumConcurrency: settings.maxConcurrency },
      // Lambda checks the role's SQS permissions when the mapping is created.
      dependsOn: [rolePolicy],
    });
    // A failed invocation fails its whole batch (a timeout, a crash, running out of memory); a throttled one
    // still counts a receive toward maxReceiveCount.
    for (const [alarmId, metricName, what] of [
      ["errors", "Errors", "failed (timed out, crashed or ran out of memory)"],
      ["throttles", "Throttles", "were throttled (each counts a receive toward the DLQ)"],
    ] as const) {
      maximumAlarm(this, alarmId, props.alarms, {
        alarmName: `${names.function}-${alarmId}`,
        alarmDescription: `Invocations of ${names.function} ${what}; see its log group ${names.logGroup}.`,
        namespace: "AWS/Lambda",
        metricName,
        dimensions: { FunctionName: fn.functionName },
        statistic: "Sum",
        threshold: 0,
      });
    }
  }
}
