/**
 * The spec validator kept between runs (ajv's standalone code in a cache folder) must judge specs exactly
 * as the validator ajv compiles: same verdict, same errors (their data and schema included, which the
 * error messages are built from).
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadSpecs } from "../../generator/load.js";
import { loadSpecValidator, schemaPath } from "../../generator/validate.js";
import { createTempDir, repositoryRoot } from "./helpers.js";

type Json = unknown;

let cacheDir: { path: string; remove(): Promise<void> };
let specs: Json[];
const schemaText = readFileSync(schemaPath, "utf8");
const schema = JSON.parse(schemaText) as Record<string, unknown>;

beforeAll(async () => {
  cacheDir = await createTempDir("spec-validator");
  const loaded = await loadSpecs(path.join(repositoryRoot, "specs"), repositoryRoot);
  specs = loaded.specs.map((spec) => spec.data);
});
afterAll(() => cacheDir.remove());

/** Every path (keys and indexes) into a value, its root included. */
function pathsOf(value: Json, prefix: (string | number)[] = []): (string | number)[][] {
  const paths = [prefix];
  if (Array.isArray(value)) value.forEach((item, index) => paths.push(...pathsOf(item, [...prefix, index])));
  else if (value !== null && typeof value === "object")
    for (const [key, item] of Object.entries(value)) paths.push(...pathsOf(item, [...prefix, key]));
  return paths;
}

/** A deep copy of `value` with the value at `at` replaced (or removed when `replacement` is undefined). */
function withValueAt(value: Json, at: readonly (string | number)[], replacement: Json): Json {
  const copy = structuredClone(value) as Record<string | number, Json>;
  if (at.length === 0) return replacement;
  let parent = copy;
  for (const segment of at.slice(0, -1)) parent = parent[segment] as Record<string | number, Json>;
  const last = at.at(-1)!;
  if (replacement === undefined && !Array.isArray(parent)) delete parent[last];
  else parent[last] = replacement;
  return copy;
}

/** What a validation run gives: the verdict and the errors. */
function judge(validate: ReturnType<typeof loadSpecValidator>, data: Json) {
  const valid = validate(data);
  return { valid, errors: validate.errors ?? null };
}

describe("the spec validator kept between runs", () => {
  it("is written on the first run and loaded from the cache folder on the next", () => {
    const compiled = loadSpecValidator(schema, schemaText, cacheDir.path);
    const files = readdirSync(cacheDir.path).filter((name) => name.endsWith(".cjs"));
    expect(files).toHaveLength(1);
    const loaded = loadSpecValidator(schema, schemaText, cacheDir.path);
    expect(loaded).not.toBe(compiled);
    expect(readFileSync(path.join(cacheDir.path, files[0]!), "utf8")).toContain("module.exports");
  });

  it("judges the real specs and any one-place edit of them exactly as the compiled validator", () => {
    const compiled = loadSpecValidator(schema, schemaText, path.join(cacheDir.path, "fresh"));
    const loaded = loadSpecValidator(schema, schemaText, path.join(cacheDir.path, "fresh"));
    for (const spec of specs) expect(judge(loaded, spec)).toEqual({ valid: true, errors: null });
    let rejected = 0;
    fc.assert(
      fc.property(
        fc.nat({ max: specs.length - 1 }).chain((index) =>
          fc.record({
            index: fc.constant(index),
            at: fc.constantFrom(...pathsOf(specs[index])),
            replacement: fc.oneof(
              fc.constant(undefined),
              fc.jsonValue({ maxDepth: 2 }),
              fc.constantFrom("", "/x", -1, 1.5, [], {}),
            ),
          }),
        ),
        ({ index, at, replacement }) => {
          const data = withValueAt(specs[index], at, replacement);
          const expected = judge(compiled, data);
          if (!expected.valid) rejected += 1;
          expect(judge(loaded, data)).toEqual(expected);
        },
      ),
      { numRuns: 300 },
    );
    // Many edits must break the spec (about half do), or the errors were hardly compared.
    expect(rejected).toBeGreaterThan(75);
  });

  it("compiles the schema again when the kept code cannot be loaded", () => {
    const dir = path.join(cacheDir.path, "broken");
    loadSpecValidator(schema, schemaText, dir);
    const [file] = readdirSync(dir);
    writeFileSync(path.join(dir, file!), "this is not JavaScript");
    const validate = loadSpecValidator(schema, schemaText, dir);
    expect(judge(validate, specs[0])).toEqual({ valid: true, errors: null });
    expect(judge(validate, {}).valid).toBe(false);
    // …and keeps working code in its place.
    expect(existsSync(path.join(dir, file!))).toBe(true);
    expect(readFileSync(path.join(dir, file!), "utf8")).toContain("module.exports");
  });
});
