import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { STSClient } from "@aws-sdk/client-sts";
import {
  type AwsClients,
  baseClientConfig,
  type ClientOptions,
  createAwsClients,
  destroyAwsClients,
} from "../core/aws-clients.ts";

export interface CliClients extends AwsClients {
  readonly sts: STSClient;
  readonly cloudwatch: CloudWatchClient;
}

export type CliClientOptions = Pick<ClientOptions, "endpoint" | "region" | "credentials">;

/**
 * An operator waits at the terminal: an endpoint that does not answer must fail within seconds, not after
 * the SDK's default retries with backoff and no connection timeout. The request timeout stays above the
 * 20-second long poll that SQS allows.
 */
const OPERATOR_LIMITS = { maxAttempts: 2, connectionTimeoutMs: 2_500, requestTimeoutMs: 30_000 } as const;

/** The shared clients with the short failure path above, plus the clients only the CLI needs. */
export function createCliClients(options: CliClientOptions): CliClients {
  const settings = { ...options, ...OPERATOR_LIMITS };
  const base = baseClientConfig(settings);
  return { ...createAwsClients(settings), sts: new STSClient(base), cloudwatch: new CloudWatchClient(base) };
}

export function destroyCliClients(clients: CliClients): void {
  destroyAwsClients(clients);
  clients.sts.destroy();
  clients.cloudwatch.destroy();
}
