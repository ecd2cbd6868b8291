/**
 * Prints the generated modules' statements as text, without a compiler: literals, constants, imports,
 * type aliases, interfaces and functions, in exactly the layout ts-morph printed them before (the drift
 * check and the golden tests compare bytes). Indentation is two spaces per level.
 */

/** An exported constant with a literal initializer, printed by {@link printConstants}. */
export interface ConstantText {
  readonly name: string;
  readonly type: string;
  readonly docs: readonly string[];
  /** The initializer's text; its first line continues `= `, later lines carry their own indentation. */
  readonly initializer: string;
}

const identifierPattern = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

const byKey = ([a]: [string, unknown], [b]: [string, unknown]) => (a < b ? -1 : a > b ? 1 : 0);

/** The indentation of a nesting level. */
export function indentationOf(level: number): string {
  return "  ".repeat(level);
}

/**
 * A property name as written in an object literal: bare when it is an identifier, else quoted.
 * `__proto__` is computed (`["__proto__"]`): written plainly it would set the object's prototype.
 */
export function printPropertyName(key: string): string {
  if (key === "__proto__") return `[${JSON.stringify(key)}]`;
  return identifierPattern.test(key) ? key : JSON.stringify(key);
}

/**
 * A JSON-compatible value as a TypeScript literal at nesting `level`: object keys sorted (so output never
 * depends on input order), `undefined` properties left out, short arrays of primitives on one line, every
 * other array or object one item a line with trailing commas. Evaluating the text gives the value back.
 */
export function printValue(value: unknown, level = 0): string {
  if (value === null || typeof value !== "object") {
    return value === undefined ? "undefined" : JSON.stringify(value);
  }
  const inner = indentationOf(level + 1);
  const close = indentationOf(level);
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]";
    const simple = value.every((item) => item === null || typeof item !== "object");
    if (simple && JSON.stringify(value).length < 80) {
      return `[${value.map((item) => JSON.stringify(item)).join(", ")}]`;
    }
    const items = value.map((item) => `${inner}${printValue(item, level + 1)},\n`);
    return `[\n${items.join("")}${close}]`;
  }
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, item]) => item !== undefined)
    .sort(byKey);
  if (entries.length === 0) return "{}";
  const lines = entries.map(
    ([key, item]) => `${inner}${printPropertyName(key)}: ${printValue(item, level + 1)},\n`,
  );
  return `{\n${lines.join("")}${close}}`;
}

/** A one-line JSDoc comment (a `*\/` in the text is broken up so it cannot end the comment early). */
export function printDoc(doc: string): string {
  return `/** ${doc.replaceAll("*/", "* /")} */`;
}

/** `export const name: type = <initializer>;` statements, each after its docs, one after another. */
export function printConstants(constants: readonly ConstantText[]): string {
  return constants
    .map(
      (constant) =>
        `${constant.docs.map((doc) => `${printDoc(doc)}\n`).join("")}export const ${constant.name}: ${constant.type} = ${constant.initializer};\n`,
    )
    .join("");
}

/** `import type { a, b } from "module";` */
export function printTypeImport(names: readonly string[], moduleSpecifier: string): string {
  return `import type { ${names.join(", ")} } from ${JSON.stringify(moduleSpecifier)};\n`;
}

/** `export { a, b } from "module";` (or `export type { … }`). */
export function printReExport(names: readonly string[], moduleSpecifier: string, typeOnly = false): string {
  return `export ${typeOnly ? "type " : ""}{ ${names.join(", ")} } from ${JSON.stringify(moduleSpecifier)};\n`;
}

/** `export type name = type;` after its doc. */
export function printTypeAlias(alias: { name: string; doc: string; type: string }): string {
  return `${printDoc(alias.doc)}\nexport type ${alias.name} = ${alias.type};\n`;
}

/** `export interface name { … }` after its doc, one `key: type;` property a line. */
export function printInterface(declaration: {
  name: string;
  doc: string;
  properties: readonly { name: string; type: string }[];
}): string {
  const properties = declaration.properties.map(({ name, type }) => `  ${name}: ${type};\n`).join("");
  return `${printDoc(declaration.doc)}\nexport interface ${declaration.name} {\n${properties}}\n`;
}

/** `export function name(parameters): returnType { statement }` after its doc. */
export function printFunction(declaration: {
  name: string;
  doc: string;
  parameters: string;
  returnType: string;
  statement: string;
}): string {
  const { name, doc, parameters, returnType, statement } = declaration;
  return `${printDoc(doc)}\nexport function ${name}(${parameters}): ${returnType} {\n  ${statement}\n}\n`;
}
