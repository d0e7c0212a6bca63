import { Construct } from "constructs";
import { functionEnvironment } from "../core/function-environment.ts";
import { IDEMPOTENCY_TABLE_ACTIONS } from "../core/idempotency-table.ts";
import { payloadKeyPrefix } from "../core/naming.ts";
import type { WorkerTopology } from "../core/topology.ts";
import type { Bundle } from "./bundle.ts";
import { forTopics, KEY_USE } from "./job-topic.ts";
import { PRODUCER_OBJECT_ACTIONS } from "./payload-bucket.ts";
import type { PolicyStatement } from "./policy.ts";
import type { AlarmTarget } from "./queue-alarms.ts";
import { QueueFunction } from "./queue-function.ts";

export interface WorkerFunctionProps {
  readonly worker: WorkerTopology;
  readonly bundle: Bundle;
  readonly queue: { readonly arn: string; readonly url: string };
  readonly dlq: { readonly arn: string; readonly url: string };
  readonly topic: { readonly arn: string; readonly keyArn: string };
  /** The topics of the job types it publishes as follow-ups (standard, FIFO or both); default the topic. */
  readonly followUpTopicArns?: readonly string[] | undefined;
  readonly bucket: { readonly name: string; readonly arn: string };
  readonly logRetentionDays: number;
  readonly alarms: AlarmTarget;
  readonly tracing: boolean;
  /** The app's idempotency table, given only to a job type that declares `idempotency`. */
  readonly idempotencyTable?: IdempotencyTableAccess | undefined;
}

export interface IdempotencyTableAccess {
  readonly name: string;
  readonly arn: string;
  /** The stack's region: DynamoDB uses the table's key through its regional endpoint. */
  readonly region: string;
}

/** The consumer Lambda of one job type, with the permissions its job needs and no more. */
export class WorkerFunction extends Construct {
  constructor(scope: Construct, id: string, props: WorkerFunctionProps) {
    super(scope, id);
    const { worker, queue, dlq, topic, bucket } = props;
    new QueueFunction(this, "function", {
      names: worker.names,
      settings: worker.job.worker,
      bundle: props.bundle,
      queue,
      environment: functionEnvironment(worker.consumer, {
        topicArn: topic.arn,
        bucket: bucket.name,
        queueUrl: queue.url,
        dlqUrl: dlq.url,
        idempotencyTable: props.idempotencyTable?.name,
      }),
      permissions: workerPermissions(props),
      logRetentionDays: props.logRetentionDays,
      alarms: props.alarms,
      tracing: props.tracing,
      fifo: worker.fifo,
    });
  }
}

function workerPermissions(props: WorkerFunctionProps): PolicyStatement[] {
  const { worker, dlq, topic, bucket } = props;
  const settings = worker.job.worker;
  const objects = (prefix: string) => `${bucket.arn}/${prefix}*`;
  const ownPayloads = objects(payloadKeyPrefix(worker.consumer));
  const statements: PolicyStatement[] = [
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
  ];
  if (settings.publishes.length > 0) {
    const topics = props.followUpTopicArns ?? [topic.arn];
    statements.push(
      {
        Sid: "PublishFollowUps",
        Effect: "Allow",
        Action: ["sns:Publish"],
        Resource: topics.length === 1 ? (topics[0] as string) : [...topics],
      },
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
        Condition: { StringEquals: forTopics(topics) },
      },
    );
  }
  if (props.idempotencyTable)
    statements.push(...idempotencyPermissions(props.idempotencyTable, topic.keyArn));
  return statements;
}

/**
 * Powertools' item calls on the one table, and the key's use by DynamoDB for that table alone: the table is
 * encrypted with the stack's key, which DynamoDB uses on behalf of the caller.
 */
function idempotencyPermissions(table: IdempotencyTableAccess, keyArn: string): PolicyStatement[] {
  return [
    { Sid: "RecordJobsThatRan", Effect: "Allow", Action: IDEMPOTENCY_TABLE_ACTIONS, Resource: table.arn },
    {
      Sid: "DecryptIdempotencyTable",
      Effect: "Allow",
      Action: KEY_USE,
      Resource: keyArn,
      Condition: {
        StringEquals: {
          "kms:ViaService": `dynamodb.${table.region}.amazonaws.com`,
          "kms:EncryptionContext:aws:dynamodb:tableName": table.name,
        },
      },
    },
  ];
}
