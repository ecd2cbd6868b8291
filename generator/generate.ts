import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { FamilySpec } from "../generated/spec-types.js";
import { loadDiff } from "./dependencies.js";
import { emitCatalog, emitIndex, emitNativeSchemaIndex, emitParams } from "./emit-catalog.js";
import { createDeclarationMaker, headerLines, ModuleText, typesFromSchema } from "./emit-common.js";
import { emitFamily, emitNativeSchemas } from "./emit-family.js";
import { formatProblem, type LoadedSpec, loadSpecs, type SpecProblem, sortProblems } from "./load.js";
import { assertGeneratorOwns } from "./output-folder.js";
import { schemaPath, validateSpecs } from "./validate.js";

/** The package root, from the sources (`generator/`) or the build (`dist/generator/`). */
export const repositoryRoot = fileURLToPath(
  new URL(import.meta.url.includes("/dist/generator/") ? "../.." : "..", import.meta.url),
);

export interface GenerateOptions {
  /** Folder of `*.yaml` specs. */
  readonly specsDir: string;
  /** Root that paths in messages and headers are relative to. */
  readonly displayRoot?: string;
  /** Include `manifest.json` (hashes of specs and generator sources). */
  readonly manifest?: boolean;
}

export type GenerateResult =
  | { readonly ok: true; readonly files: ReadonlyMap<string, string>; readonly specs: readonly LoadedSpec[] }
  | { readonly ok: false; readonly problems: readonly SpecProblem[] };

function sha256(text: string | Buffer): string {
  return createHash("sha256").update(text).digest("hex");
}

/** Generates every output file in memory. Nothing is written; a bad spec yields all its problems. */
export async function generate(options: GenerateOptions): Promise<GenerateResult> {
  const displayRoot = options.displayRoot ?? process.cwd();
  const loaded = await loadSpecs(options.specsDir, displayRoot);
  const problems = sortProblems([...loaded.problems, ...validateSpecs(loaded.specs)]);
  if (problems.length > 0) return { ok: false, problems };

  const families = loaded.specs.map((spec) => spec.data as FamilySpec);
  const files = new Map<string, string>();
  const makeTypes = createDeclarationMaker();

  // Emitters print indented code as text: no compiler is loaded, no formatting pass runs over whole files.
  const emitted = (name: string, source: string, file: ModuleText) => {
    files.set(name, `${headerLines(source)}\n${file.getFullText()}`);
  };
  const familyFiles = await Promise.all(
    loaded.specs.map(async (spec) => {
      const file = new ModuleText();
      const source = path
        .relative(displayRoot, path.resolve(displayRoot, spec.file))
        .split(path.sep)
        .join("/");
      await emitFamily(file, spec.data as FamilySpec, makeTypes);
      const schemas = new ModuleText();
      emitNativeSchemas(schemas, spec.data as FamilySpec);
      return { name: spec.name, source, file, schemas };
    }),
  );
  for (const { name, source, file, schemas } of familyFiles) {
    emitted(`families/${name}.ts`, source, file);
    emitted(`native-schemas/${name}.ts`, source, schemas);
  }

  const schemaIndex = new ModuleText();
  emitNativeSchemaIndex(schemaIndex, families);
  emitted("native-schemas/index.ts", "specs/*.yaml", schemaIndex);

  const catalog = new ModuleText();
  emitCatalog(catalog, families);
  emitted("catalog.ts", "specs/*.yaml", catalog);

  const index = new ModuleText();
  emitIndex(index, families);
  emitted("index.ts", "specs/*.yaml", index);

  const params = new ModuleText();
  emitParams(params);
  emitted("params.ts", "generator/known-params.ts", params);

  const schema = JSON.parse(await readFile(schemaPath, "utf8"));
  const specTypes = await typesFromSchema(schema, "FamilySpec", { keepTitles: true });
  files.set("spec-types.ts", `${headerLines("specs/schema/family.schema.json")}\n${specTypes}\n`);

  if (options.manifest !== false) {
    files.set("manifest.json", await buildManifest(loaded.specs, displayRoot));
  }
  return {
    ok: true,
    files: new Map([...files].map(([name, text]) => [name, normalize(text)])),
    specs: loaded.specs,
  };
}

/** One trailing newline, no trailing spaces: outputs compare byte for byte. */
function normalize(text: string): string {
  // Most files have no trailing spaces; finding that out is much cheaper than a multiline replace
  // (whose `$` is also before \r, U+2028 and U+2029).
  const trimmed = /[ \t][\n\r\u2028\u2029]/.test(text) ? text.replace(/[ \t]+$/gm, "") : text;
  return `${trimmed.trimEnd()}\n`;
}

async function buildManifest(specs: readonly LoadedSpec[], displayRoot: string): Promise<string> {
  const generatorDir = path.join(repositoryRoot, "generator");
  const generatorFiles = (await readdir(generatorDir)).filter((name) => name.endsWith(".ts")).sort();
  const generator: Record<string, string> = {};
  for (const name of generatorFiles)
    generator[`generator/${name}`] = sha256(await readFile(path.join(generatorDir, name)));
  // The YAML reader the spec loader shares with the proxy's config loader.
  generator["shared/yaml-source.ts"] = sha256(
    await readFile(path.join(repositoryRoot, "shared/yaml-source.ts")),
  );
  generator["specs/schema/family.schema.json"] = sha256(await readFile(schemaPath));
  const specHashes: Record<string, string> = {};
  for (const spec of [...specs].sort((a, b) => (a.file < b.file ? -1 : 1))) {
    specHashes[path.relative(displayRoot, path.resolve(displayRoot, spec.file)).split(path.sep).join("/")] =
      sha256(spec.text);
  }
  return `${JSON.stringify({ generator, specs: specHashes }, null, 2)}\n`;
}

async function readTree(dir: string, prefix = ""): Promise<Map<string, string>> {
  const result = new Map<string, string>();
  if (!existsSync(dir)) return result;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) {
      for (const [name, text] of await readTree(path.join(dir, entry.name), relative)) result.set(name, text);
    } else {
      result.set(relative, await readFile(path.join(dir, entry.name), "utf8"));
    }
  }
  return result;
}

/** Compares generated files with a folder; returns a readable unified diff per stale file (empty when in sync). */
export async function diffAgainst(
  outDir: string,
  files: ReadonlyMap<string, string>,
  label = "generated",
): Promise<string[]> {
  const onDisk = await readTree(outDir);
  const names = [...new Set([...files.keys(), ...onDisk.keys()])].sort();
  const diffs: string[] = [];
  for (const name of names) {
    const expected = files.get(name);
    const actual = onDisk.get(name);
    if (expected === actual) continue;
    diffs.push(
      loadDiff().createTwoFilesPatch(
        `${label}/${name} (on disk)`,
        `${label}/${name} (from specs)`,
        actual ?? "",
        expected ?? "",
        actual === undefined ? "missing" : "",
        expected === undefined ? "should not exist" : "",
        { context: 2 },
      ),
    );
  }
  return diffs;
}

/**
 * Writes into a temporary sibling folder, then swaps it in, so a failure never leaves `outDir`
 * half-written. A folder holding anything the generator did not write is refused (ForeignOutputError)
 * before anything is written: the swap would delete it.
 */
export async function writeOutput(outDir: string, files: ReadonlyMap<string, string>): Promise<void> {
  await assertGeneratorOwns(outDir);
  const parent = path.dirname(path.resolve(outDir));
  const base = path.basename(outDir);
  const staging = path.join(parent, `.${base}.staging-${process.pid}`);
  const previous = path.join(parent, `.${base}.previous-${process.pid}`);
  await rm(staging, { recursive: true, force: true });
  try {
    for (const [name, text] of files) {
      const target = path.join(staging, name);
      await mkdir(path.dirname(target), { recursive: true });
      await writeFile(target, text);
    }
    const hadPrevious = existsSync(outDir);
    if (hadPrevious) await rename(outDir, previous);
    try {
      await rename(staging, outDir);
    } catch (error) {
      if (hadPrevious) await rename(previous, outDir);
      throw error;
    }
    if (hadPrevious) await rm(previous, { recursive: true, force: true });
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

export function describeProblems(problems: readonly SpecProblem[]): string {
  const lines = problems.map(formatProblem);
  return `${lines.join("\n")}\n${problems.length} problem${problems.length === 1 ? "" : "s"} found; nothing was written.`;
}
