import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { explainRepositoryOnly, generatorTools, packageRoot } from "../../cli/repository.js";
import { repositoryRoot } from "./run-cli.js";

let root: string;
beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), "bedrock-forge-repository-"));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe("explainRepositoryOnly: generate and scaffold need a checkout with its development dependencies", () => {
  it("runs in this checkout", () => {
    expect(path.resolve(packageRoot)).toBe(path.resolve(repositoryRoot));
    expect(explainRepositoryOnly("generate")).toBeUndefined();
  });

  it("an installed package (no generator sources, no specs folder to edit) is told to use a checkout", () => {
    const message = explainRepositoryOnly("scaffold", root, () => true);
    expect(message).toContain("`scaffold` is a repository command");
    expect(message).toContain("clone the repository");
  });

  it("a checkout without the generator's tools names the missing ones and `npm ci`", async () => {
    await mkdir(path.join(root, "generator"));
    await writeFile(path.join(root, "generator", "main.ts"), "");
    await mkdir(path.join(root, "specs"));
    const missing = new Set(["ts-morph", "diff"]);
    expect(explainRepositoryOnly("generate", root, (name) => !missing.has(name))).toBe(
      `\`generate\` needs the generator's tools, the repository's development dependencies: ts-morph, diff are not installed. Run \`npm ci\` (or \`npm install\`) in ${root}.`,
    );
    expect(explainRepositoryOnly("generate", root, () => true)).toBeUndefined();
    // The real resolver finds none of them from an empty folder.
    expect(explainRepositoryOnly("generate", root)).toContain(generatorTools.join(", "));
  });
});
