import { cp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import fc from "fast-check";
import { IndentationText, NewLineKind, Project, QuoteKind } from "ts-morph";
import { afterEach, describe, expect, it } from "vitest";
import { isMap, parseDocument, visit } from "yaml";
import type { FamilySpec } from "../../generated/spec-types.js";
import { emitCatalog, emitIndex } from "../../generator/emit-catalog.js";
import { generate } from "../../generator/generate.js";
import { loadSpecs } from "../../generator/load.js";
import { runGenerate } from "../../generator/main.js";
import { captureOutput, createTempDir, readTree, repositoryRoot, writeTree } from "./helpers.js";

const specsDir = path.join(repositoryRoot, "specs");

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function tempDir(prefix: string): Promise<string> {
  const dir = await createTempDir(prefix);
  cleanups.push(dir.remove);
  return dir.path;
}

async function generateOk(specs: string, displayRoot: string, manifest = false) {
  const result = await generate({ specsDir: specs, displayRoot, manifest });
  if (!result.ok) throw new Error(JSON.stringify(result.problems, null, 2));
  return result.files;
}

/** The real specs, as file name -> text. */
async function realSpecTexts(): Promise<Record<string, string>> {
  const texts: Record<string, string> = {};
  for (const name of (await readdir(specsDir)).filter((file) => file.endsWith(".yaml"))) {
    texts[name] = await readFile(path.join(specsDir, name), "utf8");
  }
  return texts;
}

/** Deterministic pseudo-random numbers in [0, 1) from a seed (mulberry32). */
function randomFrom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffle<T>(items: T[], random: () => number): T[] {
  for (let index = items.length - 1; index > 0; index--) {
    const other = Math.floor(random() * (index + 1));
    [items[index], items[other]] = [items[other]!, items[index]!];
  }
  return items;
}

/** The same YAML with the keys of every mapping (block and flow) in a shuffled order; sequences keep theirs. */
function shuffleKeys(text: string, random: () => number): string {
  const document = parseDocument(text);
  visit(document, {
    Map: (_key, node) => {
      if (isMap(node)) shuffle(node.items, random);
    },
  });
  return document.toString({ lineWidth: 0 });
}

let referenceRun: ReturnType<typeof generateOk> | undefined;
/** The files generated from the repository's specs (no manifest), made once and shared by the tests below. */
function reference(): ReturnType<typeof generateOk> {
  referenceRun ??= generateOk(specsDir, repositoryRoot);
  return referenceRun;
}

// Each test runs the whole generator over the catalog two or three times; on a loaded 2-core machine one run
// can take over ten seconds, so the bound is generous (liveness, not speed: bench:generate measures speed).
const generatorRuns = { timeout: 120_000 };

describe("deterministic generation", generatorRuns, () => {
  it("gives byte-identical files on every run, manifest included", async () => {
    const first = await generateOk(specsDir, repositoryRoot, true);
    const second = await generateOk(specsDir, repositoryRoot, true);
    expect([...second]).toEqual([...first]);
    const modules = Object.keys(await realSpecTexts()).flatMap((name) => [
      `families/${name.replace(/\.yaml$/, ".ts")}`,
      `native-schemas/${name.replace(/\.yaml$/, ".ts")}`,
    ]);
    const shared = ["catalog.ts", "index.ts", "manifest.json", "native-schemas/index.ts", "params.ts"];
    expect([...first.keys()].sort()).toEqual([...modules, ...shared, "spec-types.ts"].sort());
  });

  it("does not depend on the order spec files are written in", async () => {
    // The repository's files were written in their own order; these are written in the reverse one.
    const texts = Object.entries(await realSpecTexts());
    const backward = await tempDir("order-backward");
    for (const [name, text] of [...texts].reverse()) await writeTree(backward, { [`specs/${name}`]: text });
    const a = await reference();
    const b = await generateOk(path.join(backward, "specs"), backward);
    expect(new Map([...b].sort())).toEqual(new Map([...a].sort()));
  });

  it("emits the catalog and index the same for any order of families", async () => {
    const { specs, problems } = await loadSpecs(specsDir, repositoryRoot);
    expect(problems).toEqual([]);
    const families = specs.map((spec) => spec.data as FamilySpec);
    expect(families.length).toBeGreaterThanOrEqual(3);
    const project = new Project({
      useInMemoryFileSystem: true,
      manipulationSettings: {
        indentationText: IndentationText.TwoSpaces,
        newLineKind: NewLineKind.LineFeed,
        quoteKind: QuoteKind.Double,
      },
    });
    let run = 0;
    const emit = (list: readonly FamilySpec[]) => {
      run += 1;
      const catalog = project.createSourceFile(`/catalog-${run}.ts`);
      emitCatalog(catalog, list);
      const index = project.createSourceFile(`/index-${run}.ts`);
      emitIndex(index, list);
      return [catalog.getFullText(), index.getFullText()];
    };
    const reference = emit(families);
    fc.assert(
      fc.property(fc.shuffledSubarray(families, { minLength: families.length }), (shuffled) => {
        // Models within each family shuffled too: the catalog sorts them.
        const withShuffledModels = shuffled.map((family, index) => ({
          ...family,
          models: shuffle([...family.models], randomFrom(index + 1)) as FamilySpec["models"],
        }));
        expect(emit(withShuffledModels)).toEqual(reference);
      }),
      { numRuns: 25 },
    );
  });

  it.each([1, 2, 3])("does not depend on the order of YAML keys (shuffle seed %i)", async (seed) => {
    const texts = await realSpecTexts();
    const shuffled = await tempDir("keys-shuffled");
    const random = randomFrom(seed);
    for (const [name, text] of Object.entries(texts)) {
      await writeTree(shuffled, { [`specs/${name}`]: shuffleKeys(text, random) });
    }
    // The shuffle must really move keys, or this test proves nothing.
    const first = await readFile(path.join(shuffled, "specs/anthropic-claude-messages.yaml"), "utf8");
    expect(first).not.toBe(texts["anthropic-claude-messages.yaml"]);
    const a = await reference();
    const b = await generateOk(path.join(shuffled, "specs"), shuffled);
    expect([...b.keys()].sort()).toEqual([...a.keys()].sort());
    for (const [name, text] of a) expect(b.get(name), name).toBe(text);
  });
});

describe("drift check", generatorRuns, () => {
  it("fails with a unified diff naming the edited file, and passes after regenerating", async () => {
    const out = path.join(await tempDir("drift"), "generated");
    await cp(path.join(repositoryRoot, "generated"), out, { recursive: true });
    const family = (await readdir(path.join(out, "families"))).sort()[0]!;
    const edited = path.join(out, "families", family);
    const original = await readFile(edited, "utf8");
    const header = "// Edit the spec, then run `npm run generate`.\n";
    expect(original.split("\n")[1]).toBe(header.trimEnd());
    await writeFile(edited, original.replace(header, "// Edited by hand.\n"));

    const stale = captureOutput();
    expect(await runGenerate(["--check", "--out", out], stale.io)).toBe(1);
    const label = path.relative(process.cwd(), out);
    const diff = stale.stderr();
    expect(diff).toContain(`--- ${label}/families/${family} (on disk)\n`);
    expect(diff).toContain(`+++ ${label}/families/${family} (from specs)\n`);
    expect(diff).toContain(
      [
        "@@ -1,4 +1,4 @@",
        ` ${original.split("\n")[0]}`,
        "-// Edited by hand.",
        "+// Edit the spec, then run `npm run generate`.",
        " ",
      ].join("\n"),
    );
    expect(diff).toContain("1 generated file(s) are stale. Run `npm run generate` and commit the result.");
    expect(diff).not.toContain("catalog.ts");
    expect(stale.stdout()).toBe("");

    const write = captureOutput();
    expect(await runGenerate(["--out", out], write.io)).toBe(0);
    const specCount = Object.keys(await realSpecTexts()).length;
    expect(write.stdout()).toMatch(
      new RegExp(`^Generated ${2 * specCount + 6} files from ${specCount} specs into .+ in \\d+ ms\\.\n$`),
    );
    expect(await readTree(out)).toEqual(await readTree(path.join(repositoryRoot, "generated")));

    const fresh = captureOutput();
    expect(await runGenerate(["--check", "--out", out], fresh.io)).toBe(0);
    expect(fresh.stdout()).toBe(
      `${label}/ is up to date (${2 * specCount + 6} files, ${specCount} specs).\n`,
    );
    expect(fresh.stderr()).toBe("");
  });

  it("reports a missing file and a file that should not exist", async () => {
    const out = path.join(await tempDir("drift-files"), "generated");
    await cp(path.join(repositoryRoot, "generated"), out, { recursive: true });
    await rm(path.join(out, "index.ts"));
    await writeFile(path.join(out, "families/retired-family.ts"), "export {};\n");

    const output = captureOutput();
    expect(await runGenerate(["--check", "--out", out], output.io)).toBe(1);
    const label = path.relative(process.cwd(), out);
    expect(output.stderr()).toContain(`--- ${label}/families/retired-family.ts (on disk)\n`);
    expect(output.stderr()).toContain(
      `+++ ${label}/families/retired-family.ts (from specs)\tshould not exist\n`,
    );
    expect(output.stderr()).toContain(`--- ${label}/index.ts (on disk)\tmissing\n`);
    expect(output.stderr()).toContain("2 generated file(s) are stale.");
  });
});
