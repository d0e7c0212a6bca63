import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { SQS_MAX_MESSAGE_BYTES } from "../core/claim-check.ts";
import { MAX_ID_LENGTH } from "../core/envelope.ts";
import {
  DashboardError,
  DeadLetterNotFoundError,
  EditedJobTooLargeError,
  errorMessage,
  HttpError,
  JobValidationError,
} from "../core/errors.ts";
import type { PayloadReader } from "../core/payload-store.ts";
import type { ScheduleDefinition } from "../core/schedule.ts";
import type { Topology } from "../core/topology.ts";
import type { QueueReader } from "../operations/queue-status.ts";
import * as api from "./api.ts";
import * as dlqApi from "./dead-letter-api.ts";
import { DeadLetterIndex } from "./dead-letter-index.ts";
import { checkAction, checkHost, type GuardOptions } from "./guard.ts";
import { readJson, requestUrl, send, sendJson } from "./http.ts";
import { jobDetail, letterDetail } from "./job-detail.ts";
import { KeyedLock } from "./lock.ts";
import { type OutcomeEmitter, OutcomeLog } from "./outcomes.ts";
import { QueueSampler } from "./sampler.ts";
import { type ScheduleClock, schedulesView } from "./schedules.ts";
import { loadStaticFiles } from "./static.ts";

export const DEFAULT_DASHBOARD_PORT = 4567;
export const DEFAULT_DASHBOARD_HOST = "127.0.0.1";

export interface DashboardOptions {
  /** The registry's topology where the dashboard looks (the local cloud, or an account and region). */
  readonly topology: Topology;
  readonly reader: QueueReader;
  readonly payloads: PayloadReader;
  readonly topicArn: () => Promise<string>;
  /** `local`: the local cloud; `endpoint`: another SQS endpoint; `aws`: AWS itself (CloudWatch figures). */
  readonly target: api.Target;
  readonly endpoint?: string | undefined;
  /** The local runners: their outcomes feed the recent outcomes and the throughput charts. */
  readonly runners?: Iterable<OutcomeEmitter>;
  /** The registry's schedules, shown beside the topic with their next (and, locally, last) runs. */
  readonly schedules?: readonly ScheduleDefinition[];
  /** The local cloud's scheduler: it knows each schedule's last run. */
  readonly scheduler?: ScheduleClock;
  /** Redrive buttons and POSTs work only with this; otherwise the dashboard is read-only. */
  readonly allowActions?: boolean;
  /** Default 127.0.0.1; anything else is reachable from other machines. */
  readonly host?: string;
  /** Default 4567; 0 picks a free port. */
  readonly port?: number;
  readonly sampleIntervalMs?: number;
  readonly ageIntervalMs?: number;
}

export interface Dashboard {
  /** `http://127.0.0.1:<port>/`. */
  readonly url: string;
  readonly port: number;
  readonly allowActions: boolean;
  close(): Promise<void>;
}

/** The one valid message id shape (SQS uses UUIDs; anything URL-safe up to 100 characters is accepted). */
const MESSAGE_ID = /^[A-Za-z0-9._:-]{1,100}$/;
const CONSUMER = /^[a-z0-9-]{1,80}$/;
const GROUP_ID = /^[A-Za-z0-9_-]{12}$/;

function pathParts(pathname: string): string[] {
  try {
    return pathname.split("/").filter(Boolean).map(decodeURIComponent);
  } catch {
    throw new HttpError(400, `${pathname} is not a valid path.`);
  }
}

function urlHost(host: string): string {
  return host.includes(":") ? `[${host}]` : host;
}

/** 502 for the rest: the dashboard works, but the cloud behind it refused or did not answer. */
function statusOf(error: unknown): number {
  if (error instanceof HttpError) return error.status;
  if (error instanceof DeadLetterNotFoundError) return 404;
  if (error instanceof JobValidationError) return 422;
  if (error instanceof EditedJobTooLargeError) return 413;
  return 502;
}

/** The dashboard's web server: the page, its files and its JSON API, in this process. */
export async function startDashboard(options: DashboardOptions): Promise<Dashboard> {
  const host = options.host ?? DEFAULT_DASHBOARD_HOST;
  const allowActions = options.allowActions ?? false;
  const lock = new KeyedLock();
  const deadLetters = new DeadLetterIndex({
    reader: options.reader,
    payloads: options.payloads,
    topicArn: options.topicArn,
    lock,
  });
  const sampler = new QueueSampler({
    topology: options.topology,
    reader: options.reader,
    lock,
    deadLetters,
    ...(options.sampleIntervalMs ? { intervalMs: options.sampleIntervalMs } : {}),
    ...(options.ageIntervalMs ? { ageIntervalMs: options.ageIntervalMs } : {}),
  });
  const runners = [...(options.runners ?? [])];
  const outcomes = runners.length > 0 ? new OutcomeLog() : undefined;
  for (const runner of runners) outcomes?.attach(runner);
  const context: api.ApiContext = {
    topology: options.topology,
    target: options.target,
    endpoint: options.endpoint,
    reader: options.reader,
    payloads: options.payloads,
    topicArn: options.topicArn,
    sampler,
    outcomes,
    lock,
    deadLetters,
    allowActions,
  };
  const schedules = options.schedules ?? [];
  const files = await loadStaticFiles();
  let port = 0;
  const guard: GuardOptions = { host, port: () => port, allowActions };

  async function action(parts: string[], url: URL, request: IncomingMessage): Promise<unknown> {
    const [a, b, type, verb, id, groupVerb, ...rest] = parts;
    const source = url.searchParams.get("source");
    if (a !== "api" || b !== "dlq" || !type || !CONSUMER.test(type) || rest.length > 0) {
      throw new HttpError(404, `No action at ${url.pathname}.`);
    }
    if (id === undefined && groupVerb === undefined) {
      if (verb === "redrive") return dlqApi.redriveAll(context, type, source);
      if (verb === "purge") return dlqApi.purge(context, type, source);
    }
    if (id !== undefined && MESSAGE_ID.test(id) && groupVerb === undefined) {
      if (verb === "redrive") return dlqApi.redriveOne(context, type, id, source);
      if (verb === "delete") return dlqApi.deleteOne(context, type, id, source);
      if (verb === "edit") {
        return dlqApi.editAndRedrive(context, type, id, await readJson(request, SQS_MAX_MESSAGE_BYTES * 2));
      }
    }
    if (verb === "groups" && id && GROUP_ID.test(id) && (groupVerb === "redrive" || groupVerb === "delete")) {
      return dlqApi.groupAction(context, type, id, groupVerb, source);
    }
    throw new HttpError(404, `No action at ${url.pathname}.`);
  }

  async function route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    checkHost(request, guard);
    const url = requestUrl(request);
    const parts = pathParts(url.pathname);
    const method = request.method ?? "GET";
    if (method === "POST") {
      checkAction(request, guard);
      return sendJson(response, 200, await action(parts, url, request));
    }
    if (method !== "GET" && method !== "HEAD") {
      throw new HttpError(
        405,
        `${method} is not supported; the dashboard answers GET, and POST for actions.`,
      );
    }
    const path = url.pathname;
    if (path === "/api/meta") return sendJson(response, 200, api.meta(context));
    if (path === "/api/topology") return sendJson(response, 200, api.topology(context));
    if (path === "/api/queues") return sendJson(response, 200, api.queues(context));
    if (path === "/api/outcomes") return sendJson(response, 200, api.recentOutcomes(context));
    if (path === "/api/schedules") {
      return sendJson(response, 200, schedulesView(schedules, options.target, options.scheduler));
    }
    if (path === "/api/jobs") return sendJson(response, 200, api.jobs(context));
    const [a, b, type, c, d, ...rest] = parts;
    const source = url.searchParams.get("source");
    if (a === "api" && b === "dlq" && type && CONSUMER.test(type) && rest.length === 0) {
      if (c === undefined) {
        const query = {
          cursor: url.searchParams.get("cursor"),
          size: url.searchParams.get("size"),
          group: url.searchParams.get("group"),
          search: url.searchParams.get("q"),
          fresh: url.searchParams.get("refresh") === "1",
        };
        return sendJson(response, 200, await dlqApi.deadLetters(context, type, source, query));
      }
      if (c === "letters" && d && MESSAGE_ID.test(d)) {
        return sendJson(response, 200, await letterDetail(context, type, d, source));
      }
    }
    if (a === "api" && b === "jobs" && type && type.length <= MAX_ID_LENGTH && c === undefined) {
      return sendJson(response, 200, await jobDetail(context, type));
    }
    const file = files.get(path === "/" ? "index.html" : path.slice(1));
    if (file && !path.startsWith("/api/")) return send(response, 200, file.contentType, file.body);
    throw new HttpError(404, `Nothing at ${path}; the dashboard is at /.`);
  }

  const server = createServer((request, response) => {
    route(request, response).catch((error: unknown) => {
      if (response.headersSent) {
        response.destroy();
        return;
      }
      sendJson(response, statusOf(error), {
        error: errorMessage(error),
        ...(error instanceof JobValidationError ? { issues: error.issues } : {}),
      });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) => {
      reject(
        error.code === "EADDRINUSE"
          ? new DashboardError(
              `Port ${options.port ?? DEFAULT_DASHBOARD_PORT} on ${host} is in use: pass --port (or set FANOUT_DASHBOARD_PORT) to another port, or 0 for a free one.`,
              { cause: error },
            )
          : error,
      );
    });
    server.listen(options.port ?? DEFAULT_DASHBOARD_PORT, host, () => {
      server.removeAllListeners("error");
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;
  sampler.start();
  return {
    url: `http://${urlHost(host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host)}:${port}/`,
    port,
    allowActions,
    close: async () => {
      outcomes?.detachAll();
      await sampler.stop();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
