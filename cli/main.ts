import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Command, CommandIO } from "./command.js";
import { UsageError } from "./command.js";
import { emulateCommand } from "./commands/emulate.js";
import { generateCommand } from "./commands/generate.js";
import { recordCommand } from "./commands/record.js";
import { serveCommand } from "./commands/serve.js";

/** Every subcommand, in the order `--help` lists them. */
export const commands: readonly Command[] = [generateCommand, emulateCommand, recordCommand, serveCommand];

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
    io.stderr.write(`bedrock-forge ${command.name}: ${(error as Error).message ?? String(error)}\n`);
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
