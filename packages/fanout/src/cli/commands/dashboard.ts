import { once } from "node:events";
import type { Command } from "commander";
import { errorMessage, UsageError } from "../../core/errors.ts";
import { DEFAULT_DASHBOARD_HOST, startDashboard } from "../../dashboard/dashboard.ts";
import { isLoopback } from "../../dashboard/guard.ts";
import { dashboardPort } from "../../dashboard/port.ts";
import type { ConnectionOptions } from "../connection.ts";
import type { CommandContext } from "../context.ts";

interface DashboardCommandOptions {
  readonly port?: string;
  readonly host: string;
  readonly allowActions?: boolean;
}

/** Resolves on Ctrl-C or a termination signal: the dashboard runs until the operator stops it. */
function untilStopped(): Promise<unknown> {
  return Promise.race([once(process, "SIGINT"), once(process, "SIGTERM")]);
}

export function registerDashboard(program: Command, context: CommandContext): void {
  const { output } = context;
  program
    .command("dashboard")
    .description("Serve a web dashboard of the topology, the queues and the dead letters, until Ctrl-C")
    .option(
      "--port <port>",
      "port to listen on (default FANOUT_DASHBOARD_PORT, else 4567; 0 picks a free one)",
    )
    .option(
      "--host <address>",
      "address to listen on; anything but loopback exposes your queues to the network",
      DEFAULT_DASHBOARD_HOST,
    )
    .option("--allow-actions", "enable redriving dead letters from the page (default: read-only)")
    .addHelpText(
      "after",
      `
The page shows the topology from the registry, live figures per queue (visible, in flight, DLQ depth, ages,
throughput from CloudWatch on AWS), and the decoded dead letters of each job type. It is read-only unless
started with --allow-actions. \`fanout start\` runs it with the local cloud, actions allowed, and with the
outcomes of the local runners. See docs/dashboard.md.

Examples:
  fanout dashboard                      # AWS, read-only, http://127.0.0.1:4567/
  fanout --local dashboard --allow-actions --port 8080`,
    )
    .action(async (options: DashboardCommandOptions, command: Command) => {
      let port: number;
      try {
        port = dashboardPort(options.port, context.io.env);
      } catch (error) {
        throw new UsageError(errorMessage(error));
      }
      const global = command.optsWithGlobals<ConnectionOptions>();
      const connection = context.connect(command);
      try {
        if (!isLoopback(options.host)) {
          output.note(
            `fanout: warning: the dashboard listens on ${options.host}: anyone who can reach this machine can read your dead letters${options.allowActions ? " and redrive them" : ""}.`,
          );
        }
        const dashboard = await startDashboard({
          topology: await connection.topology(),
          reader: connection.reader(),
          payloads: connection.payloadReader,
          topicArn: connection.topicArn,
          schedules: context.registry.schedules,
          target: global.local ? "local" : connection.endpoint === undefined ? "aws" : "endpoint",
          endpoint: connection.endpoint,
          allowActions: Boolean(options.allowActions),
          host: options.host,
          port,
        });
        output.result(
          { url: dashboard.url, allowActions: dashboard.allowActions },
          `dashboard at ${dashboard.url} (${dashboard.allowActions ? "actions allowed" : "read-only"}); Ctrl-C stops it`,
        );
        await untilStopped();
        await dashboard.close();
      } finally {
        connection.close();
      }
    });
}
