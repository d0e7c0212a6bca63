import { CATCH_ALL_ENTRY, DELAY_RELAY_ENTRY } from "../consumer/entries.ts";
import {
  type AwsClients,
  baseClientConfig,
  createAwsClients,
  destroyAwsClients,
} from "../core/aws-clients.ts";
import { ConfigurationError } from "../core/errors.ts";
import {
  catchAllEnvironment,
  delayRelayEnvironment,
  functionEnvironment,
} from "../core/function-environment.ts";
import { DELAYED, type WorkerNames } from "../core/naming.ts";
import { PayloadStore } from "../core/payload-store.ts";
import { Publisher } from "../core/publisher.ts";
import type { Registry } from "../core/registry.ts";
import { describeTopology, type FunctionSettings, type Topology } from "../core/topology.ts";
import { connectLocalCloud, type LocalCloud, startLocalCloud } from "./cloud.ts";
import { LOCAL_CREDENTIALS, LOCAL_PLACEMENT, LOCAL_REGION, localAwsEnvironment } from "./endpoint.ts";
import { EventSourceRunner } from "./event-source-runner.ts";
import { LambdaSandbox } from "./lambda-sandbox.ts";
import { type LocalDynamoDb, startLocalDynamoDb } from "./local-dynamodb.ts";
import { type Clock, LocalScheduler, SYSTEM_CLOCK } from "./local-scheduler.ts";
import { type ProvisionedTopology, provisionTopology } from "./provision.ts";

export interface LocalFanoutOptions {
  readonly registry: Registry;
  /** Default: `FANOUT_LOCAL_PORT`, else 4566; 0 picks a free port. Ignored with `endpoint`. */
  readonly port?: number;
  /**
   * Connect to a local cloud that is already running at this URL instead of starting one: provisioning is
   * idempotent, so several processes may share one cloud. `stop()` then leaves that cloud running.
   */
  readonly endpoint?: string;
  /** Where each job type's Lambda entry lives; `loadConfig()` gives it. Needed when workers run. */
  readonly handlerPath?: (jobType: string) => string;
  /** Start the event-source runners (the consumers). Default true. */
  readonly workers?: boolean;
  /** The clock the registry's schedules fire by. Default the system clock. */
  readonly clock?: Clock;
}

/** Where the idempotent job types of a local Fanout record the job ids that ran. */
export interface LocalIdempotency {
  /** The local DynamoDB-compatible server (dynalite), on loopback. */
  readonly endpoint: string;
  readonly tableName: string;
}

export interface LocalFanout {
  readonly cloud: LocalCloud;
  readonly topology: Topology;
  readonly provisioned: ProvisionedTopology;
  readonly clients: AwsClients;
  readonly runners: ReadonlyMap<string, EventSourceRunner>;
  /** Fires the registry's schedules, publishing their jobs to the topic as EventBridge Scheduler does on AWS. */
  readonly scheduler: LocalScheduler;
  /** Null when no job type is idempotent: no DynamoDB server is started then. */
  readonly idempotency: LocalIdempotency | null;
  /** The environment that points AWS SDK clients and the `fanout` CLI at this local cloud. */
  readonly environment: Record<string, string>;
  stop(): Promise<void>;
}

/** The whole of Fanout on this machine: the local cloud, the topology from the registry, one runner per job type. */
export async function startLocalFanout(options: LocalFanoutOptions): Promise<LocalFanout> {
  const cloud = options.endpoint
    ? connectLocalCloud(options.endpoint)
    : await startLocalCloud(options.port === undefined ? {} : { port: options.port });
  const environment = localAwsEnvironment(cloud.endpoint);
  const clients = createAwsClients({
    endpoint: cloud.endpoint,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
  });
  let dynamodb: LocalDynamoDb | undefined;
  try {
    const topology = describeTopology(options.registry, LOCAL_PLACEMENT);
    const provisioned = await provisionTopology(clients, topology);
    let idempotency: LocalIdempotency | null = null;
    if (topology.idempotencyTable) {
      dynamodb = await startLocalDynamoDb();
      idempotency = await provisionLocalIdempotency(dynamodb.endpoint, topology.idempotencyTable);
      // The functions' DynamoDB client (Powertools') reads its endpoint as every SDK client does.
      environment.AWS_ENDPOINT_URL_DYNAMODB = dynamodb.endpoint;
    }
    const runners = new Map<string, EventSourceRunner>();
    const runnerFor = (
      queue: { readonly consumer: string; readonly names: WorkerNames },
      settings: FunctionSettings,
      handlerPath: string,
      functionVariables: Record<string, string>,
      address: { readonly queueUrl: string; readonly queueArn: string } | undefined = provisioned.queues.get(
        queue.consumer,
      ),
    ) => {
      if (!address) throw new Error(`Queue of ${queue.consumer} was not provisioned.`);
      const sandbox = new LambdaSandbox(
        {
          handlerPath,
          functionName: queue.names.function,
          memoryMb: settings.memoryMb,
          timeoutSeconds: settings.timeoutSeconds,
          region: LOCAL_REGION,
        },
        { ...environment, ...functionVariables },
      );
      return new EventSourceRunner({
        jobType: queue.consumer,
        sqs: clients.sqs,
        queueUrl: address.queueUrl,
        queueArn: address.queueArn,
        region: LOCAL_REGION,
        batchSize: settings.batchSize,
        batchingWindowSeconds: settings.batchingWindowSeconds,
        sandbox,
      });
    };
    if (options.workers !== false) {
      for (const worker of topology.workers) {
        const queue = provisioned.queues.get(worker.consumer);
        if (!queue) throw new Error(`Queue of ${worker.consumer} was not provisioned.`);
        const variables = functionEnvironment(worker.consumer, {
          topicArn: provisioned.topicArn,
          bucket: provisioned.bucket,
          queueUrl: queue.queueUrl,
          dlqUrl: queue.dlqUrl,
          idempotencyTable: worker.job.idempotency ? idempotency?.tableName : undefined,
        });
        if (!options.handlerPath) {
          throw new ConfigurationError(
            "startLocalFanout needs handlerPath to run the workers (or workers: false).",
          );
        }
        const handlerPath = options.handlerPath(worker.consumer);
        runners.set(worker.consumer, runnerFor(worker, worker.job.worker, handlerPath, variables));
      }
      const relayVariables = delayRelayEnvironment(provisioned.topicArn, provisioned.delayed.queueUrl);
      runners.set(
        DELAYED,
        runnerFor(topology.delayed, topology.delayed.settings, DELAY_RELAY_ENTRY, relayVariables, {
          queueUrl: provisioned.delayed.queueUrl,
          queueArn: provisioned.delayed.queueArn,
        }),
      );
      const catchAll = topology.catchAll;
      if (catchAll) {
        const variables = catchAllEnvironment(provisioned.unrouted.queueUrl);
        runners.set(catchAll.consumer, runnerFor(catchAll, catchAll.settings, CATCH_ALL_ENTRY, variables));
      }
    }
    for (const runner of runners.values()) runner.start();
    const publisher = new Publisher({
      registry: options.registry,
      sns: clients.sns,
      payloads: new PayloadStore({ s3: clients.s3, bucket: provisioned.bucket }),
      topicArn: provisioned.topicArn,
    });
    const scheduler = new LocalScheduler(
      options.registry.schedules,
      (schedule, jobId, scheduledAt) =>
        publisher.publish(schedule.jobType, schedule.payload, { jobId, createdAt: scheduledAt }),
      options.clock ?? SYSTEM_CLOCK,
    );
    scheduler.start();
    return {
      cloud,
      topology,
      provisioned,
      clients,
      runners,
      scheduler,
      idempotency,
      environment,
      stop: async () => {
        await scheduler.stop();
        await Promise.all([...runners.values()].map((r) => r.stop()));
        destroyAwsClients(clients);
        await dynamodb?.stop();
        await cloud.stop();
      },
    };
  } catch (error) {
    destroyAwsClients(clients);
    await dynamodb?.stop();
    await cloud.stop();
    throw error;
  }
}

async function provisionLocalIdempotency(
  endpoint: string,
  table: NonNullable<Topology["idempotencyTable"]>,
): Promise<LocalIdempotency> {
  const [{ DynamoDBClient }, { provisionIdempotencyTable }] = await Promise.all([
    import("@aws-sdk/client-dynamodb"),
    import("./provision-idempotency.ts"),
  ]);
  const dynamodb = new DynamoDBClient(
    baseClientConfig({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS }),
  );
  try {
    return { endpoint, tableName: await provisionIdempotencyTable(dynamodb, table) };
  } finally {
    dynamodb.destroy();
  }
}
