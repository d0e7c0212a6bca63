import { buildApp } from "fauxqs";
import { ConfigurationError } from "../shared/errors.ts";

export const DEFAULT_LOCAL_PORT = 4566;
export const LOCAL_REGION = "us-east-1";
/** The account the emulator answers for (fauxqs's `sts:GetCallerIdentity`), and its region. */
export const LOCAL_PLACEMENT = { accountId: "000000000000", region: LOCAL_REGION } as const;

export interface LocalCloud {
  /** `http://127.0.0.1:<port>`, the one endpoint of SNS, SQS and S3. */
  readonly endpoint: string;
  readonly port: number;
  stop(): Promise<void>;
}

export interface LocalCloudOptions {
  /** 0 picks a free port. Default: `FANOUT_LOCAL_PORT`, else 4566. */
  readonly port?: number;
}

export function localPort(env: NodeJS.ProcessEnv = process.env): number {
  const configured = env.FANOUT_LOCAL_PORT;
  if (configured === undefined || configured === "") return DEFAULT_LOCAL_PORT;
  const port = Number(configured);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new RangeError(`FANOUT_LOCAL_PORT=${configured} is not a port number; use 0 to 65535.`);
  }
  return port;
}

/**
 * Starts the fauxqs emulator (SNS, SQS and S3 on one endpoint) in this process, listening on loopback only:
 * nothing outside this machine can reach it.
 */
export async function startLocalCloud(options: LocalCloudOptions = {}): Promise<LocalCloud> {
  const app = buildApp({ logger: false, defaultRegion: LOCAL_REGION, host: "localhost" });
  const requested = options.port ?? localPort();
  let address: string;
  try {
    address = await app.listen({ port: requested, host: "127.0.0.1" });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EADDRINUSE") throw error;
    throw new ConfigurationError(
      `Port ${requested} on 127.0.0.1 is already in use (another \`npm start\`?). Stop that process, or set FANOUT_LOCAL_PORT to another port (0 picks a free one).`,
      { cause: error },
    );
  }
  const port = Number(new URL(address).port);
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    stop: async () => {
      await app.close();
    },
  };
}

/**
 * A local cloud that is already running elsewhere (another process, or behind a proxy): used as is, and
 * left running when Fanout stops, because it is not Fanout's to stop.
 */
export function connectLocalCloud(endpoint: string): LocalCloud {
  const url = new URL(endpoint);
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new RangeError(
      `Local cloud endpoint ${endpoint} is not an http(s) URL; use e.g. http://127.0.0.1:4566.`,
    );
  }
  const port = Number(url.port || (url.protocol === "https:" ? 443 : 80));
  return { endpoint: url.origin, port, stop: async () => {} };
}

export const LOCAL_CREDENTIALS = { accessKeyId: "local", secretAccessKey: "local" } as const;

/** The environment that points the standard AWS SDK configuration at the local cloud. */
export function localAwsEnvironment(endpoint: string): Record<string, string> {
  return {
    AWS_ENDPOINT_URL: endpoint,
    AWS_REGION: LOCAL_REGION,
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
  };
}
