/** What every benchmark shares: an emulator in its own process, timing statistics, the machine, BENCHMARKS.md. */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Hash } from "@smithy/hash-node";
import { HttpRequest } from "@smithy/protocol-http";
import { SignatureV4 } from "@smithy/signature-v4";
import { exampleCredentials } from "../emulator/auth.js";

export const repositoryRoot = fileURLToPath(new URL("..", import.meta.url));

export interface RunningEmulator {
  readonly url: string;
  readonly child: ChildProcess;
}

/** Starts `bedrock-forge emulate` in its own process (its own core) and waits for its URL. */
export function startEmulatorProcess(extra: readonly string[] = []): Promise<RunningEmulator> {
  const bin = fileURLToPath(new URL("../bin/bedrock-forge.js", import.meta.url));
  const child = spawn(process.execPath, [bin, "emulate", "--port", "0", "--mode", "synthesize", ...extra], {
    stdio: ["ignore", "pipe", "inherit"],
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
  });
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      out += chunk.toString("utf8");
      const match = /listening on (http:\/\/[^\s]+)/.exec(out);
      if (match) resolve({ url: match[1]!, child });
    });
    child.on("exit", (code) => reject(new Error(`emulator exited with ${code}`)));
  });
}

export async function stopProcess(running: { child: ChildProcess }): Promise<void> {
  if (running.child.exitCode !== null) return;
  const exited = new Promise((resolve) => running.child.on("exit", resolve));
  running.child.kill("SIGTERM");
  await exited;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

export function percentile(values: readonly number[], fraction: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))]!;
}

export function machineLine(): string {
  const cpu = cpus()[0]?.model.trim() ?? "unknown CPU";
  const load = loadavg()
    .map((value) => value.toFixed(1))
    .join(" ");
  return `${cpus().length} × ${cpu}, Node ${process.version}, load average ${load} at start`;
}

/**
 * The version of the copy a benchmark loads: the benchmarks' own (bench/node_modules, bench/package.json)
 * first, as Node resolves it from bench/, else the repository's.
 */
export function packageVersion(name: string): string {
  for (const folder of ["./node_modules", "../node_modules"]) {
    const file = fileURLToPath(new URL(`${folder}/${name}/package.json`, import.meta.url));
    if (existsSync(file)) return (JSON.parse(readFileSync(file, "utf8")) as { version: string }).version;
  }
  return "not installed";
}

export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
}

/** The checkout being measured: its short commit, marked when tracked files have uncommitted changes. */
export function commitOf(): string {
  const git = (...args: string[]) => spawnSync("git", args, { cwd: repositoryRoot, encoding: "utf8" });
  const head = git("rev-parse", "--short", "HEAD").stdout.trim() || "unknown";
  const dirty = git("status", "--porcelain", "--untracked-files=no").stdout.trim() !== "";
  return dirty ? `${head} + uncommitted changes` : head;
}

/** The first line of every benchmark section: when, which commit, on what machine. */
export function latestRunLine(): string {
  return `**Latest run:** ${new Date().toISOString().slice(0, 10)}, commit ${commitOf()}, ${machineLine()}.`;
}

/** One measured ratio (or time) beside the goal it is held to. */
export interface GoalRow {
  readonly measure: string;
  /** The measured value as printed, e.g. `0.42×` or `1870 ms`. */
  readonly result: string;
  /** The goal as printed, e.g. `≤ 0.5×`; `—` when the row is reported without a goal. */
  readonly goal: string;
  /** Whether the goal holds; undefined for rows without a goal. */
  readonly met?: boolean;
}

/** The goals table that opens every benchmark section. */
export function goalsTable(rows: readonly GoalRow[]): string {
  return markdownTable(
    ["measure", "result", "goal", "met"],
    rows.map((row) => [
      row.measure,
      row.result,
      row.goal,
      row.met === undefined ? "—" : row.met ? "yes" : "**NO**",
    ]),
  );
}

const benchmarksFile = fileURLToPath(new URL("../BENCHMARKS.md", import.meta.url));
const historyFolder = fileURLToPath(new URL("./history/", import.meta.url));

/**
 * Replaces (or appends) one `## heading` section of BENCHMARKS.md with the latest run, leaving the other
 * benchmarks' sections alone; the run it replaces goes to the top of `bench/history/<heading>.md`, so
 * BENCHMARKS.md shows current results and the history stays one click away.
 */
export function writeBenchmarksSection(heading: string, body: string): void {
  const current = existsSync(benchmarksFile) ? readFileSync(benchmarksFile, "utf8") : benchmarksPreamble;
  const section = `## ${heading}\n\n${body.trim()}\n`;
  const pattern = new RegExp(
    `## ${heading.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\n([\\s\\S]*?)(?=\\n## |$)`,
  );
  const previous = pattern.exec(current)?.[1]?.trim();
  if (previous) archiveRun(heading, previous);
  const next =
    previous !== undefined
      ? current.replace(pattern, section.trimEnd())
      : `${current.trimEnd()}\n\n${section}`;
  writeFileSync(benchmarksFile, `${next.trimEnd()}\n`);
  formatBenchmarksFile(benchmarksFile);
}

const benchmarksPreamble =
  "# Benchmarks\n\nEach section is the latest run of one benchmark, measured side by side with its peers in one run; ratios matter, not absolute times. Earlier runs: `bench/history/`.\n";

/** Puts a replaced run at the top of the benchmark's history file (newest first). */
function archiveRun(heading: string, run: string): void {
  const file = path.join(historyFolder, `${heading.toLowerCase().replace(/[^a-z0-9]+/g, "-")}.md`);
  const title = `# ${heading} benchmark: earlier runs, newest first\n`;
  const existing = existsSync(file) ? readFileSync(file, "utf8").replace(title, "").trim() : "";
  mkdirSync(historyFolder, { recursive: true });
  writeFileSync(file, `${title}\n---\n\n${run}\n${existing ? `\n${existing}\n` : ""}`);
  formatBenchmarksFile(file);
}

/** BENCHMARKS.md is Markdown under the formatter's rules (tables padded): leave it formatted, whoever wrote it. */
export function formatBenchmarksFile(file: string): void {
  spawnSync(path.join(repositoryRoot, "node_modules/.bin/biome"), ["format", "--write", file], {
    stdio: "ignore",
  });
}

/** A signed Bedrock request, ready to send as is many times (autocannon's request shape). */
export interface PresignedRequest {
  readonly method: "POST";
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/**
 * A request signed once, as the AWS SDK signs it, with AWS's documented example keys (the emulator checks
 * the signature each time it arrives; it stays valid for the 5-minute window).
 */
export async function presign(
  url: string,
  requestPath: string,
  body: string,
  extra: Record<string, string> = {},
): Promise<PresignedRequest> {
  const target = new URL(url);
  const signer = new SignatureV4({
    credentials: exampleCredentials,
    region: "us-east-1",
    service: "bedrock",
    sha256: Hash.bind(null, "sha256"),
  });
  const signed = await signer.sign(
    new HttpRequest({
      method: "POST",
      protocol: "http:",
      hostname: target.hostname,
      port: Number(target.port),
      path: requestPath,
      headers: { host: target.host, "content-type": "application/json", ...extra },
      body,
    }),
  );
  return { method: "POST", path: requestPath, headers: signed.headers as Record<string, string>, body };
}
