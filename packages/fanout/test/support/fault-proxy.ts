import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";

/**
 * A fault-injecting HTTP proxy between AWS SDK clients and the local cloud. The consumers' clients live in
 * worker threads and are configured from the environment, so an SDK middleware cannot reach them; pointing
 * `AWS_ENDPOINT_URL` here can. Each rule fails (or slows, or rewrites) the first `times` requests it
 * matches, in the exact wire format of the service, so the SDK's and Fanout's retries can then succeed.
 */

export type Service = "sqs" | "sns" | "s3";

export interface AwsRequest {
  readonly service: Service;
  /** `SendMessage`, `PublishBatch`, `PutObject`, … */
  readonly action: string;
  readonly method: string;
  readonly path: string;
  readonly body: Buffer;
}

export type Fault =
  /** Answer with this error without forwarding: the request had no effect. */
  | { readonly kind: "error"; readonly status: number; readonly code: string; readonly message?: string }
  /** Forward, then answer with this error: the request took effect but its caller cannot know. */
  | { readonly kind: "lost-response"; readonly status: number; readonly code: string }
  /** Forward after this delay. */
  | { readonly kind: "delay"; readonly ms: number }
  /**
   * SNS `PublishBatch` only: the entries whose ids `choose` returns are not forwarded, and the response lists
   * them under `Failed` with this code (or, with `omit`, under neither `Successful` nor `Failed`).
   */
  | {
      readonly kind: "fail-entries";
      readonly code: string;
      readonly omit?: boolean;
      readonly choose: (ids: readonly string[]) => readonly string[];
    };

export interface FaultRule {
  readonly service: Service;
  readonly action: string;
  readonly fault: Fault;
  /** Matching requests to affect; later ones pass untouched. Default 1. */
  readonly times?: number;
  readonly when?: (request: AwsRequest) => boolean;
}

export interface ActiveRule {
  /** How many requests it has affected so far. */
  readonly hits: number;
  remove(): void;
}

/** One request that went through, in the order the proxy saw its start and its end. */
export interface Exchange {
  readonly service: Service;
  readonly action: string;
  readonly path: string;
  /** What the local cloud received (after any rewrite); empty when the proxy answered by itself. */
  readonly forwardedBody: string;
  readonly status: number;
  readonly startSeq: number;
  readonly endSeq: number;
  readonly fault?: Fault["kind"];
}

function sqsAction(headers: IncomingMessage["headers"]): string | undefined {
  const target = headers["x-amz-target"];
  return typeof target === "string" && target.startsWith("AmazonSQS.") ? target.slice(10) : undefined;
}

function s3Action(method: string, url: URL): string {
  const [, bucket = "", ...key] = url.pathname.split("/");
  const q = url.searchParams;
  if (key.length === 0 || key.join("/") === "") return `${method} bucket ${bucket}`;
  if (method === "PUT") return q.has("uploadId") ? "UploadPart" : "PutObject";
  if (method === "GET") return "GetObject";
  if (method === "HEAD") return "HeadObject";
  if (method === "DELETE") return q.has("uploadId") ? "AbortMultipartUpload" : "DeleteObject";
  if (method === "POST") return q.has("uploads") ? "CreateMultipartUpload" : "CompleteMultipartUpload";
  return method;
}

function classify(req: IncomingMessage, body: Buffer): AwsRequest {
  const url = new URL(req.url ?? "/", "http://proxy");
  const method = req.method ?? "GET";
  const base = { method, path: url.pathname, body };
  const sqs = sqsAction(req.headers);
  if (sqs) return { service: "sqs", action: sqs, ...base };
  const form = String(req.headers["content-type"] ?? "").startsWith("application/x-www-form-urlencoded");
  const snsAction = form ? new URLSearchParams(body.toString("utf8")).get("Action") : null;
  if (snsAction) return { service: "sns", action: snsAction, ...base };
  return { service: "s3", action: s3Action(method, url), ...base };
}

/** The error body each protocol's SDK parser reads: SQS JSON 1.0, SNS query XML, S3 REST XML. */
function errorResponse(
  service: Service,
  status: number,
  code: string,
  message: string,
): { status: number; headers: Record<string, string>; body: string } {
  const requestId = randomUUID();
  if (service === "sqs") {
    return {
      status,
      headers: {
        "content-type": "application/x-amz-json-1.0",
        "x-amzn-requestid": requestId,
        "x-amzn-query-error": `${code};${status >= 500 ? "Receiver" : "Sender"}`,
      },
      body: JSON.stringify({ __type: `com.amazonaws.sqs#${code}`, message }),
    };
  }
  if (service === "sns") {
    return {
      status,
      headers: { "content-type": "text/xml", "x-amzn-requestid": requestId },
      body: `<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><Error><Type>${status >= 500 ? "Receiver" : "Sender"}</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
    };
  }
  return {
    status,
    headers: { "content-type": "application/xml", "x-amz-request-id": requestId },
    body: `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message><RequestId>${requestId}</RequestId></Error>`,
  };
}

const DEFAULT_MESSAGES: Record<string, string> = {
  SlowDown: "Please reduce your request rate.",
  Throttling: "Rate exceeded",
  InternalError: "We encountered an internal error. Please try again.",
  ServiceUnavailable: "Service is unable to handle request.",
};

interface BatchEntry {
  readonly index: string;
  readonly id: string;
  readonly fields: [string, string][];
}

const ENTRY = /^PublishBatchRequestEntries\.member\.(\d+)\.(.+)$/;

/** Splits a `PublishBatch` form into its entries, to drop some and renumber the rest. */
function splitBatch(body: Buffer): { common: [string, string][]; entries: BatchEntry[] } {
  const common: [string, string][] = [];
  const byIndex = new Map<string, [string, string][]>();
  for (const [name, value] of new URLSearchParams(body.toString("utf8"))) {
    const match = ENTRY.exec(name);
    if (!match) {
      common.push([name, value]);
      continue;
    }
    const [, index = "", field = ""] = match;
    byIndex.set(index, [...(byIndex.get(index) ?? []), [field, value]]);
  }
  const entries = [...byIndex].map(([index, fields]) => ({
    index,
    id: fields.find(([f]) => f === "Id")?.[1] ?? "",
    fields,
  }));
  return { common, entries };
}

function joinBatch(common: readonly [string, string][], entries: readonly BatchEntry[]): Buffer {
  const params = new URLSearchParams(common);
  entries.forEach((entry, i) => {
    for (const [field, value] of entry.fields)
      params.append(`PublishBatchRequestEntries.member.${i + 1}.${field}`, value);
  });
  return Buffer.from(params.toString(), "utf8");
}

function failedMembers(ids: readonly string[], code: string): string {
  return ids
    .map(
      (id) =>
        `<member><Id>${id}</Id><Code>${code}</Code><Message>${DEFAULT_MESSAGES[code] ?? code}</Message><SenderFault>false</SenderFault></member>`,
    )
    .join("");
}

async function readBody(stream: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

interface Upstream {
  readonly status: number;
  readonly headers: IncomingMessage["headers"];
  readonly body: Buffer;
}

export class FaultProxy {
  readonly #server: Server;
  readonly #target: URL;
  readonly #rules: { rule: FaultRule; remaining: number; hits: number }[] = [];
  readonly exchanges: Exchange[] = [];
  #seq = 0;

  private constructor(server: Server, target: URL) {
    this.#server = server;
    this.#target = target;
  }

  /** Listens on a free loopback port and forwards to `target`. */
  static async start(target: string): Promise<FaultProxy> {
    const server = createServer();
    const proxy = new FaultProxy(server, new URL(target));
    server.on("request", (req, res) => {
      proxy.#handle(req, res).catch((error: unknown) => {
        res.destroy(error instanceof Error ? error : new Error(String(error)));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return proxy;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  inject(rule: FaultRule): ActiveRule {
    const entry = { rule, remaining: rule.times ?? 1, hits: 0 };
    this.#rules.push(entry);
    return {
      get hits() {
        return entry.hits;
      },
      remove: () => {
        const at = this.#rules.indexOf(entry);
        if (at >= 0) this.#rules.splice(at, 1);
      },
    };
  }

  clearRules(): void {
    this.#rules.length = 0;
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #take(request: AwsRequest): Fault | undefined {
    for (const entry of this.#rules) {
      const { rule } = entry;
      if (entry.remaining <= 0 || rule.service !== request.service || rule.action !== request.action)
        continue;
      if (rule.when && !rule.when(request)) continue;
      entry.remaining--;
      entry.hits++;
      return rule.fault;
    }
    return undefined;
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const request = classify(req, body);
    const startSeq = ++this.#seq;
    const fault = this.#take(request);
    const record = (forwardedBody: Buffer | undefined, status: number) =>
      this.exchanges.push({
        service: request.service,
        action: request.action,
        path: request.path,
        forwardedBody: forwardedBody?.toString("utf8") ?? "",
        status,
        startSeq,
        endSeq: ++this.#seq,
        ...(fault ? { fault: fault.kind } : {}),
      });
    const reply = (status: number, headers: Record<string, string>, text: string | Buffer) => {
      res.writeHead(status, { ...headers, "content-length": String(Buffer.byteLength(text)) });
      res.end(text);
    };

    if (fault?.kind === "error") {
      const error = errorResponse(
        request.service,
        fault.status,
        fault.code,
        fault.message ?? DEFAULT_MESSAGES[fault.code] ?? fault.code,
      );
      record(undefined, fault.status);
      reply(error.status, error.headers, error.body);
      return;
    }
    if (fault?.kind === "delay") await sleep(fault.ms);
    if (fault?.kind === "fail-entries" && request.action === "PublishBatch") {
      const { common, entries } = splitBatch(body);
      const victims = new Set(fault.choose(entries.map((e) => e.id)));
      const kept = entries.filter((e) => !victims.has(e.id));
      const failed = fault.omit ? "" : failedMembers([...victims], fault.code);
      let upstream: Upstream | undefined;
      let forwarded: Buffer | undefined;
      if (kept.length > 0) {
        forwarded = joinBatch(common, kept);
        upstream = await this.#forward(req, forwarded);
      }
      const xml = upstream
        ? upstream.body.toString("utf8").replace("</Failed>", `${failed}</Failed>`)
        : `<PublishBatchResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishBatchResult><Successful></Successful><Failed>${failed}</Failed></PublishBatchResult><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></PublishBatchResponse>`;
      record(forwarded, upstream?.status ?? 200);
      reply(upstream?.status ?? 200, { "content-type": "text/xml" }, xml);
      return;
    }
    const upstream = await this.#forward(req, body);
    if (fault?.kind === "lost-response") {
      const error = errorResponse(
        request.service,
        fault.status,
        fault.code,
        DEFAULT_MESSAGES[fault.code] ?? fault.code,
      );
      record(body, fault.status);
      reply(error.status, error.headers, error.body);
      return;
    }
    record(body, upstream.status);
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(upstream.headers)) {
      if (value !== undefined && name !== "content-length" && name !== "transfer-encoding")
        headers[name] = Array.isArray(value) ? value.join(", ") : value;
    }
    reply(upstream.status, headers, upstream.body);
  }

  #forward(req: IncomingMessage, body: Buffer): Promise<Upstream> {
    const headers = { ...req.headers, "content-length": String(body.length) };
    delete headers["transfer-encoding"];
    return new Promise((resolve, reject) => {
      const upstream = request(
        {
          host: this.#target.hostname,
          port: this.#target.port,
          method: req.method,
          path: req.url,
          headers,
        },
        (response) => {
          readBody(response).then(
            (data) => resolve({ status: response.statusCode ?? 502, headers: response.headers, body: data }),
            reject,
          );
        },
      );
      upstream.on("error", reject);
      upstream.end(body);
    });
  }
}
