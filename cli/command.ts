/** Where a command writes; tests pass their own. */
export interface Output {
  write(text: string): void;
  /** True when the output is a terminal (progress is shown only then). */
  readonly isTTY?: boolean;
}

export interface CommandIO {
  readonly stdout: Output;
  readonly stderr: Output;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  /** What `-` arguments read; the process's stdin when absent. */
  readonly stdin?: NodeJS.ReadableStream;
}

/** One `bedrock-forge <name>` subcommand. `run` returns the exit code: 0 ok, 1 failure, 2 bad usage. */
export interface Command {
  readonly name: string;
  readonly summary: string;
  readonly help: string;
  run(argv: readonly string[], io: CommandIO): Promise<number>;
}

/** Thrown for bad usage; the CLI prints the message and the command's help, exit code 2. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}
