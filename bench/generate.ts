/**
 * How long `generate` takes on a synthetic catalog of 25 families / 150 models cloned from the real
 * specs. Goal: `npm run generate` under 3 s of wall time.
 *
 *   npm run bench:generate                # 5 runs of each
 *   npm run bench:generate -- --runs 10 --families 50 --models-per-family 8
 *
 * Measures generate() in process (the first, cold run apart: loading and warming up the YAML parser,
 * ajv and json-schema-to-typescript) and the whole command as a child process, both the way the
 * `generate` script runs it (node generator/launch.mjs, the generator bundled by esbuild) and through npm. Every run must produce the
 * same bytes; the command's output folder is checked against the in-process result.
 *
 * Wall time depends on what else the machine runs, so CPU time (user + system) is shown too: for the
 * child processes it comes from GNU time (/usr/bin/time, Linux) when present. The load average is
 * printed with the results.
 */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { parseArgs, promisify } from "node:util";
import { describeProblems, generate } from "../generator/generate.js";
import { goalsTable, latestRunLine, median, writeBenchmarksSection } from "./support.js";
import { createSyntheticCatalog, repositoryRoot } from "./synthetic-catalog.js";

const goalMs = 3000;
const run = promisify(execFile);

const { values } = parseArgs({
  options: {
    runs: { type: "string", default: "5" },
    families: { type: "string", default: "25" },
    "models-per-family": { type: "string", default: "6" },
  },
});
const runs = Math.max(1, Number(values.runs));

function digestOf(files: ReadonlyMap<string, string>): string {
  const hash = createHash("sha256");
  for (const [name, text] of [...files].sort(([a], [b]) => (a < b ? -1 : 1)))
    hash.update(`${name}\0${text}\0`);
  return hash.digest("hex");
}

async function digestOfFolder(dir: string): Promise<string> {
  const files = new Map<string, string>();
  const walk = async (folder: string, prefix: string) => {
    for (const entry of await readdir(folder, { withFileTypes: true })) {
      const name = prefix ? `${prefix}/${entry.name}` : entry.name;
      if (entry.isDirectory()) await walk(path.join(folder, entry.name), name);
      else if (name !== "manifest.json")
        files.set(name, await readFile(path.join(folder, entry.name), "utf8"));
    }
  };
  await walk(dir, "");
  return digestOf(files);
}

interface Sample {
  readonly wall: number;
  /** User + system CPU milliseconds, when known. */
  readonly cpu?: number;
}

async function measure(action: () => Promise<unknown>): Promise<Sample> {
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  await action();
  const cpu = process.cpuUsage(cpuBefore);
  return { wall: performance.now() - started, cpu: (cpu.user + cpu.system) / 1000 };
}

const gnuTime = process.platform === "linux" && existsSync("/usr/bin/time") ? "/usr/bin/time" : undefined;

/** Runs a command to completion; its CPU time comes from GNU time when available. */
async function measureCommand(command: string, args: readonly string[]): Promise<Sample> {
  const started = performance.now();
  if (!gnuTime) {
    await run(command, [...args], { cwd: repositoryRoot });
    return { wall: performance.now() - started };
  }
  const { stderr } = await run(gnuTime, ["-f", "bench-cpu %U %S", command, ...args], { cwd: repositoryRoot });
  const wall = performance.now() - started;
  const match = /bench-cpu ([\d.]+) ([\d.]+)\s*$/.exec(stderr);
  return match ? { wall, cpu: (Number(match[1]) + Number(match[2])) * 1000 } : { wall };
}

const catalog = await createSyntheticCatalog({
  families: Number(values.families),
  modelsPerFamily: Number(values["models-per-family"]),
});
try {
  // The command shows paths relative to the repository; so does this, so the bytes can be compared.
  const options = { specsDir: catalog.specsDir, displayRoot: repositoryRoot, manifest: false };
  let reference: string | undefined;
  let fileCount = 0;
  const inProcess: Sample[] = [];
  for (let index = 0; index <= runs; index++) {
    let digest = "";
    inProcess.push(
      await measure(async () => {
        const result = await generate(options);
        if (!result.ok) throw new Error(describeProblems(result.problems));
        digest = digestOf(result.files);
        fileCount = result.files.size;
      }),
    );
    if (reference !== undefined && digest !== reference)
      throw new Error("generate() output differs between runs");
    reference = digest;
  }
  const [cold, ...warm] = inProcess;

  const out = path.join(catalog.root, "generated");
  const args = ["--specs", catalog.specsDir, "--out", out];
  const launcher = path.join(repositoryRoot, "generator/launch.mjs");
  const command: Sample[] = [];
  const viaNpm: Sample[] = [];
  for (let index = 0; index < runs; index++) {
    command.push(await measureCommand(process.execPath, [launcher, ...args]));
    viaNpm.push(await measureCommand("npm", ["run", "--silent", "generate", "--", ...args]));
  }
  if ((await digestOfFolder(out)) !== reference)
    throw new Error("the command wrote other bytes than generate()");

  const ms = (value: number | undefined) =>
    (value === undefined ? "n/a" : `${Math.round(value)} ms`).padStart(9);
  const row = (label: string, samples: readonly Sample[]) => {
    const walls = samples.map((sample) => sample.wall);
    const cpus = samples.flatMap((sample) => (sample.cpu === undefined ? [] : [sample.cpu]));
    return `${label.padEnd(42)}${ms(median(walls))}${ms(Math.min(...walls))}${ms(Math.max(...walls))}${ms(cpus.length ? median(cpus) : undefined)}`;
  };
  const load = os
    .loadavg()
    .map((value) => value.toFixed(2))
    .join(" ");
  const lines = [
    `generate benchmark: ${catalog.families} families, ${catalog.models} models, ${fileCount} files; ${runs} runs`,
    `Node ${process.version}, ${os.availableParallelism()} CPUs, load average ${load} (1, 5, 15 min)`,
    `${"".padEnd(42)}${"wall med".padStart(9)}${"min".padStart(9)}${"max".padStart(9)}${"cpu med".padStart(9)}`,
    row("generate() in process, first run (cold)", [cold!]),
    row("generate() in process, warm", warm),
    row("node generator/launch.mjs (child process)", command),
    row("npm run generate (child process)", viaNpm),
  ];
  const wall = median(viaNpm.map((sample) => sample.wall));
  lines.push(`goal: npm run generate under ${goalMs} ms of wall time: ${wall < goalMs ? "met" : "MISSED"}`);
  process.stdout.write(`${lines.join("\n")}\n`);
  const goals = goalsTable([
    {
      measure: `npm run generate, whole catalog of ${catalog.models} models (median wall time)`,
      result: `${Math.round(wall)} ms`,
      goal: `< ${goalMs} ms`,
      met: wall < goalMs,
    },
  ]);
  writeBenchmarksSection("Generate", [latestRunLine(), "", goals, "", "```", ...lines, "```"].join("\n"));
} finally {
  await catalog.remove();
}
