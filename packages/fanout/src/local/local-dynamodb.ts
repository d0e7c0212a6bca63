/// <reference path="./dynalite.d.ts" />
import type { Server } from "node:http";

/** A DynamoDB-compatible server on this machine, for the idempotency table. */
export interface LocalDynamoDb {
  /** `http://127.0.0.1:<port>`: the functions reach it through `AWS_ENDPOINT_URL_DYNAMODB`. */
  readonly endpoint: string;
  stop(): Promise<void>;
}

/**
 * Starts dynalite (DynamoDB's API over an in-memory LevelDB) in this process, on a free port of loopback only.
 * Its tables are ACTIVE at once, as the local cloud's queues are.
 */
export async function startLocalDynamoDb(): Promise<LocalDynamoDb> {
  const { default: dynalite } = await import("dynalite");
  const server: Server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === "string")
    throw new Error("dynalite did not listen on a TCP port.");
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
