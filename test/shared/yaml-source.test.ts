import fc from "fast-check";
import { describe, expect, it } from "vitest";
import YAML from "yaml";
import {
  joinPointer,
  measureYamlDepth,
  parseYamlSource,
  pointerSegments,
  positionOfPointer,
  readYamlData,
} from "../../shared/yaml-source.js";

const generous = { maxBytes: 1024 * 1024, maxDepth: 64 };

/** Nesting depth of plain data: a scalar is 0, a list or map one more than its deepest member. */
function depthOf(value: unknown): number {
  if (value === null || typeof value !== "object") return 0;
  const members = Object.values(value as Record<string, unknown>);
  return 1 + Math.max(0, ...members.map(depthOf));
}

const nested = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.oneof(fc.string({ maxLength: 8 }), fc.integer(), fc.boolean(), fc.constant(null)),
    fc.array(tie("value"), { maxLength: 3 }),
    fc.dictionary(fc.stringMatching(/^[a-z]{1,6}$/), tie("value"), { maxKeys: 3 }),
  ),
})).value;

describe("measureYamlDepth", () => {
  it("never measures less than the data's own depth, in block and in flow style", () => {
    fc.assert(
      fc.property(nested, (data) => {
        const depth = depthOf(data);
        for (const text of [YAML.stringify(data), JSON.stringify(data)]) {
          // Deeper than depth - 1 is always seen…
          if (depth > 0) expect(measureYamlDepth(text, depth - 1)).toBeDefined();
          // …and a limit well above the depth lets the text through.
          expect(measureYamlDepth(text, 2 * depth + 2)).toBeUndefined();
        }
      }),
      { numRuns: 300 },
    );
  });

  it.each([
    ["a flat map", "a: 1\nb: 2\n", 1],
    ["maps in maps", "a:\n  b:\n    c: 1\n", 3],
    ["a block scalar belongs to its key", "a:\n  b: |\n    text\n      more\n  c: 1\n", 2],
    ["flow brackets", "a: [[[1]]]\n", 4],
    ["comments open nothing", "a:\n        # far right\n  b: 1\n", 2],
  ])("%s", (_name, text, depth) => {
    expect(measureYamlDepth(text, depth - 1)).toBeDefined();
    expect(measureYamlDepth(text, depth)).toBeUndefined();
  });
});

/** What yaml's own parseDocument makes of a text: the oracle parseYamlSource's one-pass parse must agree with. */
function parseWithLibrary(text: string) {
  const document = YAML.parseDocument(text, { prettyErrors: false, uniqueKeys: true });
  const valid = document.errors.length === 0;
  return {
    data: valid ? document.toJS() : undefined,
    text: valid ? document.toString() : undefined,
    first: document.errors[0] && { code: document.errors[0].code, offset: document.errors[0].pos[0] },
    warnings: document.warnings.map((warning) => warning.code),
  };
}

/** The same, read through parseYamlSource (which measures nesting while it parses). */
function parseWithSource(text: string) {
  const result = parseYamlSource("x.yaml", text, generous);
  if ("problem" in result) return { problem: result.problem };
  const { document } = result.source;
  return {
    data: document.toJS(),
    text: document.toString(),
    warnings: document.warnings.map((warning) => warning.code),
  };
}

describe("parseYamlSource", () => {
  it("parses as yaml's parseDocument does: the same data, text, warnings and first error", () => {
    const texts = [
      "",
      "a: 1\n---\nb: 2\n",
      "a: 1\na: 2\n",
      "a: [1, 2\n",
      "%YAML 1.2\n---\na: !!str 3\n",
      "x: &a [1]\ny: *a\n",
      "- a\n-\n  - b\n? c\n: d\n",
      "k: |\n  line\n   more\nl: >-\n  folded\n",
    ];
    fc.assert(
      fc.property(nested, fc.boolean(), (value, flow) => {
        texts.push(YAML.stringify({ value }, { collectionStyle: flow ? "flow" : "block" }));
      }),
      { numRuns: 100 },
    );
    for (const text of texts) {
      const expected = parseWithLibrary(text);
      const actual = parseWithSource(text);
      if (expected.first) {
        expect(actual.problem?.code, text).toBe(expected.first.code);
        continue;
      }
      expect(actual, text).toEqual({ data: expected.data, text: expected.text, warnings: expected.warnings });
    }
  });

  it("refuses a file deeper than the limit before parsing, at the line and column where it gets too deep", () => {
    const text = `a: 1\nb: ${"[".repeat(100_000)}${"]".repeat(100_000)}\n`;
    const started = performance.now();
    const result = parseYamlSource("deep.yaml", text, generous);
    expect(result).toEqual({
      problem: { file: "deep.yaml", line: 2, column: 67, message: "nesting deeper than 64 levels" },
    });
    // Liveness only: the parser itself needs minutes or overflows on such input.
    expect(performance.now() - started).toBeLessThan(10_000);
  });

  it("refuses a file larger than the limit, naming its size", () => {
    // 600,000 two-byte characters: fewer characters than the limit, more bytes.
    const result = parseYamlSource("big.yaml", `a: "${"é".repeat(600_000)}"\n`, generous);
    expect(result).toEqual({
      problem: {
        file: "big.yaml",
        line: 1,
        column: 1,
        message: "the file is 1200006 bytes; at most 1048576 are read",
      },
    });
  });

  it("reports the first syntax error only (the parser finds 18 here)", () => {
    const text = "family: demo\noperations: [chat\n  x: ]]\nmodels:\n  - id: a\n";
    expect(YAML.parseDocument(text).errors.length).toBeGreaterThan(1);
    const result = parseYamlSource("bad.yaml", text, generous);
    expect("problem" in result && result.problem).toEqual({
      file: "bad.yaml",
      line: 2,
      column: 14,
      message: "YAML: Implicit keys of flow sequence pairs need to be on a single line",
      code: "MULTILINE_IMPLICIT_KEY",
    });
  });

  it("reads data and locates pointers at keys or values", () => {
    const text = "model_list:\n  - model_name: a\n    litellm_params:\n      temperature: hot\n";
    const parsed = parseYamlSource("config.yaml", text, generous);
    if (!("source" in parsed)) throw new Error("expected a document");
    const read = readYamlData(parsed.source);
    expect(read).toEqual({
      data: { model_list: [{ model_name: "a", litellm_params: { temperature: "hot" } }] },
    });
    const pointer = "/model_list/0/litellm_params/temperature";
    expect(positionOfPointer(parsed.source, pointer, "key")).toEqual({ line: 4, column: 7 });
    expect(positionOfPointer(parsed.source, pointer, "value")).toEqual({ line: 4, column: 20 });
    // Past the document: the nearest existing ancestor.
    expect(positionOfPointer(parsed.source, "/model_list/0/missing/deeper")).toEqual({ line: 2, column: 5 });
  });

  it("reports an alias bomb where the alias is", () => {
    const lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"];
    for (let index = 1; index < 8; index++) {
      lines.push(
        `a${index}: &a${index} [${Array(10)
          .fill(`*a${index - 1}`)
          .join(", ")}]`,
      );
    }
    const parsed = parseYamlSource("bomb.yaml", `${lines.join("\n")}\n`, generous);
    if (!("source" in parsed)) throw new Error("expected a document");
    const read = readYamlData(parsed.source);
    expect("problem" in read && read.problem.message).toMatch(/^YAML: .*alias/i);
  });
});

describe("JSON pointers", () => {
  it("round-trip through their segments", () => {
    fc.assert(
      // (`"/"` alone is read as the root, as the spec loader has always written it.)
      fc.property(fc.array(fc.string(), { maxLength: 5 }), (segments) => {
        fc.pre(!(segments.length === 1 && segments[0] === ""));
        expect(pointerSegments(joinPointer(segments))).toEqual(segments);
      }),
    );
  });
});
