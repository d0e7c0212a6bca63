import { createHash } from "node:crypto";

/**
 * The one naming function for every resource. The local cloud and the cdktf stack both call it,
 * so the two topologies cannot drift apart.
 *
 * Names are unique where AWS needs them to be: queues, topics, functions, log groups and alarms are
 * regional, so `<app>-…` is enough within an account; IAM names are account-wide, so they carry the region;
 * S3 bucket names are global across every account, so the bucket carries the account id and the region.
 */
export interface QueueNames {
  readonly queue: string;
  readonly dlq: string;
  /** Where SNS puts what it could not deliver to `queue` (the subscription's redrive policy). */
  readonly deliveryDlq: string;
}

export interface WorkerNames extends QueueNames {
  readonly function: string;
  readonly role: string;
  readonly logGroup: string;
}

/** Where a topology lives: the same app in another account or region gets different global names. */
export interface Placement {
  /** The AWS account id (a Terraform reference in the stack, `000000000000` in the local cloud). */
  readonly accountId: string;
  /** A plain region name such as `eu-west-1`; IAM names are built from it, so it cannot be a reference. */
  readonly region: string;
}

export const PAYLOAD_KEY_PREFIX = "payloads/";
/** IAM allows 64 characters in a role name and 128 in a policy name. */
const MAX_ROLE_NAME = 64;
const MAX_POLICY_NAME = 128;
/** S3 allows 63 characters in a bucket name. */
const MAX_BUCKET_NAME = 63;
/** The consumer name of the queue that keeps jobs no worker is subscribed for. */
export const UNROUTED = "unrouted";
/** The consumer name of the filter-less subscription that finds messages without attributes. */
export const CATCH_ALL = "catch-all";
/** The consumer name of the queue where delayed jobs wait until they are due. */
export const DELAYED = "delayed";

export function topicName(app: string): string {
  return `${app}-jobs`;
}

/** SNS and SQS require a FIFO topic's or queue's name to end so. */
export const FIFO_SUFFIX = ".fifo";

/** The topic of the ordered job types: SNS cannot mix FIFO and standard messages on one topic. */
export function fifoTopicName(app: string): string {
  return `${topicName(app)}${FIFO_SUFFIX}`;
}

/** The FIFO topic's ARN beside the standard topic's: the same account, region and app. */
export function fifoTopicArnOf(topicArn: string): string {
  return `${topicArn}${FIFO_SUFFIX}`;
}

/** An ordered job type's queues: the same names as a standard type's, each ending `.fifo`. */
export function fifoQueueNames(app: string, consumer: string): QueueNames {
  const names = queueNames(app, consumer);
  return {
    queue: `${names.queue}${FIFO_SUFFIX}`,
    dlq: `${names.dlq}${FIFO_SUFFIX}`,
    deliveryDlq: `${names.deliveryDlq}${FIFO_SUFFIX}`,
  };
}

/** Whether a queue (by name or URL) is a FIFO queue, which needs group and deduplication ids on every send. */
export function isFifoQueue(nameOrUrl: string): boolean {
  return nameOrUrl.endsWith(FIFO_SUFFIX);
}

export function payloadBucketName(app: string, placement: Placement): string {
  const name = `${app}-payloads-${placement.accountId}-${placement.region}`;
  // An account id from Terraform is a token, longer than the 12 digits it stands for: only check real ones.
  if (/^\d{12}$/.test(placement.accountId) && name.length > MAX_BUCKET_NAME) {
    throw new RangeError(
      `Bucket name ${name} is longer than S3's ${MAX_BUCKET_NAME} characters; shorten the app name.`,
    );
  }
  return name;
}

export function queueNames(app: string, consumer: string): QueueNames {
  return {
    queue: `${app}-${consumer}`,
    dlq: `${app}-${consumer}-dlq`,
    deliveryDlq: `${app}-${consumer}-undelivered`,
  };
}

/**
 * A name that fits `max` characters: kept as it is when it fits, otherwise cut and ended with a hash of the
 * whole, so two long names that share a beginning stay distinct and the same input always gives the same name.
 */
export function boundedName(name: string, max: number): string {
  if (name.length <= max) return name;
  const hash = createHash("sha256").update(name).digest("hex").slice(0, 8);
  return `${name.slice(0, max - hash.length - 1)}-${hash}`;
}

export function workerNames(app: string, jobType: string, placement: Placement, fifo = false): WorkerNames {
  const fn = `${app}-${jobType}`;
  return {
    ...(fifo ? fifoQueueNames(app, jobType) : queueNames(app, jobType)),
    function: fn,
    role: boundedName(`${fn}-${placement.region}`, MAX_ROLE_NAME),
    logGroup: `/aws/lambda/${fn}`,
  };
}

/** The managed policy a producer service attaches to publish jobs (IAM names are account-wide). */
export function producerPolicyName(app: string, placement: Placement): string {
  return boundedName(`${app}-producer-${placement.region}`, MAX_POLICY_NAME);
}

/** CloudWatch dashboards are account-wide, not regional: the region keeps two deployments apart. */
export function dashboardName(app: string, placement: Pick<Placement, "region">): string {
  return `${app}-${placement.region}`;
}

export function alarmTopicName(app: string): string {
  return `${app}-alarms`;
}

/** Readable, sortable keys: `payloads/<type>/<yyyy>/<mm>/<dd>/<job id>.json`. */
export function payloadKey(jobType: string, jobId: string, at: Date): string {
  const day = at.toISOString().slice(0, 10).replaceAll("-", "/");
  return `${payloadKeyPrefix(jobType)}${day}/${jobId}.json`;
}

/** Every payload of one job type lives under this prefix, so IAM can grant one type's payloads alone. */
export function payloadKeyPrefix(jobType: string): string {
  return `${PAYLOAD_KEY_PREFIX}${jobType}/`;
}
