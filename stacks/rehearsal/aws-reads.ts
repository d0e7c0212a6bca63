import {
  GetSubscriptionAttributesCommand,
  ListSubscriptionsByTopicCommand,
  type SNSClient,
} from "@aws-sdk/client-sns";
import {
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListQueuesCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";

/** Small reads that several checks share; each fails with the resource's name when it is missing. */

export interface QueueState {
  readonly name: string;
  readonly url: string;
  readonly attributes: Readonly<Record<string, string>>;
}

export async function readQueue(sqs: SQSClient, name: string): Promise<QueueState> {
  let url: string | undefined;
  try {
    ({ QueueUrl: url } = await sqs.send(new GetQueueUrlCommand({ QueueName: name })));
  } catch (error) {
    throw new Error(`queue ${name} does not exist (${(error as Error).name})`);
  }
  if (!url) throw new Error(`queue ${name} has no URL`);
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["All"] }),
  );
  return { name, url, attributes: Attributes ?? {} };
}

/** Every queue whose name starts with the prefix: the stack's own, including any added after this was written. */
export async function listQueueUrls(sqs: SQSClient, prefix: string): Promise<string[]> {
  const urls: string[] = [];
  let NextToken: string | undefined;
  do {
    const page = await sqs.send(
      new ListQueuesCommand({ QueueNamePrefix: prefix, NextToken, MaxResults: 1000 }),
    );
    urls.push(...(page.QueueUrls ?? []));
    NextToken = page.NextToken;
  } while (NextToken);
  return urls;
}

export function queueNameOf(url: string): string {
  return url.slice(url.lastIndexOf("/") + 1);
}

export interface SubscriptionState {
  readonly arn: string;
  readonly endpoint: string;
  readonly attributes: Readonly<Record<string, string>>;
}

export async function readSubscriptions(sns: SNSClient, topicArn: string): Promise<SubscriptionState[]> {
  const found: { arn: string; endpoint: string }[] = [];
  let NextToken: string | undefined;
  do {
    const page = await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArn, NextToken }));
    for (const s of page.Subscriptions ?? []) {
      if (s.SubscriptionArn && s.Endpoint) found.push({ arn: s.SubscriptionArn, endpoint: s.Endpoint });
    }
    NextToken = page.NextToken;
  } while (NextToken);
  return Promise.all(
    found.map(async ({ arn, endpoint }) => {
      const { Attributes } = await sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: arn }));
      return { arn, endpoint, attributes: Attributes ?? {} };
    }),
  );
}

/** JSON with sorted keys, so two policies compare by meaning rather than by the order a writer chose. */
export function canonicalJson(text: string | undefined): string {
  if (text === undefined) return "(absent)";
  const sort = (value: unknown): unknown =>
    Array.isArray(value)
      ? value.map(sort)
      : value && typeof value === "object"
        ? Object.fromEntries(
            Object.entries(value)
              .sort(([a], [b]) => a.localeCompare(b))
              .map(([k, v]) => [k, sort(v)]),
          )
        : value;
  try {
    return JSON.stringify(sort(JSON.parse(text)));
  } catch {
    return text;
  }
}
