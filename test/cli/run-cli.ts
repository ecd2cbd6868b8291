import { spawn } from "node:child_process";
import { Readable } from "node:stream";
import { fileURLToPath } from "node:url";
import { runCli as runCommandLine } from "../../cli/main.js";

export const repositoryRoot = fileURLToPath(new URL("../..", import.meta.url));
const bin = fileURLToPath(new URL("../../bin/bedrock-forge.js", import.meta.url));

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CliOptions {
  cwd?: string;
  /** The command's whole environment. Given, the CLI runs as a child process (the AWS SDK reads `process.env`). */
  env?: NodeJS.ProcessEnv;
  input?: string;
  timeoutMs?: number;
}

/** The environment a CLI test runs in: no AWS settings from the machine, no SDK version warning. */
export function cleanEnvironment(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) if (!name.startsWith("AWS_")) env[name] = value;
  return { ...env, AWS_EC2_METADATA_DISABLED: "true", ...extra };
}

/**
 * Runs `bedrock-forge …` the way the executable does (`runCli` of cli/main.ts, the same arguments,
 * output and exit code), inside the test's process: a child process costs a second or more of start-up
 * on a loaded machine, and most CLI tests are about what a command prints and returns. A test that sets
 * the environment runs a real child process (`runCliProcess`), since the AWS SDK reads credentials and
 * Region from the process's own environment.
 */
export async function runCli(args: readonly string[], options: CliOptions = {}): Promise<CliResult> {
  if (options.env !== undefined) return runCliProcess(args, options);
  return runCliInProcess(args, options);
}

/**
 * The command line in this process, whatever the options: `env` is the command's own environment
 * (`io.env`), for commands that read it there (sync's credentials); the AWS SDK's default chain still
 * reads `process.env`.
 */
export async function runCliInProcess(args: readonly string[], options: CliOptions = {}): Promise<CliResult> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const code = await runCommandLine(args, {
    stdout: { write: (text: string) => stdout.push(text) },
    stderr: { write: (text: string) => stderr.push(text) },
    stdin: Readable.from([Buffer.from(options.input ?? "")]),
    env: options.env ?? cleanEnvironment(),
    cwd: options.cwd ?? repositoryRoot,
  });
  return { code, stdout: stdout.join(""), stderr: stderr.join("") };
}

/** Runs `node bin/bedrock-forge.js …` as a child process (stdout and stderr piped, so never a TTY). */
export function runCliProcess(args: readonly string[], options: CliOptions = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], {
      cwd: options.cwd ?? repositoryRoot,
      env: options.env ?? cleanEnvironment(),
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 30_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(options.input ?? "");
  });
}
