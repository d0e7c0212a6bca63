/**
 * Counts AWS requests as they leave the client, by service and operation, and the 64 KB chunks SNS bills
 * for each publish. Works on SDK v3 clients (middleware) and SDK v2 services (a request listener), so that
 * every publisher is counted the same way whatever SDK it is built on.
 */

/** SNS and SQS bill each started 64 KB (65,536 bytes) of payload as one request. */
export const BILLING_CHUNK_BYTES = 65_536;

export interface RequestCounts {
  /** `"SNS:PublishBatch"` → number of API calls. */
  readonly calls: Record<string, number>;
  /** SNS publish requests as billed: one per started 64 KB chunk of each call's messages. */
  snsBilled: number;
}

type Attributes = Record<string, { DataType?: string; StringValue?: string }> | undefined;

function attributeBytes(attributes: Attributes): number {
  let size = 0;
  for (const [name, a] of Object.entries(attributes ?? {}))
    size +=
      Buffer.byteLength(name) + Buffer.byteLength(a.DataType ?? "") + Buffer.byteLength(a.StringValue ?? "");
  return size;
}

/** The bytes of one SNS message as billing counts them: body plus attributes. */
function messageBytes(message: { Message?: string; MessageAttributes?: Attributes }): number {
  return Buffer.byteLength(message.Message ?? "") + attributeBytes(message.MessageAttributes);
}

function billedChunks(bytes: number): number {
  return Math.max(1, Math.ceil(bytes / BILLING_CHUNK_BYTES));
}

export class RequestCounter {
  counts: RequestCounts = { calls: {}, snsBilled: 0 };

  reset(): RequestCounts {
    const previous = this.counts;
    this.counts = { calls: {}, snsBilled: 0 };
    return previous;
  }

  record(service: string, operation: string, input: unknown): void {
    const key = `${service}:${operation}`;
    this.counts.calls[key] = (this.counts.calls[key] ?? 0) + 1;
    if (service !== "SNS") return;
    const params = input as {
      Message?: string;
      MessageAttributes?: Attributes;
      PublishBatchRequestEntries?: { Message?: string; MessageAttributes?: Attributes }[];
    };
    if (operation === "Publish") this.counts.snsBilled += billedChunks(messageBytes(params));
    if (operation === "PublishBatch") {
      const bytes = (params.PublishBatchRequestEntries ?? []).reduce((sum, e) => sum + messageBytes(e), 0);
      this.counts.snsBilled += billedChunks(bytes);
    }
  }

  /** Instruments an SDK v3 client. The initialize step runs once per `send`, before the SDK's retries. */
  instrument<C extends V3Client>(client: C, service: string): C {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const operation = String(context.commandName ?? "").replace(/Command$/, "");
        this.record(service, operation, args.input);
        return next(args);
      },
      { step: "initialize", name: "benchRequestCounter" },
    );
    return client;
  }

  /**
   * Counts every SDK v2 request (used by `sns-sqs-big-payload`) through the SDK's global event bus: its
   * managed upload clones the S3 service it is given, so a listener on that one object would miss the PUTs.
   */
  instrumentV2(aws: V2Sdk): void {
    v2Counter = this;
    if (v2Installed) return;
    v2Installed = true;
    aws.events.on("build", (request) => {
      const service = V2_SERVICES[request.service.serviceIdentifier ?? ""] ?? "?";
      v2Counter?.record(service, upperFirst(request.operation), request.params);
    });
  }
}

const V2_SERVICES: Record<string, string> = { sns: "SNS", sqs: "SQS", s3: "S3" };
let v2Counter: RequestCounter | undefined;
let v2Installed = false;

function upperFirst(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}

/** The parts of an SDK v3 client the counter uses. */
export interface V3Client {
  readonly middlewareStack: {
    add(
      middleware: (
        next: (args: { input: unknown }) => Promise<unknown>,
        context: { commandName?: string },
      ) => (args: { input: unknown }) => Promise<unknown>,
      options: { step: "initialize"; name: string },
    ): void;
  };
}

/** The part of the SDK v2 module the counter uses. */
export interface V2Sdk {
  readonly events: {
    on(
      event: "build",
      listener: (request: {
        operation: string;
        params: unknown;
        service: { serviceIdentifier?: string };
      }) => void,
    ): unknown;
  };
}

/** Sums calls whose key starts with `prefix` (e.g. "S3:" or "SNS:Publish"). */
export function callsMatching(counts: RequestCounts, predicate: (key: string) => boolean): number {
  return Object.entries(counts.calls)
    .filter(([key]) => predicate(key))
    .reduce((sum, [, n]) => sum + n, 0);
}
