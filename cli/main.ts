import path from "node:path";
import { fileURLToPath } from "node:url";
import { BedrockCallError, BedrockForgeError } from "../runtime/errors.js";
import type { Command, CommandIO } from "./command.js";
import { UsageError } from "./command.js";
import { explainFailure } from "./connect.js";
import { explainRepositoryOnly } from "./repository.js";
import { suggestCorrection } from "./suggest.js";

// The SDK warns on every Node below 22 when a client is built; the CLI's output should stay the user's.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

/** A subcommand as the command list knows it: its module is imported only when it runs. */
export interface CommandEntry {
  readonly name: string;
  readonly summary: string;
  /** Runs only in a checkout of the repository with its development dependencies (the generator). */
  readonly repositoryOnly?: boolean;
  load(): Promise<Command>;
}

/**
 * Every subcommand, in the order `--help` lists them. Each is loaded on use, so `models` does not start
 * the generator's compiler and `--help` starts in a fraction of the time. A test checks that each
 * summary here equals the one its module declares.
 */
export const commands: readonly CommandEntry[] = [
  {
    name: "chat",
    summary: "Send a chat completion to any Bedrock chat model (--stream to print as it arrives)",
    load: async () => (await import("./commands/chat.js")).chatCommand,
  },
  {
    name: "embed",
    summary: "Embed texts with a Bedrock embedding model (--file for batches)",
    load: async () => (await import("./commands/embed.js")).embedCommand,
  },
  {
    name: "image",
    summary: "Generate or edit an image with a Bedrock image model and write it to a file",
    load: async () => (await import("./commands/image.js")).imageCommand,
  },
  {
    name: "models",
    summary: "List the model catalog: limits, prices, routes and profiles (filterable, --json)",
    load: async () => (await import("./commands/models.js")).modelsCommand,
  },
  {
    name: "scaffold",
    summary: "Add a model to the catalog, copying the closest existing one, and regenerate",
    repositoryOnly: true,
    load: async () => (await import("./commands/scaffold.js")).scaffoldCommand,
  },
  {
    name: "sync",
    summary:
      "Compare the catalog with Bedrock's own model and profile lists for a Region (--write adds the missing)",
    load: async () => (await import("./commands/sync.js")).syncCommand,
  },
  {
    name: "serve",
    summary: "Run an OpenAI-compatible proxy for Bedrock from a LiteLLM config.yaml (or one --model)",
    load: async () => (await import("./commands/serve.js")).serveCommand,
  },
  {
    name: "emulate",
    summary: "Run a local Bedrock Runtime emulator (fixtures replay, synthesized answers, SigV4, faults)",
    load: async () => (await import("./commands/emulate.js")).emulateCommand,
  },
  {
    name: "record",
    summary: "Record Bedrock exchanges through a re-signing proxy into fixture files",
    load: async () => (await import("./commands/record.js")).recordCommand,
  },
  {
    name: "generate",
    summary: "Turn specs/ into typed adapters and the model catalog (--check: fail when stale)",
    repositoryOnly: true,
    load: async () => (await import("./commands/generate.js")).generateCommand,
  },
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
  const entry = commands.find((candidate) => candidate.name === name);
  if (!entry) {
    const suggestion = suggestCorrection(
      name,
      commands.map((command) => command.name),
    );
    const hint = suggestion ? `Did you mean "${suggestion}"?\n` : "";
    io.stderr.write(`bedrock-forge: unknown command "${name}"\n${hint}\n${mainHelp()}`);
    return 2;
  }
  // Checked before the command's module loads: the generator's tools are not installed with the package.
  const unavailable = entry.repositoryOnly ? explainRepositoryOnly(entry.name) : undefined;
  if (unavailable !== undefined) {
    io.stderr.write(`bedrock-forge ${entry.name}: ${unavailable}\n`);
    return 2;
  }
  const command = await entry.load();
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

/**
 * A reader that stops early (`bedrock-forge models --json | head`) closes the pipe, and the next write
 * fails with EPIPE. Like a Unix tool ended by SIGPIPE, the CLI then stops at once, quietly, exit code 0:
 * the reader has what it wanted. Other stream errors stay errors.
 */
export function exitQuietlyOnClosedPipe(
  streams: readonly NodeJS.WritableStream[],
  exit: (code: number) => void = (code) => process.exit(code),
): void {
  for (const stream of streams)
    stream.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code !== "EPIPE") throw error;
      exit(0);
    });
}

/** The `bedrock-forge` executable: the process's arguments and streams; sets the exit code. */
export async function main(): Promise<void> {
  exitQuietlyOnClosedPipe([process.stdout, process.stderr]);
  process.exitCode = await runCli(process.argv.slice(2), {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    cwd: process.cwd(),
  });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
