import { GetQueueAttributesCommand, GetQueueUrlCommand, QueueDoesNotExist } from "@aws-sdk/client-sqs";
import { GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import { errorName, NotFoundError, UsageError } from "../core/errors.ts";
import type { Placement } from "../core/naming.ts";
import { once } from "../core/once.ts";
import { type PayloadReader, PayloadStore } from "../core/payload-store.ts";
import { Publisher } from "../core/publisher.ts";
import type { Registry } from "../core/registry.ts";
import { describeTopology, type Topology } from "../core/topology.ts";
import { LOCAL_CREDENTIALS, LOCAL_REGION, localPort } from "../local/endpoint.ts";
import type { QueueAddress } from "../operations/queue-address.ts";
import type { QueueReader } from "../operations/queue-status.ts";
import { type CliClients, createCliClients, destroyCliClients } from "./clients.ts";

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
  /** The account (from `sts:GetCallerIdentity`) and region this connection works in. */
  placement(): Promise<Placement>;
  /** The registry's topology there: every name the stack (or the local cloud) gave its resources. */
  topology(): Promise<Topology>;
  payloads(): Promise<PayloadStore>;
  /** Reads payloads through `payloads()`, resolving the bucket on the first read. */
  readonly payloadReader: PayloadReader;
  topicArn(): Promise<string>;
  /** With `delayed`, the publisher also has the app's delay queue, looked up by name. */
  publisher<R extends Registry>(registry: R, options?: { readonly delayed?: boolean }): Promise<Publisher<R>>;
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

/** An emulator on this machine: it needs a region and some credentials, but no real ones. */
function isLoopback(endpoint: string | undefined): boolean {
  if (endpoint === undefined) return false;
  const host = new URL(endpoint).hostname;
  return host === "localhost" || host === "[::1]" || /^127\.\d+\.\d+\.\d+$/.test(host);
}

function credentialsFrom(local: boolean, env: NodeJS.ProcessEnv) {
  // The SDK reads process.env itself; an environment handed in (as tests do) must be passed explicitly.
  if (env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY) {
    return {
      accessKeyId: env.AWS_ACCESS_KEY_ID,
      secretAccessKey: env.AWS_SECRET_ACCESS_KEY,
      ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}),
    };
  }
  return local ? LOCAL_CREDENTIALS : undefined;
}

/**
 * Where the CLI talks to: the local cloud (`--local`), an explicit `--endpoint`, or AWS as the standard
 * configuration describes it (`AWS_REGION`, `AWS_PROFILE`, `AWS_ENDPOINT_URL`...).
 */
export function connect(registry: Registry, options: ConnectionOptions, env: NodeJS.ProcessEnv): Connection {
  const endpoint = endpointFrom(options, env);
  const local = Boolean(options.local) || isLoopback(endpoint);
  const region = options.region ?? (env.AWS_REGION || env.AWS_DEFAULT_REGION || undefined);
  const credentials = options.local ? LOCAL_CREDENTIALS : credentialsFrom(local, env);
  const clients = createCliClients({
    endpoint,
    region: region ?? (local ? LOCAL_REGION : undefined),
    ...(credentials ? { credentials } : {}),
  });
  const queues = new Map<string, Promise<QueueAddress>>();

  const identity = once(async () => {
    const [{ Account, Arn }, resolvedRegion] = await Promise.all([
      clients.sts.send(new GetCallerIdentityCommand({})),
      clients.sns.config.region(),
    ]);
    if (!Account)
      throw new NotFoundError("sts:GetCallerIdentity named no account; check the AWS credentials.");
    return { accountId: Account, region: resolvedRegion, partition: Arn?.split(":")[1] || "aws" };
  });
  const placement = once(async (): Promise<Placement> => {
    const { accountId, region: resolvedRegion } = await identity();
    return { accountId, region: resolvedRegion };
  });
  const topology = once(async () => describeTopology(registry, await placement()));
  const payloads = once(
    async () =>
      new PayloadStore({
        s3: clients.s3,
        bucket: env.FANOUT_PAYLOAD_BUCKET || (await topology()).bucketName,
      }),
  );
  /** The topic's ARN follows from the naming function, the region and the caller's account. */
  const topicArn = once(async (): Promise<string> => {
    if (env.FANOUT_TOPIC_ARN) return env.FANOUT_TOPIC_ARN;
    const [{ accountId, region: resolvedRegion, partition }, { topicName }] = await Promise.all([
      identity(),
      topology(),
    ]);
    return `arn:${partition}:sns:${resolvedRegion}:${accountId}:${topicName}`;
  });

  async function resolveQueue(name: string): Promise<QueueAddress> {
    try {
      const { QueueUrl } = await clients.sqs.send(new GetQueueUrlCommand({ QueueName: name }));
      const { Attributes } = await clients.sqs.send(
        new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }),
      );
      return { name, url: QueueUrl as string, arn: Attributes?.QueueArn as string };
    } catch (error) {
      if (error instanceof QueueDoesNotExist || errorName(error) === "QueueDoesNotExist") {
        throw new NotFoundError(
          `Queue ${name} does not exist here: deploy the stack (npx cdktf deploy), or start the local cloud (fanout start) and pass --local.`,
          { cause: error },
        );
      }
      throw error;
    }
  }

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
    placement,
    topology,
    payloads,
    payloadReader: { read: async (pointer, size) => (await payloads()).read(pointer, size) },
    topicArn,
    publisher: async (forRegistry, options = {}) =>
      new Publisher({
        registry: forRegistry,
        sns: clients.sns,
        payloads: await payloads(),
        topicArn: await topicArn(),
        ...(options.delayed
          ? {
              delayQueue: {
                sqs: clients.sqs,
                queueUrl: (await queue((await topology()).delayed.queueName)).url,
              },
            }
          : {}),
      }),
    queue,
    reader: () => ({
      sqs: clients.sqs,
      queue,
      cloudwatch: endpoint === undefined ? clients.cloudwatch : undefined,
    }),
    close: () => destroyCliClients(clients),
  };
}
