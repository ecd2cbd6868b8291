import { readdir, readFile, stat } from "node:fs/promises";
import path from "node:path";
import type { Document, LineCounter } from "yaml";
import {
  joinPointer,
  parseYamlSource,
  pointerSegments,
  positionOfPointer,
  readYamlData,
  type YamlLimits,
  type YamlReadProblem,
} from "../shared/yaml-source.js";

export { joinPointer, pointerSegments };

/** One spec file as parsed: its data plus what is needed to point at a line and column. */
export interface LoadedSpec {
  /** Path shown in messages, relative to the working directory (e.g. `specs/meta-llama3.yaml`). */
  readonly file: string;
  /** Spec file name without extension; must equal the `family` field. */
  readonly name: string;
  readonly text: string;
  readonly data: unknown;
  readonly document: Document.Parsed;
  readonly lineCounter: LineCounter;
}

/** A problem found in a spec, located by file, line, column and JSON pointer. */
export interface SpecProblem {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly pointer: string;
  readonly message: string;
}

export function formatProblem(problem: SpecProblem): string {
  return `${problem.file}:${problem.line}:${problem.column} ${problem.pointer || "/"}: ${problem.message}`;
}

/** Orders problems as a reader meets them: by file, then line, then column (stable within a position). */
export function sortProblems(problems: readonly SpecProblem[]): SpecProblem[] {
  return [...problems].sort(
    (a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) || a.line - b.line || a.column - b.column,
  );
}

/**
 * How large and how deep a spec may be before it is parsed. The largest spec is about 33 KB and 20 levels
 * deep; without limits a 50 MB spec kept the parser busy for minutes and then overflowed the stack.
 */
export const specLimits: YamlLimits = { maxBytes: 2 * 1024 * 1024, maxDepth: 64 };

/**
 * Lists the `*.yaml` spec files of a folder, sorted so every run sees them in the same order. Symbolic
 * links are followed (a spec shared between checkouts is still read); one whose target is missing or is
 * not a file comes back in `unreadable` with the reason, never silently skipped.
 */
export async function findSpecFiles(
  specsDir: string,
): Promise<{ files: string[]; unreadable: { file: string; reason: string }[] }> {
  const entries = await readdir(specsDir, { withFileTypes: true });
  const files: string[] = [];
  const unreadable: { file: string; reason: string }[] = [];
  for (const entry of entries) {
    if (!entry.name.endsWith(".yaml")) continue;
    const file = path.join(specsDir, entry.name);
    if (entry.isFile()) files.push(file);
    else if (entry.isSymbolicLink()) {
      const reason = await symlinkProblem(file);
      if (reason === undefined) files.push(file);
      else unreadable.push({ file, reason });
    }
  }
  return { files: files.sort(), unreadable: unreadable.sort((a, b) => (a.file < b.file ? -1 : 1)) };
}

/** Why a symbolic link cannot be read as a spec, or undefined when it leads to a file. */
async function symlinkProblem(file: string): Promise<string | undefined> {
  try {
    const target = await stat(file);
    return target.isFile() ? undefined : "a symbolic link to something that is not a file";
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === "ENOENT"
      ? "a symbolic link whose target does not exist"
      : `cannot follow the link (${code})`;
  }
}

/** The `*.yaml` spec files of a folder (symbolic links to files included), sorted. */
export async function listSpecFiles(specsDir: string): Promise<string[]> {
  return (await findSpecFiles(specsDir)).files;
}

function specProblem(problem: YamlReadProblem): SpecProblem {
  return {
    file: problem.file,
    line: problem.line,
    column: problem.column,
    pointer: "",
    message: problem.message,
  };
}

/**
 * Parses one spec; YAML problems come back as problems, never as exceptions: a file too large or too
 * deep, else the first syntax error only (the ones after it are mostly its echoes), else warnings.
 */
export function parseSpec(file: string, text: string): { spec?: LoadedSpec; problems: SpecProblem[] } {
  const parsed = parseYamlSource(file, text, specLimits);
  if ("problem" in parsed) return { problems: [specProblem(parsed.problem)] };
  const problems = parsed.warnings.map(specProblem);
  const read = readYamlData(parsed.source);
  if ("problem" in read) return { problems: [...problems, specProblem(read.problem)] };
  const { document, lineCounter } = parsed.source;
  const name = path.basename(file, ".yaml");
  const spec: LoadedSpec = { file, name, text, data: read.data, document, lineCounter };
  return { spec, problems };
}

export async function loadSpecs(
  specsDir: string,
  displayRoot = process.cwd(),
): Promise<{ specs: LoadedSpec[]; problems: SpecProblem[] }> {
  const { files, unreadable } = await findSpecFiles(specsDir);
  const specs: LoadedSpec[] = [];
  const display = (absolute: string) => path.relative(displayRoot, absolute) || absolute;
  const problems: SpecProblem[] = unreadable.map(({ file, reason }) => ({
    file: display(file),
    line: 1,
    column: 1,
    pointer: "",
    message: `cannot read the spec: ${reason}`,
  }));
  // Read together (the reads wait on the disk, not the CPU), parsed one after another in order.
  const texts = await Promise.all(
    files.map((absolute) =>
      readFile(absolute, "utf8").then(
        (text) => ({ text }),
        (error: unknown) => ({ error }),
      ),
    ),
  );
  files.forEach((absolute, index) => {
    const file = display(absolute);
    const read = texts[index]!;
    if ("error" in read) {
      problems.push({
        file,
        line: 1,
        column: 1,
        pointer: "",
        message: `cannot read the spec: ${String(read.error)}`,
      });
      return;
    }
    const parsed = parseSpec(file, read.text);
    problems.push(...parsed.problems);
    if (parsed.spec) specs.push(parsed.spec);
  });
  return { specs, problems };
}

/**
 * Finds the line and column of the node at a JSON pointer (a map entry's key); when the pointer goes
 * past the document (a missing property), the nearest existing ancestor is used.
 */
export function locate(spec: LoadedSpec, pointer: string): { line: number; column: number } {
  return positionOfPointer(
    { file: spec.file, document: spec.document, lineCounter: spec.lineCounter },
    pointer,
  );
}

export function problemAt(spec: LoadedSpec, pointer: string, message: string): SpecProblem {
  const { line, column } = locate(spec, pointer);
  return { file: spec.file, line, column, pointer, message };
}
