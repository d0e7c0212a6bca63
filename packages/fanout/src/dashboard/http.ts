import type { IncomingMessage, ServerResponse } from "node:http";

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
