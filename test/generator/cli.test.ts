import { execFile } from "node:child_process";
import { readdir } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { generateHelp } from "../../generator/main.js";
import { runCli } from "../cli/run-cli.js";
import { createTempDir, readTree, repositoryRoot, writeTree } from "./helpers.js";

const run = promisify(execFile);
const bin = path.join(repositoryRoot, "bin/bedrock-forge.js");

/** Runs `node bin/bedrock-forge.js ...args` in the repository; returns exit code and output. */
async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [bin, ...args], { cwd: repositoryRoot });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failure = error as { code?: number; stdout?: string; stderr?: string };
    if (typeof failure.code !== "number") throw error;
    return { code: failure.code, stdout: failure.stdout ?? "", stderr: failure.stderr ?? "" };
  }
}

// `--help` and an unknown command run the executable as a child process; the rest run the same command
// line in-process (test/cli/run-cli.ts). The bound is for liveness only, on a loaded machine.
describe.concurrent("bedrock-forge generate", { timeout: 120_000 }, () => {
  it("--help prints the usage and exits 0", async () => {
    const result = await cli("generate", "--help");
    expect(result).toEqual({ code: 0, stdout: generateHelp, stderr: "" });
    expect(result.stdout).toContain("Usage: bedrock-forge generate [--check] [--specs DIR] [--out DIR]");
  });

  it("--check passes on the committed generated/ and writes nothing", async () => {
    const before = await readTree(path.join(repositoryRoot, "generated"));
    const specs = (await readdir(path.join(repositoryRoot, "specs"))).filter((name) =>
      name.endsWith(".yaml"),
    );
    // In process: `npm run check:generated` runs the same command as a child process in every `npm test`.
    const result = await runCli(["generate", "--check"]);
    // Every spec gives a family module and a native-schemas module; catalog, index, params, spec-types,
    // manifest and the native-schemas index come on top.
    const summary = `generated/ is up to date (${2 * specs.length + 6} files, ${specs.length} specs).\n`;
    expect(result).toEqual({ code: 0, stdout: summary, stderr: "" });
    expect(await readTree(path.join(repositoryRoot, "generated"))).toEqual(before);
  });

  it.each([
    [["generate", "--bogus"], "bedrock-forge generate: Unknown option '--bogus'"],
    [["generate", "--out"], "bedrock-forge generate: Option '--out <value>' argument missing"],
    [["generate", "specs"], "bedrock-forge generate: Unexpected argument 'specs'"],
  ])("bad usage %j exits 2 with the reason and the help", async (args, reason) => {
    const result = await runCli(args);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr.startsWith(reason)).toBe(true);
    expect(result.stderr.endsWith(generateHelp)).toBe(true);
  });

  it("an unknown command exits 2", async () => {
    const result = await cli("generat");
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^bedrock-forge: unknown command "generat"\n/);
    expect(result.stderr).toContain("  generate  ");
  });

  it("--check on an invalid spec exits 1 and lists its problems", async () => {
    const dir = await createTempDir("cli");
    const result = await writeTree(dir.path, { "specs/broken.yaml": "family: broken\nprovider: demo\n" })
      .then(() => runCli(["generate", "--check", "--specs", path.join(dir.path, "specs")]))
      .finally(dir.remove);
    const file = path.relative(repositoryRoot, path.join(dir.path, "specs/broken.yaml"));
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toBe(
      [
        `${file}:1:1 /: missing required property "title"`,
        `${file}:1:1 /: missing required property "sources"`,
        `${file}:1:1 /: missing required property "operations"`,
        `${file}:1:1 /: missing required property "routes"`,
        `${file}:1:1 /: missing required property "models"`,
        "5 problems found; nothing was written.",
        "",
      ].join("\n"),
    );
  });
});
