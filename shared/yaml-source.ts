/**
 * YAML read with its source positions: the one place where every YAML file the project reads (the
 * specs, the proxy's `config.yaml`) is parsed, bounded, and where a JSON pointer into its data is turned
 * back into `file:line:column`. The spec loader and the proxy config loader both build their error
 * messages from it.
 */
import { createRequire } from "node:module";
import type { Document, LineCounter, Node } from "yaml";

/**
 * `yaml` is CommonJS: loaded with `require` so that the generator, which runs under tsx, does not send
 * every file of it through the ESM loader hooks (see generator/dependencies.ts).
 */
const yaml: typeof import("yaml") = createRequire(import.meta.url)("yaml");

/** A parsed YAML document with what is needed to point at a line and column of it. */
export interface YamlSource {
  /** The file as shown in messages. */
  readonly file: string;
  readonly document: Document.Parsed;
  readonly lineCounter: LineCounter;
}

/** A 1-based line and column. */
export interface SourcePosition {
  readonly line: number;
  readonly column: number;
}

/** A problem found while reading a YAML file: where it is and what it is (no JSON pointer: the data was not read). */
export interface YamlReadProblem extends SourcePosition {
  readonly file: string;
  readonly message: string;
  /** The YAML parser's error code (`BAD_INDENT`, `DUPLICATE_KEY` …) for a syntax problem. */
  readonly code?: string;
}

/** Limits on what a YAML file may be before it is parsed: beyond them parsers run for minutes or overflow the stack. */
export interface YamlLimits {
  /** Largest file in bytes. */
  readonly maxBytes: number;
  /** Deepest nesting: block levels (by indentation and `- ` indicators) plus open flow brackets. */
  readonly maxDepth: number;
}

export type YamlParseResult =
  | { readonly source: YamlSource; readonly warnings: readonly YamlReadProblem[] }
  | { readonly problem: YamlReadProblem };

/**
 * Parses YAML text keeping positions, after checking its size and nesting depth. Only the first syntax
 * error is reported: the ones after it are mostly echoes of it (an unclosed bracket makes every later
 * line wrong). Warnings come back only for a document without errors.
 */
export function parseYamlSource(file: string, text: string, limits: YamlLimits): YamlParseResult {
  const tooLarge = checkSize(file, text, limits.maxBytes);
  if (tooLarge) return { problem: tooLarge };
  const lineCounter = new yaml.LineCounter();
  const parsed = parseDocumentWithinDepth(text, limits.maxDepth, lineCounter);
  if (typeof parsed === "number") return { problem: depthProblem(file, text, parsed, limits.maxDepth) };
  const document = parsed;
  const source: YamlSource = { file, document, lineCounter };
  const first = document.errors[0];
  if (first) {
    return {
      problem: { ...problemAtOffset(source, first.pos[0], yamlMessage(first.message)), code: first.code },
    };
  }
  const warnings = document.warnings.map((warning) =>
    problemAtOffset(source, warning.pos[0], yamlMessage(warning.message)),
  );
  return { source, warnings };
}

/** Thrown inside the token stream to stop a parse at the offset where the text nests too deep. */
class TooDeep {
  constructor(readonly offset: number) {}
}

/**
 * `yaml.parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true })`, measuring the
 * nesting depth on the lexer's tokens as they reach the parser (one lexing pass, not a second one before
 * it): returns the offset where the text first nests deeper than `maxDepth` instead, before the
 * composer (which recurses) has seen the document.
 */
function parseDocumentWithinDepth(
  text: string,
  maxDepth: number,
  lineCounter: LineCounter,
): Document.Parsed | number {
  const measure = createDepthMeter(maxDepth);
  const parser = new yaml.Parser(lineCounter.addNewLine);
  lineCounter.addNewLine(0);
  function* tokens() {
    for (const lexeme of new yaml.Lexer().lex(text)) {
      const tooDeep = measure(lexeme);
      if (tooDeep !== undefined) throw new TooDeep(tooDeep);
      yield* parser.next(lexeme);
    }
    yield* parser.end();
  }
  const composer = new yaml.Composer({ lineCounter, prettyErrors: false, uniqueKeys: true });
  let document: Document.Parsed | undefined;
  try {
    for (const composed of composer.compose(tokens(), true, text.length)) {
      if (!document) document = composed;
      else {
        // As parseDocument reports a second document.
        document.errors.push(
          new yaml.YAMLParseError(
            [composed.range[0], composed.range[1]],
            "MULTIPLE_DOCS",
            "Source contains multiple documents; please use YAML.parseAllDocuments()",
          ),
        );
        break;
      }
    }
  } catch (error) {
    if (error instanceof TooDeep) return error.offset;
    throw error;
  }
  // compose(…, true) always ends with a document, an empty one at the least.
  return document!;
}

/** The document as plain data; unresolved aliases and alias bombs (only seen here) become a problem at the alias. */
export function readYamlData(
  source: YamlSource,
): { readonly data: unknown } | { readonly problem: YamlReadProblem } {
  try {
    return { data: source.document.toJS({ maxAliasCount: 100 }) };
  } catch (error) {
    return {
      problem: problemAtOffset(
        source,
        firstAliasOffset(source.document),
        yamlMessage((error as Error).message),
      ),
    };
  }
}

/** `YAML: <the parser's first line>`: its later lines repeat the position and quote the source. */
function yamlMessage(message: string): string {
  return `YAML: ${message.split("\n")[0] ?? ""}`;
}

export function problemAtOffset(source: YamlSource, offset: number, message: string): YamlReadProblem {
  return { file: source.file, ...positionOfOffset(source, offset), message };
}

export function positionOfOffset(source: YamlSource, offset: number): SourcePosition {
  // `error.linePos` is only filled in with `prettyErrors`, whose messages repeat the position; count lines here.
  const position = source.lineCounter.linePos(offset);
  return { line: position.line, column: position.col };
}

/** `file:line:column`, as editors and terminals link it. */
export function formatPosition(file: string, position: SourcePosition): string {
  return `${file}:${position.line}:${position.column}`;
}

/** Where the first alias that does not resolve is (or the first alias at all, or the start). */
function firstAliasOffset(document: Document.Parsed): number {
  const aliases: import("yaml").Alias[] = [];
  yaml.visit(document, {
    Alias: (_key, node) => {
      aliases.push(node);
    },
  });
  const unresolved = aliases.find((alias) => alias.resolve(document) === undefined);
  return (unresolved ?? aliases[0])?.range?.[0] ?? 0;
}

// ---------------------------------------------------------------------------------------------
// JSON pointers
// ---------------------------------------------------------------------------------------------

/** Splits an RFC 6901 pointer into its unescaped segments (`""` and `"/"` are the root). */
export function pointerSegments(pointer: string): string[] {
  if (pointer === "" || pointer === "/") return [];
  return pointer
    .slice(1)
    .split("/")
    .map((segment) => segment.replaceAll("~1", "/").replaceAll("~0", "~"));
}

/** The RFC 6901 pointer of a path of keys and indexes. */
export function joinPointer(segments: readonly (string | number)[]): string {
  return segments
    .map((segment) => `/${String(segment).replaceAll("~", "~0").replaceAll("/", "~1")}`)
    .join("");
}

/**
 * The position of the node a JSON pointer names. `at: "key"` points at a map entry's key (for unknown or
 * misnamed fields, and the spec loader's convention); `at: "value"` at its value. When the pointer goes
 * past the document (a missing property), its nearest existing ancestor is used.
 */
export function positionOfPointer(
  source: YamlSource,
  pointer: string,
  at: "key" | "value" = "key",
): SourcePosition {
  let node: Node | null = source.document.contents;
  let keyNode: Node | null = null;
  for (const segment of pointerSegments(pointer)) {
    if (yaml.isMap(node)) {
      const pair = node.items.find((item) => yaml.isScalar(item.key) && String(item.key.value) === segment);
      if (!pair) break;
      keyNode = yaml.isScalar(pair.key) ? pair.key : null;
      node = (pair.value as Node | null) ?? keyNode;
    } else if (yaml.isSeq(node)) {
      const item = node.items[Number(segment)] as Node | undefined;
      if (!item) break;
      keyNode = null;
      node = item;
    } else {
      break;
    }
  }
  const target = at === "key" ? (keyNode ?? node) : (node ?? keyNode);
  return positionOfOffset(source, target?.range?.[0] ?? 0);
}

// ---------------------------------------------------------------------------------------------
// Limits
// ---------------------------------------------------------------------------------------------

function checkSize(file: string, text: string, maxBytes: number): YamlReadProblem | undefined {
  // Cheap first: a string of n characters holds at least n and at most 3n UTF-8 bytes.
  if (text.length * 3 <= maxBytes) return undefined;
  const bytes = Buffer.byteLength(text);
  if (bytes <= maxBytes) return undefined;
  return {
    file,
    line: 1,
    column: 1,
    message: `the file is ${bytes} bytes; at most ${maxBytes} are read`,
  };
}

function depthProblem(file: string, text: string, offset: number, maxDepth: number): YamlReadProblem {
  let line = 1;
  let lineStart = 0;
  for (
    let index = text.indexOf("\n");
    index !== -1 && index < offset;
    index = text.indexOf("\n", index + 1)
  ) {
    line++;
    lineStart = index + 1;
  }
  return { file, line, column: offset - lineStart + 1, message: `nesting deeper than ${maxDepth} levels` };
}

/** The lexer's marks for a document start, a scalar and an unterminated flow collection: no width in the text. */
const zeroWidthTokens: ReadonlySet<string> = new Set(["\u0002", "\u001f", "\u0018"]);

/**
 * The offset where a YAML text first nests deeper than `maxDepth`, or undefined. Measured on the lexer's
 * tokens (the lexer is iterative; the composer behind `parseDocument` recurses and overflows the stack on
 * deep input): see {@link createDepthMeter}.
 */
export function measureYamlDepth(text: string, maxDepth: number): number | undefined {
  const measure = createDepthMeter(maxDepth);
  for (const token of new yaml.Lexer().lex(text)) {
    const tooDeep = measure(token);
    if (tooDeep !== undefined) return tooDeep;
  }
  return undefined;
}

/**
 * A depth meter fed the lexer's tokens of one text in order; it returns the offset of the first token
 * that nests deeper than `maxDepth` (undefined before). Depth is open flow brackets, plus block levels
 * kept as a stack of indentation columns, where each `- ` or `? ` indicator opens a level at its own
 * column and a line's content one at its column.
 */
function createDepthMeter(maxDepth: number): (token: string) => number | undefined {
  const indents: number[] = [];
  let flow = 0;
  let offset = 0;
  let column = 0;
  let lineStart = true;
  let lineOpened = false;
  const openLevel = (at: number) => {
    // The first level a line opens closes every level at or right of its column.
    if (!lineOpened) while (indents.length > 0 && indents[indents.length - 1]! >= at) indents.pop();
    lineOpened = true;
    indents.push(at);
  };
  const closeLine = () => {
    lineStart = true;
    lineOpened = false;
    column = 0;
  };
  return (token) => {
    if (zeroWidthTokens.has(token)) return undefined;
    const start = offset;
    offset += token.length;
    if (token === "\n" || token === "\r\n") {
      closeLine();
      return undefined;
    }
    if (lineStart && flow === 0) {
      if (/^[ \t]+$/.test(token)) {
        column += token.length;
        return undefined;
      }
      if (token === "-" || token === "?") {
        openLevel(column);
        column += token.length;
        return undefined;
      }
      // A comment opens nothing; block scalar text (it starts with its indentation) belongs to its key's level.
      if (!token.startsWith("#") && !/^\s/.test(token)) openLevel(column);
      lineStart = false;
    }
    if (token === "[" || token === "{") flow++;
    else if (token === "]" || token === "}") flow = Math.max(0, flow - 1);
    // A multi-line scalar (block, quoted or plain) may end its last line itself.
    if (token.length > 1 && token.endsWith("\n")) closeLine();
    return indents.length + flow > maxDepth ? start : undefined;
  };
}
