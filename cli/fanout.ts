import { Command, CommanderError } from "commander";
import { errorMessage } from "../shared/errors.ts";
import { registry } from "../shared/jobs/index.ts";
import { registerPublish } from "./commands/publish.ts";
import { EXIT, exitCodeFor, isUnreachable } from "./exit-codes.ts";
import { createOutput } from "./output.ts";

const program = new Command("fanout")
  .description("Publish Fanout jobs and operate their queues, on AWS or on the local cloud")
  .option("--local", "talk to the local cloud on 127.0.0.1 (port from FANOUT_LOCAL_PORT, default 4566)")
  .option("--endpoint <url>", "send every AWS request to this endpoint (default: AWS_ENDPOINT_URL, else AWS)")
  .option("--region <region>", "AWS region (default: AWS_REGION or the shared config)")
  .option("--json", "print results as JSON, one document per line")
  .exitOverride()
  .configureOutput({ outputError: (text, write) => write(text) });

const output = createOutput(() => Boolean(program.opts().json));
registerPublish(program, registry, output);

try {
  await program.parseAsync();
} catch (error) {
  if (error instanceof CommanderError) {
    process.exitCode = error.exitCode === 0 ? EXIT.ok : EXIT.usage;
  } else {
    const message = errorMessage(error);
    const hint = isUnreachable(error)
      ? " Is the endpoint reachable? For the local cloud, run `npm start` first and pass --local."
      : message === "Region is missing"
        ? ": set AWS_REGION, pass --region, or pass --local for the local cloud."
        : "";
    process.stderr.write(`fanout: ${message}${hint}\n`);
    process.exitCode = exitCodeFor(error);
  }
}
