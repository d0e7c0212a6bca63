import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { LOCAL_CREDENTIALS, LOCAL_REGION, localPort } from "../local/cloud.ts";
import { type AwsClients, createAwsClients, destroyAwsClients } from "../shared/aws-clients.ts";
import type { AppRegistry } from "../shared/jobs/index.ts";
import { bucketName, topicName } from "../shared/naming.ts";
import { PayloadStore } from "../shared/payload-store.ts";
import { Publisher } from "../shared/publisher.ts";

export interface ConnectionOptions {
  readonly local?: boolean;
  readonly endpoint?: string;
  readonly region?: string;
}

export interface Connection {
  readonly clients: AwsClients;
  readonly endpoint: string | undefined;
  topicArn(): Promise<string>;
  readonly bucket: string;
  publisher(): Promise<Publisher<AppRegistry>>;
  close(): void;
}

/**
 * Where the CLI talks to: the local cloud (`--local`), an explicit `--endpoint`, or AWS as the standard
 * configuration describes it (`AWS_REGION`, `AWS_PROFILE`, `AWS_ENDPOINT_URL`...).
 */
export function connect(registry: AppRegistry, options: ConnectionOptions): Connection {
  const endpoint = options.local ? `http://127.0.0.1:${localPort()}` : options.endpoint;
  const clientOptions = {
    ...(endpoint ? { endpoint } : {}),
    ...(options.region ? { region: options.region } : options.local ? { region: LOCAL_REGION } : {}),
    ...(options.local ? { credentials: LOCAL_CREDENTIALS } : {}),
  };
  const clients = createAwsClients(clientOptions);
  const bucket = process.env.FANOUT_PAYLOAD_BUCKET ?? bucketName(registry.app);
  let arn: Promise<string> | undefined;
  const topicArn = (): Promise<string> => {
    arn ??= resolveTopicArn();
    return arn;
  };

  /** The topic's ARN follows from the naming function, the region and the caller's account. */
  async function resolveTopicArn(): Promise<string> {
    if (process.env.FANOUT_TOPIC_ARN) return process.env.FANOUT_TOPIC_ARN;
    const sts = new STSClient(clientOptions);
    try {
      const [{ Account }, region] = await Promise.all([
        sts.send(new GetCallerIdentityCommand({})),
        clients.sns.config.region(),
      ]);
      return `arn:aws:sns:${region}:${Account}:${topicName(registry.app)}`;
    } finally {
      sts.destroy();
    }
  }

  return {
    clients,
    endpoint,
    bucket,
    topicArn,
    publisher: async () =>
      new Publisher({
        registry,
        sns: clients.sns,
        payloads: new PayloadStore({ s3: clients.s3, bucket }),
        topicArn: await topicArn(),
      }),
    close: () => destroyAwsClients(clients),
  };
}
