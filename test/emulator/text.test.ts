import { Ajv } from "ajv";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { bodySimilarity, isSubset, jsonEqual } from "../../emulator/fixtures.js";
import {
  composeAnswer,
  countTokens,
  splitIntoChunks,
  splitTokens,
  truncateTokens,
} from "../../emulator/synthesize/text.js";
import { buildToolArguments } from "../../emulator/synthesize/tools.js";

describe("synthesized text", () => {
  it("token pieces rebuild the text and count as tokens (property)", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        expect(splitTokens(text).join("")).toBe(text);
        if (text.trim()) expect(countTokens(text)).toBe(splitTokens(text).length);
      }),
    );
  });

  it("counts ASCII and non-ASCII text alike: tokens are the pieces of the text (property)", () => {
    const asciiish = fc.string({
      unit: fc.constantFrom("a", "Z", "7", "_", " ", "\t", "\n", ".", "-", "é", "字", "😀"),
    });
    fc.assert(
      fc.property(fc.oneof(asciiish, fc.string({ unit: "binary", maxLength: 60 })), (text) => {
        // The oracle: the Unicode definition (word pieces of letters, digits and _, or one other character).
        const pieces = text.match(/\s*(?:[\p{L}\p{N}_]+|[^\s\p{L}\p{N}_])/gu) ?? [];
        if (text.trim()) expect(countTokens(text)).toBe(pieces.length);
        expect(splitTokens(text).length).toBe(Math.max(pieces.length, text.length > 0 ? 1 : 0));
      }),
    );
  });

  it("stream chunks rebuild the text, none empty, at most the count asked (property)", () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 200 }),
        fc.integer({ min: 1, max: 300 }),
        (text, count) => {
          const chunks = splitIntoChunks(text, count);
          expect(chunks.join("")).toBe(text);
          expect(chunks.length).toBeLessThanOrEqual(count);
          expect(chunks.every((chunk) => chunk.length > 0)).toBe(true);
        },
      ),
    );
  });

  it("answers quote the user and grow to a requested token count", () => {
    expect(composeAnswer("  Hello\n  world ")).toBe('This is a synthesized reply to "Hello world".');
    for (const [text, tokens] of [
      ["x", 200],
      ["Hello, wörld", 37],
      ["  ", 12],
      ["Hi", 3],
    ] as const)
      expect(countTokens(composeAnswer(text, tokens))).toBe(
        Math.max(tokens, countTokens(composeAnswer(text))),
      );
    expect(truncateTokens(composeAnswer("Hello"), 3)).toBe("This is a");
  });

  it("tool arguments satisfy the tool's schema (property over generated schemas)", () => {
    const ajv = new Ajv({ strict: false });
    const leaf = fc.oneof(
      fc.constant({ type: "string" }),
      fc.constant({ type: "integer" }),
      fc.constant({ type: "number", minimum: 3 }),
      fc.constant({ type: "boolean" }),
      fc.constant({ type: "string", enum: ["a", "b"] }),
      fc.constant({ type: "array", items: { type: "string" }, minItems: 1 }),
    );
    const object = fc.letrec((tie) => ({
      node: fc.oneof({ depthSize: "small" }, leaf, tie("object")),
      object: fc
        .dictionary(fc.stringMatching(/^[a-z]{1,6}$/), tie("node"), { maxKeys: 4 })
        .chain((properties) =>
          fc.subarray(Object.keys(properties)).map((required) => ({ type: "object", properties, required })),
        ),
    })).object;
    fc.assert(
      fc.property(object, (schema) => {
        expect(ajv.validate(schema, buildToolArguments(schema)), JSON.stringify(ajv.errors)).toBe(true);
      }),
    );
  });
});

describe("fixture body rules", () => {
  const json = fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.parse(JSON.stringify(value)) as unknown);

  it("every body is a subset of itself and equal to itself (property)", () => {
    fc.assert(
      fc.property(json, (value) => {
        expect(isSubset(value, value)).toBe(true);
        expect(jsonEqual(value, value)).toBe(true);
        expect(bodySimilarity(value, value)).toBe(1);
      }),
    );
  });

  it("an object with fewer keys is a subset, not the other way round", () => {
    expect(isSubset({ a: 1 }, { a: 1, b: 2 })).toBe(true);
    expect(isSubset({ a: 1, b: 2 }, { a: 1 })).toBe(false);
    expect(isSubset({ list: [{ a: 1 }] }, { list: [{ a: 1, b: 2 }] })).toBe(true);
    expect(isSubset({ list: [1] }, { list: [1, 2] })).toBe(false);
    expect(jsonEqual({ index: 0.0 }, { index: 0 })).toBe(true);
  });
});
