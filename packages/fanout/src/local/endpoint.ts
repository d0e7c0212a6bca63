/** Where the local cloud answers and as whom: what every client of it needs, without the emulator itself. */
export const DEFAULT_LOCAL_PORT = 4566;
export const LOCAL_REGION = "us-east-1";
/** The account the emulator answers for (fauxqs's `sts:GetCallerIdentity`), and its region. */
export const LOCAL_PLACEMENT = { accountId: "000000000000", region: LOCAL_REGION } as const;

export function localPort(env: NodeJS.ProcessEnv = process.env): number {
  const configured = env.FANOUT_LOCAL_PORT;
  if (configured === undefined || configured === "") return DEFAULT_LOCAL_PORT;
  const port = Number(configured);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new RangeError(`FANOUT_LOCAL_PORT=${configured} is not a port number; use 0 to 65535.`);
  }
  return port;
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
