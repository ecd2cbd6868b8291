/**
 * Golden generator cases: `cases/<case>/specs/*.yaml` must generate exactly `cases/<case>/expected/`
 * (every output but manifest.json and the two files that do not depend on the specs), and the
 * expected files must typecheck against the runtime's types.
 *
 * `UPDATE_GOLDEN=1 npx vitest run test/generator/golden.test.ts` rewrites `expected/` after an
 * intended generator change; review the diff before committing it.
 */
import { execFile } from "node:child_process";
import { readdirSync } from "node:fs";
import { readdir, readFile, rm, symlink } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import { describeProblems, generate } from "../../generator/generate.js";
import { readTree, repositoryRoot, writeTree } from "./helpers.js";

const casesDir = path.join(repositoryRoot, "test/generator/cases");
const caseNames = readdirSync(casesDir, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort();
const updateGolden = process.env.UPDATE_GOLDEN === "1";

/** Outputs that are the same for every case; compared with the committed `generated/` once instead. */
const specIndependent = new Set(["params.ts", "spec-types.ts"]);

async function generateCase(name: string): Promise<ReadonlyMap<string, string>> {
  const caseDir = path.join(casesDir, name);
  const result = await generate({
    specsDir: path.join(caseDir, "specs"),
    manifest: false,
    displayRoot: caseDir,
  });
  if (!result.ok) throw new Error(`case ${name}: ${describeProblems(result.problems)}`);
  return result.files;
}

const specDependent = (files: ReadonlyMap<string, string>) =>
  new Map([...files].filter(([name]) => !specIndependent.has(name)).sort(([a], [b]) => (a < b ? -1 : 1)));

const run = promisify(execFile);

/** Runs tsc 7 (`npx tsc`) on a project; returns its exit code and what it printed. */
async function runTsc(project: string): Promise<{ code: number; output: string }> {
  const tsc = path.join(repositoryRoot, "node_modules/typescript/bin/tsc");
  try {
    const { stdout, stderr } = await run(process.execPath, [tsc, "-p", project, "--pretty", "false"], {
      cwd: repositoryRoot,
    });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const failure = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failure.code ?? 1, output: `${failure.stdout ?? ""}${failure.stderr ?? ""}` };
  }
}

/** The repository's compiler options, plus preserveSymlinks so `runtime/` resolves `../generated/` to the case's. */
const caseTsconfig = {
  compilerOptions: {
    target: "ES2022",
    lib: ["ES2023"],
    module: "NodeNext",
    moduleResolution: "NodeNext",
    strict: true,
    noUncheckedIndexedAccess: true,
    noImplicitOverride: true,
    exactOptionalPropertyTypes: false,
    isolatedModules: true,
    verbatimModuleSyntax: true,
    skipLibCheck: true,
    noEmit: true,
    preserveSymlinks: true,
    types: ["node"],
  },
  include: ["generated/**/*.ts", "uses-runtime-types.ts"],
};

/** Makes the runtime's public types (KnownModelRef, ModelParams lookups) compile against the case's catalog. */
const usesRuntimeTypes = `import type { KnownModelRef, ProviderParamsOf } from "./runtime/types.js";
import type { ModelId } from "./generated/catalog.js";

export type EveryModelRef = KnownModelRef;
export type EveryModelsParams = { [M in ModelId]: ProviderParamsOf<M> };
`;

beforeAll(async () => {
  // A crashed earlier run may have left scratch folders behind.
  for (const entry of await readdir(path.join(repositoryRoot, "test/generator"))) {
    if (entry.startsWith(".tmp-"))
      await rm(path.join(repositoryRoot, "test/generator", entry), { recursive: true });
  }
});

it("has golden cases", () => {
  expect(caseNames).toEqual(
    expect.arrayContaining([
      "codec-with-tools",
      "embeddings-with-overlays",
      "rerank-with-overlays",
      "template-text-completion",
    ]),
  );
});

describe.each(caseNames)("golden case %s", (name) => {
  const caseDir = path.join(casesDir, name);
  const expectedDir = path.join(caseDir, "expected");

  it("generates expected/ byte for byte", async () => {
    const produced = specDependent(await generateCase(name));
    if (updateGolden) {
      await rm(expectedDir, { recursive: true, force: true });
      await writeTree(expectedDir, Object.fromEntries(produced));
    }
    const onDisk = await readTree(expectedDir);
    expect([...onDisk.keys()]).toEqual([...produced.keys()]);
    for (const [file, text] of produced) {
      // A string comparison first for a readable diff, then the bytes.
      expect(onDisk.get(file)?.toString("utf8"), `${name}/expected/${file}`).toBe(text);
      expect(onDisk.get(file)?.equals(Buffer.from(text, "utf8")), `${name}/expected/${file}`).toBe(true);
    }
    // Headers name the spec relative to the display root: no absolute or temp paths leak into output.
    for (const spec of readdirSync(path.join(caseDir, "specs"))) {
      const family = spec.replace(/\.yaml$/, "");
      expect(produced.get(`families/${family}.ts`)?.split("\n").slice(0, 2)).toEqual([
        `// Code generated by bedrock-forge from specs/${spec}. DO NOT EDIT.`,
        "// Edit the spec, then run `npm run generate`.",
      ]);
    }
  });

  it("expected/ typechecks against the runtime", async () => {
    const scratch = path.join(repositoryRoot, "test/generator", `.tmp-${name}`);
    await rm(scratch, { recursive: true, force: true });
    try {
      const expected = await readTree(expectedDir);
      const generated = await generateCase(name);
      const files: Record<string, string> = {
        "tsconfig.json": `${JSON.stringify(caseTsconfig, null, 2)}\n`,
        "uses-runtime-types.ts": usesRuntimeTypes,
      };
      for (const [file, bytes] of expected) files[`generated/${file}`] = bytes.toString("utf8");
      for (const file of specIndependent) files[`generated/${file}`] = generated.get(file)!;
      await writeTree(scratch, files);
      await symlink(path.join(repositoryRoot, "runtime"), path.join(scratch, "runtime"), "dir");

      const { code, output } = await runTsc(path.join(scratch, "tsconfig.json"));
      expect(output).toBe("");
      expect(code).toBe(0);
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  });
});

it("the outputs that do not depend on specs equal the committed generated/", async () => {
  const files = await generateCase(caseNames[0]!);
  for (const file of specIndependent) {
    expect(files.get(file), file).toBe(await readFile(path.join(repositoryRoot, "generated", file), "utf8"));
  }
});

it("a golden typecheck fails on a type error (the check can fail)", async () => {
  const scratch = path.join(repositoryRoot, "test/generator", ".tmp-broken");
  await rm(scratch, { recursive: true, force: true });
  try {
    await writeTree(scratch, {
      "tsconfig.json": `${JSON.stringify({ ...caseTsconfig, include: ["generated/**/*.ts"] }, null, 2)}\n`,
      "generated/catalog.ts":
        'export const catalog: Readonly<Record<string, number>> = { model: "not a number" };\n',
    });
    const { code, output } = await runTsc(path.join(scratch, "tsconfig.json"));
    expect(code).not.toBe(0);
    expect(output).toContain("error TS2322");
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
});
