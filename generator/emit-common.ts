import type { Project } from "ts-morph";
import { loadJsonSchemaToTypescript, loadTsMorph } from "./dependencies.js";
import { indentDeclarations } from "./indent-declarations.js";
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

/**
 * What an emitter fills with a module's statements, given as text: the generator's {@link ModuleText},
 * or a ts-morph `SourceFile` (whose `addStatements` takes text too).
 */
export interface ModuleSink {
  addStatements(text: string): unknown;
}

/** A module's text, as emitters add it. */
export class ModuleText implements ModuleSink {
  #text = "";

  addStatements(text: string): this {
    this.#text += text;
    return this;
  }

  getFullText(): string {
    return this.#text;
  }
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
 * flat when it is not asked to run prettier. {@link indentDeclarations} does it for the shapes that
 * tool writes; anything else goes through the formatter itself, loaded (about a second) only then.
 */
export function formatDeclarations(code: string): string {
  return indentDeclarations(code) ?? formatWithCompiler(code);
}

/** Formats declarations with TypeScript's formatter (through ts-morph). */
export function formatWithCompiler(code: string): string {
  const { IndentationText, NewLineKind, Project, QuoteKind } = loadTsMorph();
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

/** Makes TypeScript declarations for a JSON Schema, named `name`. */
export type DeclarationMaker = (
  schema: object,
  name: string,
  options?: { keepTitles?: boolean },
) => Promise<string>;

/** TypeScript declarations for a JSON Schema, named `name`, through json-schema-to-typescript. */
export const typesFromSchema: DeclarationMaker = (schema, name, options = {}) =>
  compileDeclarations(schema, name, options);

/**
 * A {@link typesFromSchema} that compiles each distinct schema, name and options once (for one run):
 * families often share native bodies (the imported-model formats, a provider's variants), and
 * json-schema-to-typescript takes milliseconds per schema.
 */
export function createDeclarationMaker(): DeclarationMaker {
  const made = new Map<string, Promise<string>>();
  return (schema, name, options = {}) => {
    const key = JSON.stringify([name, options.keepTitles === true, schema]);
    let declarations = made.get(key);
    if (!declarations) {
      declarations = compileDeclarations(schema, name, options);
      made.set(key, declarations);
    }
    return declarations;
  };
}

async function compileDeclarations(
  schema: object,
  name: string,
  options: { keepTitles?: boolean },
): Promise<string> {
  const prepared = options.keepTitles ? schema : { ...(stripNestedTitles(schema) as object), title: name };
  const { compile } = loadJsonSchemaToTypescript();
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
