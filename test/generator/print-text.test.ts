/**
 * The text printers that replaced ts-morph in the generator's output path: `printValue` (literals of the
 * data modules) and `indentDeclarations` (json-schema-to-typescript's declarations, indented as
 * TypeScript's formatter does). The drift check compares the real catalog byte for byte; these
 * properties cover values and schemas the specs do not have yet.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatWithCompiler, typesFromSchema } from "../../generator/emit-common.js";
import { indentDeclarations } from "../../generator/indent-declarations.js";
import { printConstants, printValue } from "../../generator/print-text.js";

/** Evaluates a printed literal the way the generated module's reader would. */
function evaluate(text: string): unknown {
  return new Function(`"use strict"; return (${text});`)();
}

/** JSON values whose objects may have any keys, `__proto__` and non-identifiers included. */
const jsonValues = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.constantFrom(null, true, false, 0, -1.5, 1e21, "", "a\nb", '"quoted"', "*/", "__proto__"),
    fc.string(),
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }).filter((number) => !Object.is(number, -0)),
    fc.array(tie("value"), { maxLength: 5 }),
    fc.dictionary(
      fc.oneof(fc.string(), fc.constantFrom("__proto__", "constructor", "a-b", "1x", "$ok", "_")),
      tie("value"),
      { maxKeys: 5 },
    ),
  ),
})).value;

describe("printValue", () => {
  it("prints literals that evaluate back to the value", () => {
    fc.assert(
      fc.property(jsonValues, fc.nat(4), (value, level) => {
        expect(evaluate(printValue(value, level))).toEqual(value);
      }),
      { numRuns: 300 },
    );
  });

  it("keeps own properties named like Object.prototype members", () => {
    const value = JSON.parse('{"__proto__": {"polluted": true}, "constructor": 1}');
    const printed = printValue(value);
    expect(printed).toBe('{\n  ["__proto__"]: {\n    polluted: true,\n  },\n  constructor: 1,\n}');
    const back = evaluate(printed) as Record<string, unknown>;
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype);
    expect(Object.hasOwn(back, "__proto__")).toBe(true);
  });

  it("sorts keys, leaves out undefined properties and keeps short primitive arrays on one line", () => {
    expect(printValue({ b: 1, a: [1, "x", null], c: undefined, "d-e": {} }, 1)).toBe(
      ["{", '    a: [1, "x", null],', "    b: 1,", '    "d-e": {},', "  }"].join("\n"),
    );
    const long = Array.from({ length: 20 }, (_, index) => `item-${index}`);
    expect(printValue(long).split("\n")).toHaveLength(22);
    expect(printValue([[1]])).toBe("[\n  [1],\n]");
  });

  it("prints constants after their docs, breaking up a comment end inside a doc", () => {
    expect(printConstants([{ name: "x", type: "number", docs: ["Says */ here."], initializer: "1" }])).toBe(
      "/** Says * / here. */\nexport const x: number = 1;\n",
    );
  });
});

/** Per line without trailing spaces (the generator strips them from every file). */
function withoutTrailingSpaces(text: string): string {
  return text
    .split("\n")
    .map((line) => line.trimEnd())
    .join("\n")
    .trimEnd();
}

/** Descriptions with what could confuse an indenter: brackets, quotes, bars, comment ends, blank and indented lines. */
const descriptions = fc.oneof(
  fc.constantFrom(
    "Plain.",
    "Has { and ( and [ in it.",
    "Quotes \" and ' and `ticks`.",
    "A | bar and & amp.",
    "Two lines.\nSecond line.",
    "List:\n  - indented item\n\n    deeper",
    "Ends a comment */ early.",
    "// not a line comment",
  ),
  fc.string({ maxLength: 30 }),
);

const propertyNames = fc.oneof(
  fc.constantFrom("a", "with-dash", "{brace", 'quote"d', "bar|bar", "sp ace", "title"),
  fc.string({ minLength: 1, maxLength: 8 }),
);

/** JSON Schemas of the kinds the specs' native bodies use. */
const schemas = fc.letrec((tie) => ({
  schema: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.constantFrom({ type: "string" }, { type: "number" }, { type: "integer" }, { type: "boolean" }),
    fc.constant({ type: ["string", "null"] }),
    fc.record({
      enum: fc.uniqueArray(fc.oneof(fc.string({ maxLength: 6 }), fc.integer()), {
        minLength: 1,
        maxLength: 4,
      }),
    }),
    fc.record({ const: fc.string({ maxLength: 6 }) }),
    fc.record({ type: fc.constant("array"), items: tie("schema") }),
    fc.record({
      type: fc.constant("array"),
      items: tie("schema"),
      minItems: fc.nat(2),
      maxItems: fc.integer({ min: 2, max: 4 }),
    }),
    fc.record({
      type: fc.constant("array"),
      prefixItems: fc.array(tie("schema"), { minLength: 1, maxLength: 3 }),
    }),
    fc.record(
      {
        type: fc.constant("object"),
        properties: fc.dictionary(propertyNames, tie("schema"), { maxKeys: 4 }),
        required: fc.array(propertyNames, { maxLength: 2 }),
        additionalProperties: fc.oneof(fc.boolean(), tie("schema")),
        description: descriptions,
      },
      { requiredKeys: ["type", "properties"] },
    ),
    fc.record({ anyOf: fc.array(tie("schema"), { minLength: 1, maxLength: 3 }) }),
    fc.record({ oneOf: fc.array(tie("schema"), { minLength: 1, maxLength: 3 }) }),
    fc.record({ allOf: fc.array(tie("schema"), { minLength: 1, maxLength: 2 }) }),
    fc.record({ type: fc.constant("string"), description: descriptions }),
  ),
})).schema;

describe("indentDeclarations", () => {
  it("indents json-schema-to-typescript's declarations exactly as TypeScript's formatter does", async () => {
    let indented = 0;
    await fc.assert(
      fc.asyncProperty(schemas, descriptions, async (schema, doc) => {
        const code = [
          `/** ${doc.replaceAll("*/", "* /").replaceAll("\n", " ")} */`,
          await typesFromSchema({ type: "object", properties: { body: schema } }, "Body"),
        ].join("\n");
        const fast = indentDeclarations(code);
        if (fast === undefined) return;
        indented += 1;
        expect(withoutTrailingSpaces(fast)).toBe(withoutTrailingSpaces(formatWithCompiler(code)));
      }),
      { numRuns: 150 },
    );
    // Most schemas must take the fast path, or the comparison above proves little.
    expect(indented).toBeGreaterThan(100);
  });

  it("indents nested brackets once per line and shifts block comments with their first line", () => {
    const code = [
      "export interface A {",
      "/**",
      " * Doc { with brackets.",
      " *   indented line",
      " */",
      "b?: [{",
      'c: ("x|y" | "z")',
      "}, ...({",
      "d: string",
      "})[]]",
      "e?: []|[string]",
      "}",
    ].join("\n");
    expect(indentDeclarations(code)).toBe(
      [
        "export interface A {",
        "  /**",
        "   * Doc { with brackets.",
        "   *   indented line",
        "   */",
        "  b?: [{",
        '    c: ("x|y" | "z")',
        "  }, ...({",
        "    d: string",
        "  })[]]",
        "  e?: [] | [string]",
        "}",
      ].join("\n"),
    );
  });

  it.each([
    ["a template literal", "export type A = `prefix`"],
    ["a line comment", "export interface A {\n// note\n}"],
    ["an unclosed bracket", "export interface A {\nb: string"],
    ["a mismatched bracket", "export interface A {\nb: string)\n"],
    ["an unclosed string", 'export type A = "x'],
    ["two spaces between tokens", "export type A  = string"],
    ["a tab", "export interface A {\n\tb: string\n}"],
    // TypeScript's formatter indents the second element's closing line one level deeper (found by the property above).
    [
      "a tuple's next element opened where the one before closes",
      "export interface A {\nb?: [{\n\n}, {\n\n}]\n}",
    ],
  ])("leaves %s to the compiler", (_name, code) => {
    expect(indentDeclarations(code)).toBeUndefined();
  });
});
