/** What every benchmark shares: an emulator in its own process, timing statistics, the machine, BENCHMARKS.md. */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

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

/** Replaces (or appends) one `## heading` section of BENCHMARKS.md, leaving the other benchmarks' sections alone. */
export function writeBenchmarksSection(heading: string, body: string): void {
  const file = fileURLToPath(new URL("../BENCHMARKS.md", import.meta.url));
  const current = existsSync(file)
    ? readFileSync(file, "utf8")
    : "# Benchmarks\n\nMeasured side by side in one run on the machine named in each section; ratios matter, not absolute times.\n";
  const section = `## ${heading}\n\n${body.trim()}\n`;
  const pattern = new RegExp(`## ${heading.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\n[\\s\\S]*?(?=\\n## |$)`);
  const next = pattern.test(current)
    ? current.replace(pattern, section.trimEnd())
    : `${current.trimEnd()}\n\n${section}`;
  writeFileSync(file, `${next.trimEnd()}\n`);
  formatBenchmarksFile(file);
}

/** BENCHMARKS.md is Markdown under the formatter's rules (tables padded): leave it formatted, whoever wrote it. */
export function formatBenchmarksFile(file: string): void {
  spawnSync(path.join(repositoryRoot, "node_modules/.bin/biome"), ["format", "--write", file], {
    stdio: "ignore",
  });
}
