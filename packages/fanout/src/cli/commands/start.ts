import type { Command } from "commander";
import { errorMessage, UsageError } from "../../core/errors.ts";
import { PayloadStore } from "../../core/payload-store.ts";
import { type JobRequest, Publisher } from "../../core/publisher.ts";
import type { Registry } from "../../core/registry.ts";
import { dashboardPort } from "../../dashboard/port.ts";
import { DEFAULT_LOCAL_PORT } from "../../local/endpoint.ts";
import type { CommandContext } from "../context.ts";
import { createStartReporter } from "../start-reporter.ts";

interface StartOptions {
  readonly demo?: boolean;
  readonly verbose?: boolean;
}

/** The app's demo jobs: its config's `demo` module exports `demoJobs()`. */
async function demoJobs(module: string | undefined): Promise<readonly JobRequest<Registry>[]> {
  if (!module)
    throw new UsageError("--demo needs a `demo` module in fanout.config.ts (exporting demoJobs()).");
  const { demoJobs } = (await import(module)) as { demoJobs?: () => readonly JobRequest<Registry>[] };
  if (typeof demoJobs !== "function") throw new UsageError(`${module} exports no demoJobs() function.`);
  return demoJobs();
}

/** Resolves when the process is asked to stop (Ctrl-C, or a TERM signal), with the signal's name. */
function untilSignalled(): Promise<string> {
  return new Promise((resolve) => {
    process.once("SIGINT", () => resolve("SIGINT"));
    process.once("SIGTERM", () => resolve("SIGTERM"));
  });
}

export function registerStart(program: Command, context: CommandContext): void {
  program
    .command("start")
    .description(
      "Run the app on this machine: the local cloud, its topology, a worker per job type, the dashboard",
    )
    .option("--demo", "publish the app's demo jobs once everything is up")
    .option("--verbose", "also show the handlers' INFO and DEBUG entries, with their fields")
    .addHelpText(
      "after",
      `
The local cloud (the fauxqs emulator: SNS, SQS and S3 on one endpoint) listens on 127.0.0.1:4566
(FANOUT_LOCAL_PORT; 0 picks a free port), the dashboard on 127.0.0.1:4567 (FANOUT_DASHBOARD_PORT), loopback
only. On a terminal every job outcome and every warning or error a handler logs is one line; with --json,
or when the output is not a terminal, every line is one JSON document (the handlers' as they log them).
NO_COLOR turns colours off. An edit to a handler, the registry or fanout.config.ts is picked up by the next
job, without a restart; a registry change that adds or removes a job type says that it needs one.
Ctrl-C stops everything.

Examples:
  fanout start
  fanout start --verbose
  fanout start | jq -c 'select(.outcome == "dead-lettered")'     # JSON lines when piped
  FANOUT_LOCAL_PORT=4766 fanout start --demo`,
    )
    .action(async (options: StartOptions) => {
      const { config, io, output } = context;
      // `npm start --demo`, without `--`, hands the flag to npm, which passes it on only as npm_config_demo.
      const wantsDemo = options.demo || io.env.npm_config_demo === "true";
      const json = output.json || io.env.npm_config_json === "true" || !io.stdout.isTTY;
      const demo = wantsDemo ? await demoJobs(config.demoModule) : [];
      // Only this command needs the emulator (fauxqs): the rest of the CLI works without it installed.
      const [{ startLocalFanout }, { startLocalDashboard }, { watchApp }] = await Promise.all([
        import("../../local/local-fanout.ts"),
        import("../../dashboard/local.ts"),
        import("../../local/hot-reload.ts"),
      ]);
      const fanout = await startLocalFanout({ registry: config.registry, handlerPath: config.handlerPath });
      const reporter = createStartReporter({
        io,
        json,
        verbose: Boolean(options.verbose),
        topology: fanout.topology,
      });
      reporter.follow(fanout.runners);
      const reloads = watchApp({ fanout, config, report: (report) => reporter.report(report) });
      try {
        // The local cloud is the operator's own: its dashboard may redrive.
        const dashboard = await startLocalDashboard(fanout, { port: dashboardPort(undefined, io.env) });
        try {
          // From the ready line on, Ctrl-C stops everything cleanly, also while the demo jobs are published.
          const signalled = untilSignalled();
          reporter.report({
            kind: "ready",
            endpoint: fanout.cloud.endpoint,
            dashboard: dashboard.url,
            topicArn: fanout.provisioned.topicArn,
            bucket: fanout.provisioned.bucket,
            workers: [...fanout.runners.keys()],
            watching: reloads.watching,
            command: `${fanout.cloud.port === DEFAULT_LOCAL_PORT ? "" : `FANOUT_LOCAL_PORT=${fanout.cloud.port} `}npx fanout --local status`,
          });
          if (demo.length > 0) {
            const publisher = new Publisher({
              registry: config.registry,
              sns: fanout.clients.sns,
              payloads: new PayloadStore({ s3: fanout.clients.s3, bucket: fanout.provisioned.bucket }),
              topicArn: fanout.provisioned.topicArn,
              delayQueue: { sqs: fanout.clients.sqs, queueUrl: fanout.provisioned.delayed.queueUrl },
            });
            for (const job of demo) {
              const published = await publisher.publish(job.type, job.payload, {
                ...(job.jobId ? { jobId: job.jobId } : {}),
                ...(job.delaySeconds ? { delaySeconds: job.delaySeconds } : {}),
              });
              reporter.report({
                kind: "published",
                jobType: published.type,
                jobId: published.jobId,
                offloaded: published.offloaded,
                ...(published.payloadKey
                  ? { payloadKey: `s3://${fanout.provisioned.bucket}/${published.payloadKey}` }
                  : {}),
              });
            }
          }
          reporter.report({ kind: "stopping", signal: await signalled });
        } finally {
          await dashboard.close();
        }
      } catch (error) {
        reporter.report({ kind: "stopping", error: errorMessage(error) });
        throw error;
      } finally {
        await reloads.close();
        await fanout.stop();
      }
      reporter.report({ kind: "stopped" });
    });
}
