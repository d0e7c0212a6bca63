import { PurgeQueueCommand, ReceiveMessageCommand } from "@aws-sdk/client-sqs";
import {
  DUE_AT_ATTRIBUTE,
  PayloadStore,
  Publisher,
  type Registry,
  scheduleDlqName,
  scheduleGroupName,
} from "fanout";
import { readQueue } from "./aws-reads.ts";
import { type CheckSuite, Problems, type RehearsalCheck } from "./check-runner.ts";
import { runCommand } from "./child-process.ts";
import { samplePayload } from "./sample-jobs.ts";
import { REHEARSAL_REGION, withoutAwsSettings } from "./synthesize.ts";
import { stringOutput } from "./terraform.ts";

/** The project installs no EventBridge Scheduler client; boto3, which moto[server] brings, reads the schedule. */
const GET_SCHEDULE = `
import json, sys
import boto3
client = boto3.client("scheduler", endpoint_url=sys.argv[1], region_name=sys.argv[2], aws_access_key_id="rehearsal", aws_secret_access_key="rehearsal")
schedule = client.get_schedule(Name=sys.argv[3], GroupName=sys.argv[4])
print(json.dumps(schedule, default=str))
`;

interface ScheduleState {
  readonly ScheduleExpression?: string;
  readonly ScheduleExpressionTimezone?: string;
  readonly FlexibleTimeWindow?: { Mode?: string; MaximumWindowInMinutes?: number };
  readonly Target?: {
    Arn?: string;
    RoleArn?: string;
    Input?: string;
    RetryPolicy?: { MaximumRetryAttempts?: number; MaximumEventAgeInSeconds?: number };
    DeadLetterConfig?: { Arn?: string };
  };
}

/**
 * The registry's schedules as EventBridge Scheduler holds them, and the delay queue a delayed job waits in. moto
 * runs neither schedules nor Lambda functions (that needs Docker), so a run's publish and the relay's are
 * covered by the stack tests and the local cloud, not here.
 */
export const scheduleChecks: CheckSuite = ({ registry, topology }) => [
  ...registry.schedules.map(
    (schedule): RehearsalCheck => ({
      name: `schedule ${schedule.name}: ${schedule.expression} in ${schedule.timeZone}, publishing ${schedule.jobType} to the topic with its jobType, its retry policy and DLQ`,
      async run({ clients, endpoint, outputs }) {
        const { stdout } = await runCommand(
          "python3",
          ["-c", GET_SCHEDULE, endpoint, REHEARSAL_REGION, schedule.name, scheduleGroupName(registry.app)],
          { env: withoutAwsSettings(process.env), timeoutMs: 60_000 },
        );
        const state = JSON.parse(stdout) as ScheduleState;
        const input = JSON.parse(state.Target?.Input ?? "{}") as {
          TopicArn?: string;
          Message?: string;
          MessageAttributes?: Record<string, { StringValue?: string }>;
        };
        const problems = new Problems();
        problems.expectEqual("ScheduleExpression", state.ScheduleExpression, schedule.expression);
        problems.expectEqual(
          "ScheduleExpressionTimezone",
          state.ScheduleExpressionTimezone,
          schedule.timeZone,
        );
        problems.expectEqual(
          "FlexibleTimeWindow",
          state.FlexibleTimeWindow?.MaximumWindowInMinutes ?? null,
          schedule.flexibleWindowMinutes,
        );
        problems.expectEqual("target", state.Target?.Arn?.endsWith(":scheduler:::aws-sdk:sns:publish"), true);
        problems.expectEqual("input TopicArn", input.TopicArn, stringOutput(outputs, "topic-arn"));
        problems.expectEqual(
          "input jobType",
          input.MessageAttributes?.jobType?.StringValue,
          schedule.jobType,
        );
        problems.expectEqual(
          "input job type",
          (JSON.parse(input.Message ?? "{}") as { type?: string }).type,
          schedule.jobType,
        );
        problems.expectEqual(
          "MaximumRetryAttempts",
          state.Target?.RetryPolicy?.MaximumRetryAttempts,
          schedule.retry.maxRetries,
        );
        problems.expectEqual(
          "MaximumEventAgeInSeconds",
          state.Target?.RetryPolicy?.MaximumEventAgeInSeconds,
          schedule.retry.maxEventAgeSeconds,
        );
        const dlq = await readQueue(clients.sqs, scheduleDlqName(registry.app, schedule.name));
        problems.expectEqual(
          "DeadLetterConfig",
          state.Target?.DeadLetterConfig?.Arn,
          dlq.attributes.QueueArn,
        );
        problems.throwIfAny();
      },
    }),
  ),
  {
    name: `a delayed job waits in ${topology.delayed.queueName} with its due time, and reaches no worker's queue before`,
    async run({ clients, outputs }) {
      const queue = await readQueue(clients.sqs, topology.delayed.queueName);
      const dlq = await readQueue(clients.sqs, topology.delayed.dlqName);
      const problems = new Problems();
      problems.expectEqual(
        "delay queue redrive policy",
        queue.attributes.RedrivePolicy && JSON.parse(queue.attributes.RedrivePolicy),
        { deadLetterTargetArn: dlq.attributes.QueueArn, maxReceiveCount: topology.delayed.maxReceiveCount },
      );
      problems.expectEqual("delay-queue-url output", stringOutput(outputs, "delay-queue-url"), queue.url);
      const [type] = registry.jobList.map((j) => j.type);
      const publisher = new Publisher({
        registry: registry as Registry,
        sns: clients.sns,
        payloads: new PayloadStore({ s3: clients.s3, bucket: stringOutput(outputs, "bucket-name") }),
        topicArn: stringOutput(outputs, "topic-arn"),
        delayQueue: { sqs: clients.sqs, queueUrl: stringOutput(outputs, "delay-queue-url") },
      });
      const before = Date.now();
      const job = await publisher.publish(type as string, samplePayload(type as string) as never, {
        delaySeconds: 1,
      });
      // Long enough for SQS's delay; nothing reads the queue in moto, where the relay does not run.
      const { Messages = [] } = await clients.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queue.url,
          WaitTimeSeconds: 5,
          MessageAttributeNames: ["All"],
        }),
      );
      const [message] = Messages;
      problems.expectEqual(
        "job id",
        message && (JSON.parse(message.Body ?? "{}") as { id?: string }).id,
        job.jobId,
      );
      const dueAt = Number(message?.MessageAttributes?.[DUE_AT_ATTRIBUTE]?.StringValue);
      problems.expectEqual(
        "due about a second after publishing",
        dueAt >= before + 1000 && dueAt < Date.now() + 1000,
        true,
      );
      problems.expectEqual("jobType attribute", message?.MessageAttributes?.jobType?.StringValue, type);
      await clients.sqs.send(new PurgeQueueCommand({ QueueUrl: queue.url }));
      problems.throwIfAny();
    },
  },
];
