import { Command, CommanderError } from "commander";
import { type LoadedConfig, loadConfig } from "../core/config.ts";
import { errorMessage, errorName } from "../core/errors.ts";
import type { Registry } from "../core/registry.ts";
import { registerAddWorker } from "./commands/add-worker.ts";
import { registerDashboard } from "./commands/dashboard.ts";
import { registerDlq } from "./commands/dlq.ts";
import { registerPublish } from "./commands/publish.ts";
import { registerSchedules } from "./commands/schedules.ts";
import { registerStart } from "./commands/start.ts";
import { registerStatus } from "./commands/status.ts";
import { type AppSource, createContext } from "./context.ts";
import { EXIT, exitCodeFor, isForeignAnswer, isUnreachable } from "./exit-codes.ts";
import { type CliIo, processIo } from "./io.ts";
import { missingPackage, missingPackageMessage } from "./missing-package.ts";
import { createOutput } from "./output.ts";

/** Commander's parse errors as the CLI's one-line errors; an unknown command with no near match says where the list is. */
function cliError(text: string): string {
  const line = text.startsWith("error: ") ? `fanout: ${text.slice(7)}` : text;
  return /^fanout: unknown command '[^']*'\n$/.test(line)
    ? `${line.trimEnd()} (fanout --help lists the commands)\n`
    : line;
}

export interface RunOptions extends Partial<CliIo> {
  /** The registry to work with; default the one the app's fanout.config.ts names. */
  readonly registry?: Registry;
  /** The app's config, when the caller has loaded it already. */
  readonly config?: LoadedConfig;
}

export const EXIT_CODES_HELP = `
Exit codes:
  0   success
  1   the command ran, but part of its work failed (a job not sent, a dead letter not moved)
  64  bad command line: unknown command, option or job type, invalid name (EX_USAGE)
  65  bad input: invalid JSON, a payload that fails its job's schema (EX_DATAERR)
  69  AWS or the local cloud unreachable, or a queue missing (EX_UNAVAILABLE)
  78  no usable fanout.config.ts, or a package the command needs not installed (EX_CONFIG)

Connection: --local for the local cloud (fanout start), --endpoint or AWS_ENDPOINT_URL for another endpoint,
otherwise AWS with the standard configuration (AWS_REGION, AWS_PROFILE, credentials chain).`;

function buildProgram(io: CliIo, app: AppSource): Command {
  const program = new Command("fanout")
    .description(
      "Run Fanout locally, publish its jobs and operate their queues, on AWS or on the local cloud",
    )
    .option("--config <file>", "the app's config (default: fanout.config.ts here or in a parent directory)")
    .option("--local", "talk to the local cloud on 127.0.0.1 (port from FANOUT_LOCAL_PORT, default 4566)")
    .option(
      "--endpoint <url>",
      "send every AWS request to this endpoint (default: AWS_ENDPOINT_URL, else AWS)",
    )
    .option("--region <region>", "AWS region (default: AWS_REGION or the shared config)")
    .option("--json", "print results as JSON, one document per line")
    .addHelpText("after", EXIT_CODES_HELP)
    .showSuggestionAfterError()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      outputError: (text, write) => write(cliError(text)),
    });
  const output = createOutput(io, () => Boolean(program.opts().json));
  const context = createContext(app, io, output);
  registerStart(program, context);
  registerPublish(program, context);
  registerSchedules(program, context);
  registerAddWorker(program, context);
  registerStatus(program, context);
  registerDlq(program, context);
  registerDashboard(program, context);
  // Every command, nested ones included, reports parse errors through the handler below.
  const override = (command: Command) => {
    command.exitOverride();
    command.configureOutput(program.configureOutput());
    command.addHelpText("after", command === program ? "" : EXIT_CODES_HELP);
    for (const sub of command.commands) override(sub);
  };
  override(program);
  return program;
}

/** The one line an operator sees for a failure, with what to do next when the cause is known. */
export function describeFailure(error: unknown): string {
  const message = errorMessage(error);
  const missing = missingPackage(error);
  if (missing) return `${missingPackageMessage(missing)}.`;
  if (isUnreachable(error)) {
    return `${message.replace(/\.?$/, ".")} The endpoint is unreachable: for the local cloud run \`fanout start\` and pass --local; for AWS check the network and AWS_REGION.`;
  }
  if (isForeignAnswer(error)) {
    const status = (error as { $metadata: { httpStatusCode: number } }).$metadata.httpStatusCode;
    return `The endpoint answered HTTP ${status} with no AWS error in it: check that --endpoint or AWS_ENDPOINT_URL points at AWS or the local cloud.`;
  }
  if (message === "Region is missing") {
    return "Region is missing: set AWS_REGION, pass --region, or pass --local for the local cloud.";
  }
  if (
    /Could not load credentials|credential/i.test(message) &&
    errorName(error) === "CredentialsProviderError"
  ) {
    return `${message}: configure AWS credentials (AWS_PROFILE, aws sso login, or AWS_ACCESS_KEY_ID), or pass --local.`;
  }
  return message.split("\n")[0] ?? message;
}

/** `--config <file>` or `--config=<file>`, read before the command line is parsed: the commands depend on it. */
function configArgument(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const argument = argv[i] ?? "";
    if (argument === "--") return undefined;
    if (argument === "--config") return argv[i + 1];
    if (argument.startsWith("--config=")) return argument.slice("--config=".length);
  }
  return undefined;
}

async function findApp(argv: readonly string[], options: RunOptions, cwd: string): Promise<AppSource> {
  if (options.registry) return { config: options.config, registry: options.registry };
  try {
    const config = options.config ?? (await loadConfig(configArgument(argv), cwd));
    return { config, registry: config.registry };
  } catch (error) {
    return { missing: error instanceof Error ? error : new Error(String(error)) };
  }
}

/** Runs one `fanout` command line and returns its exit code; never exits the process itself. */
export async function runCli(argv: readonly string[], options: RunOptions = {}): Promise<number> {
  const io: CliIo = { ...processIo(), ...options };
  const program = buildProgram(io, await findApp(argv, options, io.cwd));
  try {
    await program.parseAsync([...argv], { from: "user" });
    return EXIT.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    io.stderr.write(`fanout: ${describeFailure(error)}\n`);
    return exitCodeFor(error);
  }
}
