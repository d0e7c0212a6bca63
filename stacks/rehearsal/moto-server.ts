import { createServer } from "node:net";
import { findOnPath } from "../terraform-check.ts";
import { type Spawned, spawnGroup, tail } from "./child-process.ts";

export const MOTO_INSTALL_HINT = "pip install 'moto[server]'";

export function findMotoServer(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return findOnPath("moto_server", env);
}

export interface MotoServer {
  /** `http://127.0.0.1:<port>`, for the provider's endpoints and the SDK clients alike. */
  readonly endpoint: string;
  stop(): Promise<void>;
}

/** Asks the kernel for a free port; another process could take it before moto binds, so starting retries. */
function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });
}

async function answers(endpoint: string): Promise<boolean> {
  try {
    const response = await fetch(`${endpoint}/moto-api/`, { signal: AbortSignal.timeout(1_000) });
    await response.body?.cancel();
    return true;
  } catch {
    return false;
  }
}

const STARTUP_TIMEOUT_MS = 30_000;
const ATTEMPTS = 3;

/**
 * Without Docker, moto still creates Lambda functions, but when a message reaches a queue with an event source
 * mapping it tries to invoke the function and, on success, deletes the message. A Docker daemon on the machine
 * would make the rehearsal's deliveries vanish into the handlers; an unreachable Docker host makes every such
 * invocation fail, so messages stay where SNS put them, whatever the machine has.
 */
const NO_DOCKER = "unix:///nonexistent/fanout-rehearsal-runs-no-lambda-code.sock";

async function startOnce(command: string): Promise<{ spawned: Spawned; endpoint: string } | string> {
  const port = await freeLoopbackPort();
  const endpoint = `http://127.0.0.1:${port}`;
  const spawned = spawnGroup(command, ["-H", "127.0.0.1", "-p", String(port)], {
    env: { ...process.env, DOCKER_HOST: NO_DOCKER },
  });
  let exited = false;
  void spawned.exited.then(() => {
    exited = true;
  });
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (exited) return `moto_server exited before answering:\n${tail(spawned.output(), 20)}`;
    if (await answers(endpoint)) return { spawned, endpoint };
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  await spawned.stop("SIGKILL");
  throw new Error(
    `moto_server did not answer on ${endpoint} within ${STARTUP_TIMEOUT_MS / 1000} s:\n${tail(spawned.output(), 20)}`,
  );
}

export async function startMotoServer(command: string): Promise<MotoServer> {
  let lastFailure = "";
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    const started = await startOnce(command);
    if (typeof started === "string") {
      lastFailure = started;
      // Only a lost race for the port is worth another try.
      if (!/address already in use/i.test(started)) break;
      continue;
    }
    const { spawned, endpoint } = started;
    return { endpoint, stop: () => spawned.stop("SIGTERM", 5_000) };
  }
  throw new Error(`${lastFailure}\nIs moto installed for this Python? ${MOTO_INSTALL_HINT}`);
}
