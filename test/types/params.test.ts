/**
 * Keeps the type-level tests in params.test-d.ts honest: with its `@ts-expect-error` directives
 * removed, tsc must report one error per directive, on the next line, at (or inside the value of)
 * the property the directive names, and nothing else. (`npm run typecheck` checks the file as written.)
 */
import { execFile } from "node:child_process";
import { readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { expect, it } from "vitest";

const here = path.dirname(fileURLToPath(import.meta.url));
const repositoryRoot = path.resolve(here, "../..");
const run = promisify(execFile);

/** `// @ts-expect-error <name>: <why>` */
const directive = /^(\s*)\/\/ @ts-expect-error (\S+?):/;

interface Expectation {
  /** 1-based line of the code the directive guards. */
  readonly line: number;
  /** 1-based column of `name` on that line. */
  readonly column: number;
  readonly name: string;
}

function expectationsOf(lines: readonly string[]): Expectation[] {
  const expectations: Expectation[] = [];
  lines.forEach((text, index) => {
    const match = directive.exec(text);
    if (!match) return;
    const name = match[2]!;
    const target = lines[index + 1] ?? "";
    const column = target.search(new RegExp(`\\b${name}\\b`)) + 1;
    if (column === 0)
      throw new Error(`line ${index + 2} does not mention ${name}, the directive above it names it`);
    expectations.push({ line: index + 2, column, name });
  });
  return expectations;
}

it("every @ts-expect-error in params.test-d.ts fails for the param it names, and only there", async () => {
  const source = await readFile(path.join(here, "params.test-d.ts"), "utf8");
  const lines = source.split("\n");
  const malformed = lines.filter(
    (line) => line.trim().startsWith("// @ts-expect-error") && !directive.test(line),
  );
  expect(malformed).toEqual([]);
  const expectations = expectationsOf(lines);
  expect(expectations.length).toBeGreaterThanOrEqual(12);

  // Same folder, so the relative imports resolve; same line numbers, the directives blanked out.
  const stripped = `.tmp-params-${process.pid}.ts`;
  const project = `.tmp-tsconfig-${process.pid}.json`;
  try {
    await writeFile(
      path.join(here, stripped),
      lines
        .map((line) => (directive.test(line) ? line.replace(/\/\/ @ts-expect-error/, "// (removed)") : line))
        .join("\n"),
    );
    await writeFile(
      path.join(here, project),
      JSON.stringify({
        extends: "../../tsconfig.json",
        compilerOptions: { noEmit: true },
        include: [stripped],
      }),
    );
    const tsc = path.join(repositoryRoot, "node_modules/typescript/bin/tsc");
    const output = await run(process.execPath, [tsc, "-p", path.join(here, project), "--pretty", "false"], {
      cwd: repositoryRoot,
    }).then(
      () => "",
      (error: { stdout?: string }) => error.stdout ?? String(error),
    );
    const errors = [...output.matchAll(/^(.+?)\((\d+),(\d+)\): error (TS\d+): (.*)$/gm)].map((match) => ({
      file: path.basename(match[1]!),
      line: Number(match[2]),
      column: Number(match[3]),
      code: match[4],
      message: match[5],
    }));
    expect(output.trim().split("\n").length).toBe(errors.length);
    expect(errors.every((error) => error.file === stripped)).toBe(true);
    // One error per directive, on the guarded line, at the named property or inside its value.
    expect(errors.map((error) => error.line)).toEqual(expectations.map((expectation) => expectation.line));
    for (const [index, error] of errors.entries()) {
      const expectation = expectations[index]!;
      expect(error.column, `line ${error.line}: ${error.message}`).toBeGreaterThanOrEqual(expectation.column);
      // Excess-property errors name the param; a wrong value is a TS2322 inside it (TS2820 when tsc can
      // suggest the literal that was probably meant).
      if (error.code !== "TS2322" && error.code !== "TS2820")
        expect(error.message).toContain(`'${expectation.name}'`);
    }
  } finally {
    await rm(path.join(here, stripped), { force: true });
    await rm(path.join(here, project), { force: true });
  }
});
