// Import cycles (type-only ones included) make a module's meaning depend on load order and tie parts
// together that should change apart: the hand-written folders below have none.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { repositoryRoot } from "../cli/run-cli.js";

/** Every relative import (also `import type` and re-exports) of a TypeScript file, as resolved paths. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, "utf8");
  const targets: string[] = [];
  for (const match of text.matchAll(/\bfrom\s+"(\.{1,2}\/[^"]+)"/g)) {
    targets.push(path.resolve(path.dirname(file), match[1]!.replace(/\.js$/, ".ts")));
  }
  return targets;
}

function typescriptFiles(folder: string): string[] {
  return readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(".ts"))
    .map((entry) => path.join(entry.parentPath, entry.name));
}

/** The cycles of the import graph, each as the files on it (relative to the repository). */
function findCycles(files: readonly string[]): string[][] {
  const graph = new Map(
    files.map((file) => [file, importsOf(file).filter((target) => files.includes(target))]),
  );
  const cycles: string[][] = [];
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const visit = (file: string) => {
    state.set(file, "open");
    stack.push(file);
    for (const target of graph.get(file) ?? []) {
      if (state.get(target) === "open") {
        cycles.push(stack.slice(stack.indexOf(target)).map((item) => path.relative(repositoryRoot, item)));
      } else if (!state.has(target)) {
        visit(target);
      }
    }
    stack.pop();
    state.set(file, "done");
  };
  for (const file of files) if (!state.has(file)) visit(file);
  return cycles;
}

describe("import cycles", () => {
  it.each(["proxy", "cli", "shared", "generator"])("%s/ has none", (folder) => {
    const files = typescriptFiles(path.join(repositoryRoot, folder));
    expect(files.length).toBeGreaterThan(0);
    expect(findCycles(files)).toEqual([]);
  });

  it("finds one when there is one", () => {
    const files = typescriptFiles(path.join(repositoryRoot, "test/shared/cycle-sample"));
    expect(findCycles(files).map((cycle) => cycle.map((file) => path.basename(file)))).toEqual([
      ["a.ts", "b.ts"],
    ]);
  });
});
