import type { IncomingMessage } from "node:http";
import { HttpError } from "../core/errors.ts";

/**
 * The header every action request of the page carries. A page from another site cannot set it without a CORS
 * preflight, which this server never approves, so a cross-site form or fetch cannot redrive anything.
 */
export const ACTION_HEADER = "x-fanout-dashboard";

const LOOPBACK_HOSTS = new Set(["127.0.0.1", "localhost", "[::1]", "::1"]);

export function isLoopback(host: string): boolean {
  return LOOPBACK_HOSTS.has(host);
}

export interface GuardOptions {
  /** The address the server listens on. */
  readonly host: string;
  readonly port: () => number;
  readonly allowActions: boolean;
}

/**
 * On loopback, only requests addressed to loopback are served: a site that re-points its own name at
 * 127.0.0.1 (DNS rebinding) would otherwise read the dashboard from the operator's browser.
 */
export function checkHost(request: IncomingMessage, options: GuardOptions): void {
  if (!isLoopback(options.host)) return;
  const allowed = new Set(["127.0.0.1", "localhost", "[::1]"].map((h) => `${h}:${options.port()}`));
  if (!allowed.has(request.headers.host ?? "")) {
    throw new HttpError(
      421,
      `This dashboard answers only on http://127.0.0.1:${options.port()}; open it by that address.`,
    );
  }
}

/** An action (a POST) is allowed only with --allow-actions, from the dashboard's own page. */
export function checkAction(request: IncomingMessage, options: GuardOptions): void {
  if (!options.allowActions) {
    throw new HttpError(
      403,
      "Actions are disabled: this dashboard is read-only. Restart it with --allow-actions to redrive dead letters.",
    );
  }
  if (request.headers[ACTION_HEADER] !== "1") {
    throw new HttpError(
      403,
      `Actions need the ${ACTION_HEADER} header, which only the dashboard's own page sends (cross-site request refused).`,
    );
  }
  const origin = request.headers.origin;
  const host = request.headers.host;
  if (origin !== undefined && (host === undefined || origin !== `http://${host}`)) {
    throw new HttpError(403, `Actions are accepted only from the dashboard's own page, not from ${origin}.`);
  }
}
