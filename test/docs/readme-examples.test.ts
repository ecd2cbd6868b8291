import { spawnSync } from "node:child_process";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repositoryRoot } from "../cli/run-cli.js";

/** Every ```ts block of a Markdown file, with the line it starts on. */
function typescriptBlocks(markdown: string): { line: number; code: string }[] {
  const blocks: { line: number; code: string }[] = [];
  for (const match of markdown.matchAll(/^```ts\n([\s\S]*?)^```$/gm)) {
    const line = markdown.slice(0, match.index).split("\n").length + 1;
    blocks.push({ line, code: match[1]! });
  }
  return blocks;
}

const tsc = path.join(repositoryRoot, "node_modules/typescript/bin/tsc");
let folder: string;

beforeAll(async () => {
  // Inside the repository, so the examples resolve the repository's node_modules (openai, the AWS SDK);
  // a fixed name, so a run that was killed leaves nothing the next run does not remove.
  folder = path.join(repositoryRoot, "test/docs/.examples");
  await rm(folder, { recursive: true, force: true });
  await mkdir(folder, { recursive: true });
});

afterAll(async () => {
  if (folder && !process.env.KEEP) await rm(folder, { recursive: true, force: true });
});

describe("README.md TypeScript examples", () => {
  it("typecheck against the package's sources (imported as bedrock-forge, like users do)", async () => {
    const readme = await readFile(path.join(repositoryRoot, "README.md"), "utf8");
    const blocks = typescriptBlocks(readme);
    expect(blocks.length).toBeGreaterThanOrEqual(25);
    const files: string[] = [];
    for (const block of blocks) {
      const name = `readme-line-${String(block.line).padStart(4, "0")}.ts`;
      await writeFile(path.join(folder, name), block.code);
      files.push(name);
    }
    // A canary with a known type error proves the check really runs over these files.
    await writeFile(
      path.join(folder, "canary.ts"),
      'import { createBedrock } from "bedrock-forge";\nexport const wrong: number = createBedrock();\n',
    );
    const relativeRoot = path.relative(folder, repositoryRoot);
    await writeFile(
      path.join(folder, "tsconfig.json"),
      JSON.stringify({
        extends: `${relativeRoot}/tsconfig.json`,
        compilerOptions: {
          noEmit: true,
          paths: {
            "bedrock-forge": [`${relativeRoot}/runtime/index.ts`],
            "bedrock-forge/catalog": [`${relativeRoot}/generated/index.ts`],
            "bedrock-forge/emulator": [`${relativeRoot}/emulator/index.ts`],
            "bedrock-forge/proxy": [`${relativeRoot}/proxy/index.ts`],
          },
        },
        include: [...files, "canary.ts"],
      }),
    );
    const result = spawnSync(
      process.execPath,
      [tsc, "-p", path.join(folder, "tsconfig.json"), "--pretty", "false"],
      {
        cwd: folder,
        encoding: "utf8",
      },
    );
    const errors = `${result.stdout}${result.stderr}`.split("\n").filter((line) => /error TS\d+/.test(line));
    const canaryErrors = errors.filter((line) => line.includes("canary.ts"));
    expect(canaryErrors).toHaveLength(1);
    // Each error names the README line its example starts on (readme-line-NNNN.ts).
    expect(errors.filter((line) => !line.includes("canary.ts"))).toEqual([]);
  }, 120_000);
});
