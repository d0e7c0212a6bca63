import { GetQueueAttributesCommand, GetQueueUrlCommand, QueueDoesNotExist } from "@aws-sdk/client-sqs";
import { GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import { LOCAL_CREDENTIALS, LOCAL_REGION, localPort } from "../local/cloud.ts";
import { bucketName, topicName } from "../shared/naming.ts";
import type { QueueAddress } from "../shared/operations/queue-address.ts";
import type { QueueReader } from "../shared/operations/queue-status.ts";
import { PayloadStore } from "../shared/payload-store.ts";
import { Publisher } from "../shared/publisher.ts";
import type { Registry } from "../shared/registry.ts";
import { type CliClients, createCliClients, destroyCliClients } from "./clients.ts";
import { NotFoundError, UsageError } from "./exit-codes.ts";

export interface ConnectionOptions {
  readonly local?: boolean;
  readonly endpoint?: string;
  readonly region?: string;
}

export type { QueueAddress };

export interface Connection {
  readonly clients: CliClients;
  /** The endpoint every request goes to, or undefined for AWS itself. */
  readonly endpoint: string | undefined;
  readonly bucket: string;
  readonly payloads: PayloadStore;
  topicArn(): Promise<string>;
  publisher<R extends Registry>(registry: R): Promise<Publisher<R>>;
  /** Looks a queue up by the name the naming function gives it. */
  queue(name: string): Promise<QueueAddress>;
  /** What the shared queue operations read through: CloudWatch only on AWS itself. */
  reader(): QueueReader;
  close(): void;
}

function endpointFrom(options: ConnectionOptions, env: NodeJS.ProcessEnv): string | undefined {
  if (options.local && options.endpoint) {
    throw new UsageError("Pass either --local or --endpoint, not both.");
  }
  if (options.local) return `http://127.0.0.1:${localPort(env)}`;
  const endpoint = options.endpoint ?? (env.AWS_ENDPOINT_URL || undefined);
  if (endpoint !== undefined && !URL.canParse(endpoint)) {
    throw new UsageError(`--endpoint "${endpoint}" is not a URL; pass one like http://127.0.0.1:4566.`);
  }
  return endpoint;
}

function credentialsFrom(options: ConnectionOptions, env: NodeJS.ProcessEnv) {
  if (options.local) return LOCAL_CREDENTIALS;
  // The SDK reads process.env itself; an environment handed in (as tests do) must be passed explicitly.
  if (env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY) {
    return {
      accessKeyId: env.AWS_ACCESS_KEY_ID,
      secretAccessKey: env.AWS_SECRET_ACCESS_KEY,
      ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}),
    };
  }
  return undefined;
}

/**
 * Where the CLI talks to: the local cloud (`--local`), an explicit `--endpoint`, or AWS as the standard
 * configuration describes it (`AWS_REGION`, `AWS_PROFILE`, `AWS_ENDPOINT_URL`...).
 */
export function connect(app: string, options: ConnectionOptions, env: NodeJS.ProcessEnv): Connection {
  const endpoint = endpointFrom(options, env);
  const region = options.region ?? (env.AWS_REGION || env.AWS_DEFAULT_REGION || undefined);
  const credentials = credentialsFrom(options, env);
  const clients = createCliClients({
    endpoint,
    region: region ?? (options.local ? LOCAL_REGION : undefined),
    ...(credentials ? { credentials } : {}),
  });
  const bucket = env.FANOUT_PAYLOAD_BUCKET || bucketName(app);
  const payloads = new PayloadStore({ s3: clients.s3, bucket });
  let arn: Promise<string> | undefined;
  const queues = new Map<string, Promise<QueueAddress>>();

  /** The topic's ARN follows from the naming function, the region and the caller's account. */
  async function resolveTopicArn(): Promise<string> {
    if (env.FANOUT_TOPIC_ARN) return env.FANOUT_TOPIC_ARN;
    const [{ Account }, resolvedRegion] = await Promise.all([
      clients.sts.send(new GetCallerIdentityCommand({})),
      clients.sns.config.region(),
    ]);
    return `arn:aws:sns:${resolvedRegion}:${Account}:${topicName(app)}`;
  }

  async function resolveQueue(name: string): Promise<QueueAddress> {
    try {
      const { QueueUrl } = await clients.sqs.send(new GetQueueUrlCommand({ QueueName: name }));
      const { Attributes } = await clients.sqs.send(
        new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }),
      );
      return { name, url: QueueUrl as string, arn: Attributes?.QueueArn as string };
    } catch (error) {
      if (error instanceof QueueDoesNotExist || (error as { name?: string }).name === "QueueDoesNotExist") {
        throw new NotFoundError(
          `Queue ${name} does not exist here: deploy the stack (npx cdktf deploy), or start the local cloud (npm start) and pass --local.`,
          { cause: error },
        );
      }
      throw error;
    }
  }

  const topicArn = (): Promise<string> => {
    arn ??= resolveTopicArn();
    return arn;
  };

  /** Each queue is looked up once per connection. */
  const queue = (name: string): Promise<QueueAddress> => {
    let found = queues.get(name);
    if (!found) {
      found = resolveQueue(name);
      queues.set(name, found);
    }
    return found;
  };

  return {
    clients,
    endpoint,
    bucket,
    payloads,
    topicArn,
    publisher: async (registry) =>
      new Publisher({ registry, sns: clients.sns, payloads, topicArn: await topicArn() }),
    queue,
    reader: () => ({
      sqs: clients.sqs,
      queue,
      cloudwatch: endpoint === undefined ? clients.cloudwatch : undefined,
    }),
    close: () => destroyCliClients(clients),
  };
}
