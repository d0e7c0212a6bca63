import type { Command } from "commander";
import type { AppRegistry } from "../../shared/jobs/index.ts";
import type { JobTypeOf, PayloadInput } from "../../shared/registry.ts";
import { type ConnectionOptions, connect } from "../connection.ts";
import { UsageError } from "../exit-codes.ts";
import type { Output } from "../output.ts";
import { readJsonArgument } from "../read-input.ts";

type AppJobType = JobTypeOf<AppRegistry>;

export function registerPublish(program: Command, registry: AppRegistry, output: Output): void {
  program
    .command("publish")
    .description("Validate a job against its schema and publish it to the topic")
    .argument("<type>", `job type: ${registry.jobList.map((j) => j.type).join(", ")}`)
    .argument("[payload]", "the payload: inline JSON, @file, or - for standard input", "-")
    .option("--correlation-id <id>", "tie the job to others of the same request")
    .action(
      async (
        type: string,
        payloadArgument: string,
        options: { correlationId?: string },
        command: Command,
      ) => {
        if (!Object.hasOwn(registry.jobs, type)) {
          throw new UsageError(
            `Unknown job type "${type}". Known types: ${registry.jobList.map((j) => j.type).join(", ")}.`,
          );
        }
        const payload = await readJsonArgument(payloadArgument);
        const connection = connect(registry, command.optsWithGlobals<ConnectionOptions>());
        try {
          const publisher = await connection.publisher();
          const result = await publisher.publish(
            type as AppJobType,
            payload as PayloadInput<AppRegistry, AppJobType>,
            options.correlationId ? { correlationId: options.correlationId } : {},
          );
          output.result(
            result,
            `published ${result.type} job ${result.jobId} (${result.offloaded ? "offloaded to S3" : "inline"})`,
          );
        } finally {
          connection.close();
        }
      },
    );
}
