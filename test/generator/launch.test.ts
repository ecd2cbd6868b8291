/**
 * `generator/launch.mjs` (what `npm run generate` runs) bundles the generator's sources once and runs the
 * bundle; a bundle whose stamp no longer matches the sources, esbuild or the launcher is rebuilt.
 */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { generateHelp } from "../../generator/main.js";
import { repositoryRoot } from "./helpers.js";

const run = promisify(execFile);
const launcher = path.join(repositoryRoot, "generator/launch.mjs");
const bundle = path.join(repositoryRoot, "node_modules/.cache/bedrock-forge/generator.mjs");
const stampPrefix = "// bedrock-forge generator bundle, built from: ";

interface Stamp {
  esbuild: string;
  launcher: string;
  inputs: Record<string, string>;
}

async function launch(...args: string[]): Promise<string> {
  const { stdout } = await run(process.execPath, [launcher, ...args], { cwd: repositoryRoot });
  return stdout;
}

async function readStamp(): Promise<Stamp> {
  const text = await readFile(bundle, "utf8");
  const firstLine = text.slice(0, text.indexOf("\n"));
  expect(firstLine.startsWith(stampPrefix)).toBe(true);
  return JSON.parse(firstLine.slice(stampPrefix.length)) as Stamp;
}

async function sha256Of(file: string): Promise<string> {
  return createHash("sha256")
    .update(await readFile(file))
    .digest("hex");
}

/** A bundle that only says it ran, under a given stamp. */
function fakeBundle(stamp: Stamp): string {
  return `${stampPrefix}${JSON.stringify(stamp)}\nexport async function runGenerate() { process.stdout.write("fake bundle ran\\n"); return 0; }\n`;
}

// One after another: they share the bundle file. The bound is for liveness on a loaded machine.
describe("generator/launch.mjs", { timeout: 120_000 }, () => {
  it("runs the generator from a bundle stamped with the hash of every source in it", async () => {
    expect(await launch("--help")).toBe(generateHelp);
    const stamp = await readStamp();
    expect(Object.keys(stamp.inputs)).toEqual(
      expect.arrayContaining(["generator/main.ts", "generator/generate.ts", "shared/yaml-source.ts"]),
    );
    for (const [input, hash] of Object.entries(stamp.inputs)) {
      expect(hash, input).toBe(await sha256Of(path.join(repositoryRoot, input)));
    }
    expect(stamp.launcher).toBe(await sha256Of(launcher));
  });

  it("runs a bundle whose stamp matches as it is, and rebuilds one whose sources changed", async () => {
    await launch("--help");
    const stamp = await readStamp();
    try {
      await writeFile(bundle, fakeBundle(stamp));
      expect(await launch("--help")).toBe("fake bundle ran\n");

      const stale = { ...stamp, inputs: { ...stamp.inputs, "generator/main.ts": "0".repeat(64) } };
      await writeFile(bundle, fakeBundle(stale));
      expect(await launch("--help")).toBe(generateHelp);
      expect(await readStamp()).toEqual(stamp);

      await writeFile(bundle, fakeBundle({ ...stamp, esbuild: "0.0.0" }));
      expect(await launch("--help")).toBe(generateHelp);
    } finally {
      // Whatever happened above, the next run builds a real bundle.
      if ((await readFile(bundle, "utf8")).includes("fake bundle ran")) await rm(bundle, { force: true });
    }
  });
});
