/**
 * The one naming function for every resource. The local cloud and the cdktf stack both call it,
 * so the two topologies cannot drift apart.
 */
export interface QueueNames {
  readonly queue: string;
  readonly dlq: string;
}

export interface WorkerNames extends QueueNames {
  readonly function: string;
  readonly role: string;
  readonly logGroup: string;
}

export const PAYLOAD_KEY_PREFIX = "payloads/";

export function topicName(app: string): string {
  return `${app}-jobs`;
}

export function bucketName(app: string): string {
  return `${app}-payloads`;
}

export function queueNames(app: string, consumer: string): QueueNames {
  return { queue: `${app}-${consumer}`, dlq: `${app}-${consumer}-dlq` };
}

export function workerNames(app: string, jobType: string): WorkerNames {
  const fn = `${app}-${jobType}`;
  return { ...queueNames(app, jobType), function: fn, role: fn, logGroup: `/aws/lambda/${fn}` };
}

/** Readable, sortable keys: `payloads/<type>/<yyyy>/<mm>/<dd>/<job id>.json`. */
export function payloadKey(jobType: string, jobId: string, at: Date): string {
  const day = at.toISOString().slice(0, 10).replaceAll("-", "/");
  return `${PAYLOAD_KEY_PREFIX}${jobType}/${day}/${jobId}.json`;
}
