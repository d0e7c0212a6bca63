import { buildApp } from "fauxqs";
import { ConfigurationError } from "../core/errors.ts";
import { LOCAL_REGION, localPort } from "./endpoint.ts";

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
      `Port ${requested} on 127.0.0.1 is already in use (another \`fanout start\`?). Stop that process, or set FANOUT_LOCAL_PORT to another port (0 picks a free one).`,
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
