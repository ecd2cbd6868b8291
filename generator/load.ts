import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import type { Alias, Document, LineCounter, Node } from "yaml";
import { yaml } from "./dependencies.js";

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

/** Lists the `*.yaml` spec files of a folder, sorted so every run sees them in the same order. */
export async function listSpecFiles(specsDir: string): Promise<string[]> {
  const entries = await readdir(specsDir, { withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile() && entry.name.endsWith(".yaml"))
    .map((entry) => path.join(specsDir, entry.name))
    .sort();
}

/** Parses one spec; YAML syntax errors come back as problems, never as exceptions. */
export function parseSpec(file: string, text: string): { spec?: LoadedSpec; problems: SpecProblem[] } {
  const lineCounter = new yaml.LineCounter();
  const document = yaml.parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const problemAtOffset = (offset: number, message: string): SpecProblem => {
    // `error.linePos` is only filled in with `prettyErrors`, whose messages repeat the position; count lines here.
    const position = lineCounter.linePos(offset);
    return { file, line: position.line, column: position.col, pointer: "", message: `YAML: ${message}` };
  };
  const problems = [...document.errors, ...document.warnings].map((error) =>
    problemAtOffset(error.pos[0], error.message.split("\n")[0] ?? ""),
  );
  if (document.errors.length > 0) return { problems };
  let data: unknown;
  try {
    data = document.toJS({ maxAliasCount: 100 });
  } catch (error) {
    // Unresolved aliases and alias bombs only show when the document is turned into data.
    problems.push(problemAtOffset(firstAliasOffset(document), (error as Error).message));
    return { problems };
  }
  const name = path.basename(file, ".yaml");
  const spec: LoadedSpec = { file, name, text, data, document, lineCounter };
  return { spec, problems };
}

/** Where the first alias that does not resolve is (or the first alias at all, or the start). */
function firstAliasOffset(document: Document.Parsed): number {
  const aliases: Alias[] = [];
  yaml.visit(document, {
    Alias: (_key, node) => {
      aliases.push(node);
    },
  });
  const unresolved = aliases.find((alias) => alias.resolve(document) === undefined);
  return (unresolved ?? aliases[0])?.range?.[0] ?? 0;
}

export async function loadSpecs(
  specsDir: string,
  displayRoot = process.cwd(),
): Promise<{ specs: LoadedSpec[]; problems: SpecProblem[] }> {
  const files = await listSpecFiles(specsDir);
  const specs: LoadedSpec[] = [];
  const problems: SpecProblem[] = [];
  for (const absolute of files) {
    const file = path.relative(displayRoot, absolute) || absolute;
    const text = await readFile(absolute, "utf8");
    const parsed = parseSpec(file, text);
    problems.push(...parsed.problems);
    if (parsed.spec) specs.push(parsed.spec);
  }
  return { specs, problems };
}

/** Splits an RFC 6901 pointer into its unescaped segments. */
export function pointerSegments(pointer: string): string[] {
  if (pointer === "" || pointer === "/") return [];
  return pointer
    .slice(1)
    .split("/")
    .map((segment) => segment.replaceAll("~1", "/").replaceAll("~0", "~"));
}

export function joinPointer(segments: readonly (string | number)[]): string {
  return segments
    .map((segment) => `/${String(segment).replaceAll("~", "~0").replaceAll("/", "~1")}`)
    .join("");
}

/**
 * Finds the line and column of the node at a JSON pointer; when the pointer goes past the
 * document (a missing property), the nearest existing ancestor is used.
 */
export function locate(spec: LoadedSpec, pointer: string): { line: number; column: number } {
  const { isMap, isScalar, isSeq } = yaml;
  let node: Node | null = spec.document.contents;
  let keyNode: Node | null = null;
  for (const segment of pointerSegments(pointer)) {
    if (isMap(node)) {
      const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === segment);
      if (!pair) break;
      keyNode = isScalar(pair.key) ? pair.key : null;
      node = (pair.value as Node | null) ?? keyNode;
    } else if (isSeq(node)) {
      const item = node.items[Number(segment)] as Node | undefined;
      if (!item) break;
      keyNode = null;
      node = item;
    } else {
      break;
    }
  }
  const target = keyNode ?? node;
  const offset = target?.range?.[0] ?? 0;
  const position = spec.lineCounter.linePos(offset);
  return { line: position.line, column: position.col };
}

export function problemAt(spec: LoadedSpec, pointer: string, message: string): SpecProblem {
  const { line, column } = locate(spec, pointer);
  return { file: spec.file, line, column, pointer, message };
}
