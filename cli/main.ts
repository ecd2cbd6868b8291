import path from "node:path";
import { fileURLToPath } from "node:url";
import { BedrockCallError, BedrockForgeError } from "../runtime/errors.js";
import type { Command, CommandIO } from "./command.js";
import { UsageError } from "./command.js";
import { chatCommand } from "./commands/chat.js";
import { embedCommand } from "./commands/embed.js";
import { emulateCommand } from "./commands/emulate.js";
import { generateCommand } from "./commands/generate.js";
import { imageCommand } from "./commands/image.js";
import { modelsCommand } from "./commands/models.js";
import { recordCommand } from "./commands/record.js";
import { scaffoldCommand } from "./commands/scaffold.js";
import { serveCommand } from "./commands/serve.js";
import { explainFailure } from "./connect.js";

// The SDK warns on every Node below 22 when a client is built; the CLI's output should stay the user's.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

/** Every subcommand, in the order `--help` lists them. */
export const commands: readonly Command[] = [
  chatCommand,
  embedCommand,
  imageCommand,
  modelsCommand,
  scaffoldCommand,
  serveCommand,
  emulateCommand,
  recordCommand,
  generateCommand,
];

export function mainHelp(): string {
  const width = Math.max(...commands.map((command) => command.name.length));
  const lines = commands.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`);
  return `Usage: bedrock-forge <command> [options]

Every Amazon Bedrock model family through one OpenAI-shaped interface.

Commands:
${lines.join("\n")}

Run \`bedrock-forge <command> --help\` for a command's options.
`;
}

/** Requests bedrock-forge refused before any network call (bad params, a model without the operation). */
function isRequestRefused(error: unknown): error is BedrockForgeError {
  return BedrockForgeError.isInstance(error) && error.status === 400 && !BedrockCallError.isInstance(error);
}

/** Runs the CLI; returns the exit code. */
export async function runCli(argv: readonly string[], io: CommandIO): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    io.stdout.write(mainHelp());
    return name === undefined ? 2 : 0;
  }
  const command = commands.find((candidate) => candidate.name === name);
  if (!command) {
    io.stderr.write(`bedrock-forge: unknown command "${name}"\n\n${mainHelp()}`);
    return 2;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`bedrock-forge ${command.name}: ${error.message}\n\n${command.help}`);
      return 2;
    }
    // Requests the model cannot take are the caller's input, refused before any network call.
    if (isRequestRefused(error)) {
      io.stderr.write(`bedrock-forge ${command.name}: ${error.message}\n`);
      return 2;
    }
    io.stderr.write(`bedrock-forge ${command.name}: ${explainFailure(error)}\n`);
    return 1;
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = await runCli(process.argv.slice(2), {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    cwd: process.cwd(),
  });
}
