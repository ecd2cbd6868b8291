/**
 * What the runtime entry loads: every module reachable from runtime/index.ts through imports that exist at
 * run time (static and dynamic; `import type` and `export type` load nothing). The emulator halves of the
 * codec units and the native JSON Schemas are the emulator's; a runtime user must never load them.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../..", import.meta.url));

/** The specifiers a module loads at run time, from its source text. */
function runtimeSpecifiers(source: string): string[] {
  const specifiers: string[] = [];
  const declarations = /\b(import|export)\s+(type\s+)?(?:[^;"']*?\s+from\s+)?"([^"]+)"/g;
  for (const match of source.matchAll(declarations)) {
    if (match[2] === undefined) specifiers.push(match[3]!);
  }
  for (const match of source.matchAll(/\bimport\(\s*"([^"]+)"\s*\)/g)) specifiers.push(match[1]!);
  return specifiers;
}

/** Every repository module reachable from `entry` (paths relative to the repository root). */
function reachableFrom(entry: string): Set<string> {
  const seen = new Set<string>();
  const pending = [entry];
  while (pending.length > 0) {
    const file = pending.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const source = readFileSync(path.join(root, file), "utf8");
    for (const specifier of runtimeSpecifiers(source)) {
      if (!specifier.startsWith(".")) continue;
      const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), specifier));
      pending.push(target.replace(/\.js$/, ".ts"));
    }
  }
  return seen;
}

describe("the runtime's import graph", () => {
  const reached = [...reachableFrom("runtime/index.ts")].sort();

  it("reaches the runtime halves of the codecs and the family modules", () => {
    expect(reached).toContain("runtime/codecs/registry.ts");
    expect(reached).toContain("runtime/codecs/openai/index.ts");
    expect(reached).toContain("generated/families/openai-gpt-oss.ts");
  });

  it("never reaches emulator code, the codecs' emulator halves or the native schemas", () => {
    const emulatorOnly = reached.filter(
      (file) =>
        file.startsWith("emulator/") ||
        /^runtime\/codecs\/[^/]+\/emulator\.ts$/.test(file) ||
        file.startsWith("generated/native-schemas/"),
    );
    expect(emulatorOnly).toEqual([]);
    const withSchemas = reached.filter((file) =>
      readFileSync(path.join(root, file), "utf8").includes("export const nativeSchemas"),
    );
    expect(withSchemas).toEqual([]);
  });

  it("reads the loading imports of a module, and only those", () => {
    const source = [
      'import { a } from "./a.js";',
      'import type { B } from "./b.js";',
      'export { c } from "./c.js";',
      'export type { D } from "./d.js";',
      'import "./e.js";',
      'const f = () => import("./f.js");',
      'import {\n  type G,\n  h,\n} from "./g.js";',
    ].join("\n");
    expect(runtimeSpecifiers(source).sort()).toEqual(["./a.js", "./c.js", "./e.js", "./f.js", "./g.js"]);
  });
});
