import type { IncomingMessage, ServerResponse } from "node:http";
import { HttpError } from "../core/errors.ts";

/** Headers on every answer: nothing is cached, framed, sniffed, or allowed to run unless it came from here. */
const SECURITY_HEADERS = {
  "Content-Security-Policy":
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "no-referrer",
  "X-Frame-Options": "DENY",
  "Cache-Control": "no-store",
} as const;

export function send(response: ServerResponse, status: number, contentType: string, body: string | Buffer) {
  response.writeHead(status, {
    ...SECURITY_HEADERS,
    "Content-Type": contentType,
    "Content-Length": Buffer.byteLength(body),
  });
  response.end(body);
}

export function sendJson(response: ServerResponse, status: number, data: unknown): void {
  send(response, status, "application/json; charset=utf-8", JSON.stringify(data));
}

/** The request's path and query, parsed against a fixed base: the Host header plays no part in routing. */
export function requestUrl(request: IncomingMessage): URL {
  return new URL(request.url ?? "/", "http://dashboard.invalid");
}

/** An action's JSON body, refused past `maxBytes` (an edited payload is at most one SQS message). */
export async function readJson(request: IncomingMessage, maxBytes: number): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) throw new HttpError(413, `The request is over ${maxBytes} bytes.`);
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8")) as unknown;
  } catch {
    throw new HttpError(400, "The request body is not JSON.");
  }
}
