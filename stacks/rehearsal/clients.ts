import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { STSClient } from "@aws-sdk/client-sts";
import {
  type AwsClients,
  baseClientConfig,
  type ClientOptions,
  createAwsClients,
  destroyAwsClients,
} from "fanout";
import { REHEARSAL_REGION } from "./synthesize.ts";

/**
 * Real SDK v3 clients, configured the way Fanout configures its own (path-style S3, queue URLs not used as
 * endpoints), pointed at moto. Only services whose client the project installs are here; the rest are read
 * through boto3 (see leftovers.ts).
 */
export interface RehearsalClients extends AwsClients {
  readonly cloudwatch: CloudWatchClient;
  readonly sts: STSClient;
  readonly dynamodb: DynamoDBClient;
}

export function createRehearsalClients(endpoint: string): RehearsalClients {
  const options: ClientOptions = {
    endpoint,
    region: REHEARSAL_REGION,
    credentials: { accessKeyId: "rehearsal-access-key", secretAccessKey: "rehearsal-secret-key" },
    maxAttempts: 2,
    requestTimeoutMs: 30_000,
  };
  return {
    ...createAwsClients(options),
    cloudwatch: new CloudWatchClient(baseClientConfig(options)),
    sts: new STSClient(baseClientConfig(options)),
    dynamodb: new DynamoDBClient(baseClientConfig(options)),
  };
}

export function destroyRehearsalClients(clients: RehearsalClients): void {
  destroyAwsClients(clients);
  clients.cloudwatch.destroy();
  clients.sts.destroy();
  clients.dynamodb.destroy();
}
