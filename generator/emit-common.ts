import type { CodeBlockWriter, Project, SourceFile } from "ts-morph";
import { jsonSchemaToTypescript, tsMorph } from "./dependencies.js";
import { generatedFileMarker } from "./output-folder.js";

/** The fixed first line of every generated file; tools match on it. */
export function headerLines(source: string): string {
  return `${generatedFileMarker}${source}. DO NOT EDIT.\n// Edit the spec, then run \`npm run generate\`.\n`;
}

export function pascalCase(id: string): string {
  return id
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((part) => part[0]!.toUpperCase() + part.slice(1))
    .join("");
}

/** An exported constant with a (multi-line) literal initializer, e.g. written by {@link writeValue}. */
export interface ConstantStructure {
  readonly name: string;
  readonly type: string;
  readonly docs: readonly string[];
  readonly initializer: (writer: CodeBlockWriter) => void;
}

/**
 * Adds `export const name: type = <literal>;` statements in one insertion, through a ts-morph writer
 * at statement level. (`addVariableStatement` prints an initializer in a hanging indent, one level too
 * deep for a multi-line literal; repairing that took a formatting pass over every file, most of a run.)
 */
export function addConstants(file: SourceFile, constants: readonly ConstantStructure[]): void {
  // The blank line ts-morph puts before a variable statement that follows another kind of statement.
  const previous = file.getStatementsWithComments().at(-1);
  const { Node } = tsMorph;
  const separate =
    previous !== undefined && !Node.isVariableStatement(previous) && !Node.isCommentNode(previous);
  file.addStatements((writer) => {
    if (separate) writer.newLine();
    for (const [index, constant] of constants.entries()) {
      if (index > 0) writer.newLine();
      for (const doc of constant.docs) writer.writeLine(`/** ${doc.replaceAll("*/", "* /")} */`);
      writer.write(`export const ${constant.name}: ${constant.type} = `);
      constant.initializer(writer);
      writer.write(";");
    }
  });
}

/** Writes a JSON-compatible value as a TypeScript literal with sorted keys, so output never depends on input order. */
export function writeValue(writer: CodeBlockWriter, value: unknown): void {
  if (value === null || typeof value !== "object") {
    writer.write(value === undefined ? "undefined" : JSON.stringify(value));
    return;
  }
  if (Array.isArray(value)) {
    if (value.length === 0) {
      writer.write("[]");
      return;
    }
    const simple = value.every((item) => item === null || typeof item !== "object");
    if (simple && JSON.stringify(value).length < 80) {
      writer.write(`[${value.map((item) => JSON.stringify(item)).join(", ")}]`);
      return;
    }
    writer.write("[").newLine();
    writer.indent(() => {
      for (const item of value) {
        writeValue(writer, item);
        writer.write(",").newLine();
      }
    });
    writer.write("]");
    return;
  }
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, item]) => item !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (entries.length === 0) {
    writer.write("{}");
    return;
  }
  writer.write("{").newLine();
  writer.indent(() => {
    for (const [key, item] of entries) {
      writer.write(/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key) ? key : JSON.stringify(key)).write(": ");
      writeValue(writer, item);
      writer.write(",").newLine();
    }
  });
  writer.write("}");
}

/**
 * Removes nested `title`s so json-schema-to-typescript inlines sub-objects instead of naming them (names would
 * collide), and sorts every object's keys so the declarations (members follow `properties`) never depend on
 * the order of keys in the spec.
 */
function stripNestedTitles(schema: unknown, depth = 0): unknown {
  if (Array.isArray(schema)) return schema.map((item) => stripNestedTitles(item, depth + 1));
  if (schema === null || typeof schema !== "object") return schema;
  const result: Record<string, unknown> = {};
  const sorted = Object.entries(schema).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  for (const [key, value] of sorted) {
    if (key === "title" && depth > 0) continue;
    if (key === "description" && typeof value === "string") {
      result[key] = value.replaceAll("*/", "* /");
      continue;
    }
    // Keys under `properties` are names, not keywords: keep them even when one is called "title".
    if (key === "properties" && value && typeof value === "object") {
      result[key] = Object.fromEntries(
        Object.entries(value as Record<string, unknown>)
          .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
          .map(([name, sub]) => [name, stripNestedTitles(sub, depth + 1)]),
      );
      continue;
    }
    result[key] = stripNestedTitles(value, depth + 1);
  }
  return result;
}

let formatter: Project | undefined;
let formatted = 0;

/**
 * Indents declarations the way TypeScript's formatter does: json-schema-to-typescript writes them
 * flat when it is not asked to run prettier. Only these fragments need a formatting pass; the rest of
 * a generated file is printed indented, and formatting whole files cost most of a run.
 */
export function formatDeclarations(code: string): string {
  const { IndentationText, NewLineKind, Project, QuoteKind } = tsMorph;
  formatter ??= new Project({
    useInMemoryFileSystem: true,
    manipulationSettings: {
      indentationText: IndentationText.TwoSpaces,
      newLineKind: NewLineKind.LineFeed,
      quoteKind: QuoteKind.Double,
    },
  });
  // A new name each time: the language service caches documents by name and would format a stale text.
  formatted += 1;
  const file = formatter.createSourceFile(`/declarations-${formatted}.ts`, code);
  file.formatText({ indentSize: 2, convertTabsToSpaces: true });
  const text = file.getFullText().trimEnd();
  formatter.removeSourceFile(file);
  return text;
}

/** TypeScript declarations for a JSON Schema, named `name`, through json-schema-to-typescript. */
export async function typesFromSchema(
  schema: object,
  name: string,
  options: { keepTitles?: boolean } = {},
): Promise<string> {
  const prepared = options.keepTitles ? schema : { ...(stripNestedTitles(schema) as object), title: name };
  const { compile } = jsonSchemaToTypescript;
  const code = await compile(prepared as Parameters<typeof compile>[0], name, {
    bannerComment: "",
    format: false,
    additionalProperties: true,
    strictIndexSignatures: false,
    unknownAny: true,
    declareExternallyReferenced: true,
    enableConstEnums: false,
    cwd: "/",
    $refOptions: { resolve: { external: false } } as never,
  });
  return code.trim();
}
