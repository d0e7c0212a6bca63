/**
 * Client settings shared by every way Fanout builds AWS SDK clients. It imports no SDK module, so a Lambda
 * handler can decide when to load each client.
 */
export interface ClientOptions {
  /** Overrides the endpoint of every client; otherwise the SDK reads `AWS_ENDPOINT_URL` and friends. */
  readonly endpoint?: string | undefined;
  readonly region?: string | undefined;
  /** Overrides the standard credential chain (the local cloud accepts any). */
  readonly credentials?: {
    readonly accessKeyId: string;
    readonly secretAccessKey: string;
    readonly sessionToken?: string;
  };
  /** Attempts per request, the first included. Default: the SDK's (3). */
  readonly maxAttempts?: number;
  /** Give up on a connection that is not established within this time. Default: no limit. */
  readonly connectionTimeoutMs?: number;
  /** Give up on a request that gets no response within this time. Default: no limit. */
  readonly requestTimeoutMs?: number;
}

function hasEndpointOverride(options: ClientOptions, service: "S3" | "SQS"): boolean {
  return Boolean(
    options.endpoint ?? process.env[`AWS_ENDPOINT_URL_${service}`] ?? process.env.AWS_ENDPOINT_URL,
  );
}

/** The configuration every client of one connection shares. */
export function baseClientConfig(options: ClientOptions = {}) {
  const timeouts = {
    ...(options.connectionTimeoutMs ? { connectionTimeout: options.connectionTimeoutMs } : {}),
    ...(options.requestTimeoutMs ? { requestTimeout: options.requestTimeoutMs } : {}),
  };
  return {
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    ...(options.region ? { region: options.region } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
    ...(options.maxAttempts ? { maxAttempts: options.maxAttempts } : {}),
    ...(Object.keys(timeouts).length > 0 ? { requestHandler: timeouts } : {}),
  };
}

/** With a custom endpoint, SQS ignores the host in queue URLs: the subdomains an emulator writes need not resolve. */
export function sqsClientConfig(options: ClientOptions = {}) {
  return { ...baseClientConfig(options), useQueueUrlAsEndpoint: !hasEndpointOverride(options, "SQS") };
}

/** With a custom endpoint, S3 uses path-style addressing, for the same reason. */
export function s3ClientConfig(options: ClientOptions = {}) {
  return { ...baseClientConfig(options), forcePathStyle: hasEndpointOverride(options, "S3") };
}
