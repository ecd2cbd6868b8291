import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanEnvironment, repositoryRoot } from "../cli/run-cli.js";
import { readPng } from "./png.js";

const tsx = fileURLToPath(new URL("../../node_modules/tsx/dist/cli.mjs", import.meta.url));

function runDemo(args: readonly string[], env: NodeJS.ProcessEnv = cleanEnvironment()) {
  return new Promise<{ code: number | null; stdout: string; stderr: string; milliseconds: number }>(
    (resolve, reject) => {
      const started = performance.now();
      const child = spawn(process.execPath, [tsx, "demo/main.ts", ...args], { cwd: repositoryRoot, env });
      let stdout = "";
      let stderr = "";
      child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
        stdout += chunk;
      });
      child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
        stderr += chunk;
      });
      const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
      child.on("error", reject);
      child.on("close", (code) => {
        clearTimeout(timer);
        resolve({ code, stdout, stderr, milliseconds: performance.now() - started });
      });
    },
  );
}

/** The lines of one numbered section of the demo's output. */
function section(output: string, number: number): string[] {
  const lines = output.split("\n");
  const start = lines.findIndex((line) => line.startsWith(`── ${number}. `));
  if (start < 0) return [];
  const end = lines.findIndex(
    (line, index) => index > start && (line.startsWith("── ") || line.startsWith("Total cost")),
  );
  return lines.slice(start, end < 0 ? undefined : end);
}

let outDir: string;
let run: Awaited<ReturnType<typeof runDemo>>;

beforeAll(async () => {
  outDir = await mkdtemp(path.join(os.tmpdir(), "bedrock-forge-demo-"));
  run = await runDemo(["--out-dir", outDir]);
}, 90_000);

afterAll(async () => {
  await rm(outDir, { recursive: true, force: true });
});

describe("npm run demo (offline)", () => {
  it("runs through the built-in emulator in well under a minute, without errors", () => {
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(
      /^bedrock-forge demo · offline: built-in Bedrock emulator at http:\/\/127\.0\.0\.1:\d+\n/,
    );
    expect(run.stdout).not.toContain("failed:");
    expect(run.milliseconds).toBeLessThan(30_000);
  });

  it("prints a chat answer with tokens and cost", () => {
    const lines = section(run.stdout, 1);
    expect(lines[0]).toMatch(/^── 1\. Chat · \S+$/);
    expect(lines.some((line) => /\S/.test(line) && !line.startsWith("──") && !line.includes("tokens:"))).toBe(
      true,
    );
    expect(lines).toContainEqual(
      expect.stringMatching(/^ {3}tokens: [1-9]\d* in \/ [1-9]\d* out · cost: \$0\.\d+$/),
    );
  });

  it("prints the streamed chat as it arrives, with the chunk count, tokens and cost", () => {
    const lines = section(run.stdout, 2);
    expect(lines[0]).toMatch(/^── 2\. Streamed chat · \S+$/);
    expect(lines).toContainEqual(expect.stringMatching(/^ {3}\((\d+) chunks\)$/));
    const chunks = Number(/\((\d+) chunks\)/.exec(lines.join("\n"))![1]);
    expect(chunks).toBeGreaterThan(1);
    expect(lines).toContainEqual(
      expect.stringMatching(/^ {3}tokens: [1-9]\d* in \/ [1-9]\d* out · cost: \$0\.\d+$/),
    );
  });

  it("prints the tool call, the tool result and the final answer, each call with tokens and cost", () => {
    const lines = section(run.stdout, 3);
    expect(lines[0]).toMatch(/^── 3\. Tool call · \S+$/);
    const call = lines.findIndex((line) => /^ {3}→ tool call get_weather\(\{.*\}\) {2}\[\S+\]$/.test(line));
    const result = lines.findIndex((line) => line.startsWith("   ← tool result {"));
    expect(call).toBeGreaterThan(0);
    expect(result).toBeGreaterThan(call);
    // Offline, the arguments come from the emulator, and the demo says so.
    const note = lines.indexOf(
      "   (the emulator's tool arguments are synthetic, made to fit the tool's schema; try --live)",
    );
    expect(note).toBeGreaterThan(call);
    expect(note).toBeLessThan(result);
    const usages = lines.filter((line) => /^ {3}tokens: \d+ in \/ \d+ out · cost: \$0\.\d+$/.test(line));
    expect(usages).toHaveLength(2);
    expect(lines.slice(result + 1).some((line) => line.startsWith("   ") && !line.includes("tokens:"))).toBe(
      true,
    );
  });

  it("prints embeddings with their dimensions, tokens and cost", () => {
    const lines = section(run.stdout, 4);
    expect(lines[0]).toMatch(/^── 4\. Embedding · \S+$/);
    expect(lines.filter((line) => /→ \d+ dims \[/.test(line))).toHaveLength(2);
    expect(lines).toContainEqual(expect.stringMatching(/^ {3}tokens: [1-9]\d* · cost: \$0\.\d+$/));
  });

  it("writes the generated image as a valid PNG and prints its size and cost", async () => {
    const lines = section(run.stdout, 5);
    expect(lines[0]).toMatch(/^── 5\. Image · \S+$/);
    const wrote = lines.find((line) => line.startsWith("   wrote "));
    expect(wrote).toMatch(/demo\.png \(PNG \d+x\d+, \d+ bytes\)$/);
    const png = readPng(await readFile(path.join(outDir, "demo.png")));
    expect(wrote).toContain(`PNG ${png.width}x${png.height}`);
    expect(lines).toContain(
      "   (the emulator's image is a synthetic pattern, not a picture of the prompt; try --live)",
    );
    expect(lines).toContainEqual(expect.stringMatching(/^ {3}images: 1 · cost: \$0\.\d+$/));
  });

  it("ends with the total cost", () => {
    expect(run.stdout).toMatch(/\nTotal cost: \$0\.\d+ · \d+\.\d s\n/);
  });
});

describe("npm run demo -- --live", () => {
  const offline = {
    HOME: "/nonexistent",
    AWS_CONFIG_FILE: "/nonexistent",
    AWS_SHARED_CREDENTIALS_FILE: "/nonexistent",
  };

  it("fails clearly without a region (exit 2)", async () => {
    const result = await runDemo(["--live"], cleanEnvironment(offline));
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("--live needs a region: set AWS_REGION");
    expect(result.stdout).toBe("");
  }, 60_000);

  it("fails clearly without credentials (exit 2), before any call", async () => {
    const result = await runDemo(["--live", "--region", "us-east-1"], cleanEnvironment(offline));
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("--live needs AWS credentials and none were found");
    expect(result.stdout).toBe("");
  }, 60_000);
});
