import { IamRole } from "@cdktf/provider-aws/lib/iam-role/index.js";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy/index.js";
import { SchedulerSchedule } from "@cdktf/provider-aws/lib/scheduler-schedule/index.js";
import { SchedulerScheduleGroup } from "@cdktf/provider-aws/lib/scheduler-schedule-group/index.js";
import { SqsQueue } from "@cdktf/provider-aws/lib/sqs-queue/index.js";
import { SqsQueuePolicy } from "@cdktf/provider-aws/lib/sqs-queue-policy/index.js";
import { Construct } from "constructs";
import { SQS_MAX_MESSAGE_BYTES } from "../core/claim-check.ts";
import {
  SCHEDULER_EXECUTION_ID,
  SCHEDULER_SCHEDULED_TIME,
  type ScheduleDefinition,
  scheduleDlqName,
  scheduledMessage,
  scheduleGroupName,
  schedulerRoleName,
} from "../core/schedule.ts";
import { DLQ_RETENTION_SECONDS } from "../core/topology.ts";
import { KEY_USE } from "./job-topic.ts";
import { policyDocument } from "./policy.ts";

export interface JobSchedulesProps {
  readonly app: string;
  readonly schedules: readonly ScheduleDefinition[];
  readonly topic: { readonly arn: string; readonly keyArn: string };
  readonly accountId: string;
  readonly partition: string;
  readonly region: string;
}

/**
 * The registry's schedules as EventBridge Scheduler schedules, in one group for the app. Each run calls SNS
 * Publish through the scheduler's universal target: the SNS templated target sends only a message body, and a
 * job needs its `jobType` attribute for the filter policies to route it. The message is a Fanout envelope
 * whose id and time EventBridge Scheduler fills in at each run (its context attributes).
 */
export class JobSchedules extends Construct {
  readonly group: SchedulerScheduleGroup;
  readonly role: IamRole;
  readonly schedules: ReadonlyMap<string, SchedulerSchedule>;
  readonly deadLetterQueues: ReadonlyMap<string, SqsQueue>;

  constructor(scope: Construct, id: string, props: JobSchedulesProps) {
    super(scope, id);
    const { partition, accountId } = props;
    this.group = new SchedulerScheduleGroup(this, "group", { name: scheduleGroupName(props.app) });
    this.role = new IamRole(this, "role", {
      name: schedulerRoleName(props.app, props.region),
      assumeRolePolicy: policyDocument([
        {
          Effect: "Allow",
          Principal: { Service: "scheduler.amazonaws.com" },
          Action: ["sts:AssumeRole"],
          // Only schedules of this account may act as the role (the confused-deputy guard AWS recommends).
          Condition: { StringEquals: { "aws:SourceAccount": accountId } },
        },
      ]),
    });
    const dlqs = new Map<string, SqsQueue>();
    for (const schedule of props.schedules) {
      dlqs.set(
        schedule.name,
        new SqsQueue(this, `${schedule.name}-dlq`, {
          name: scheduleDlqName(props.app, schedule.name),
          messageRetentionSeconds: DLQ_RETENTION_SECONDS,
          maxMessageSize: SQS_MAX_MESSAGE_BYTES,
          sqsManagedSseEnabled: true,
        }),
      );
    }
    this.deadLetterQueues = dlqs;
    // EventBridge Scheduler sends a run it gave up on to the DLQ with the schedule's own role.
    const rolePolicy = new IamRolePolicy(this, "permissions", {
      role: this.role.id,
      policy: policyDocument([
        { Sid: "PublishScheduledJobs", Effect: "Allow", Action: ["sns:Publish"], Resource: props.topic.arn },
        { Sid: "EncryptForTheTopic", Effect: "Allow", Action: KEY_USE, Resource: props.topic.keyArn },
        {
          Sid: "KeepRunsThatFailed",
          Effect: "Allow",
          Action: ["sqs:SendMessage"],
          Resource: [...dlqs.values()].map((q) => q.arn),
        },
      ]),
    });
    const schedules = new Map<string, SchedulerSchedule>();
    for (const schedule of props.schedules) {
      const dlq = dlqs.get(schedule.name) as SqsQueue;
      new SqsQueuePolicy(this, `${schedule.name}-dlq-policy`, {
        queueUrl: dlq.url,
        policy: policyDocument([
          {
            Sid: "OnlyTheSchedulerSends",
            Effect: "Deny",
            Principal: "*",
            Action: ["sqs:SendMessage"],
            Resource: dlq.arn,
            Condition: { ArnNotEquals: { "aws:PrincipalArn": this.role.arn } },
          },
        ]),
      });
      const message = scheduledMessage(schedule, SCHEDULER_EXECUTION_ID, SCHEDULER_SCHEDULED_TIME);
      schedules.set(
        schedule.name,
        new SchedulerSchedule(this, schedule.name, {
          name: schedule.name,
          groupName: this.group.name,
          ...(schedule.description ? { description: schedule.description } : {}),
          scheduleExpression: schedule.expression,
          scheduleExpressionTimezone: schedule.timeZone,
          flexibleTimeWindow:
            schedule.flexibleWindowMinutes === null
              ? { mode: "OFF" }
              : { mode: "FLEXIBLE", maximumWindowInMinutes: schedule.flexibleWindowMinutes },
          target: {
            arn: `arn:${partition}:scheduler:::aws-sdk:sns:publish`,
            roleArn: this.role.arn,
            input: JSON.stringify({
              TopicArn: props.topic.arn,
              Message: message.body,
              MessageAttributes: message.attributes,
            }),
            retryPolicy: {
              maximumRetryAttempts: schedule.retry.maxRetries,
              maximumEventAgeInSeconds: schedule.retry.maxEventAgeSeconds,
            },
            deadLetterConfig: { arn: dlq.arn },
          },
          // A run before the role may publish would fail while the stack is being created.
          dependsOn: [rolePolicy],
        }),
      );
    }
    this.schedules = schedules;
  }
}
