/** The conformance matcher and case loader: a case can only be trusted if its comparison can fail. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseCaseFile } from "./cases.js";
import { findMismatches } from "./match.js";

const json = fc.jsonValue();

describe("findMismatches", () => {
  it.each([
    ["an equal scalar", 1, 1, 0],
    ["a different scalar", 1, 2, 1],
    ["a subset object", { a: 1 }, { a: 1, b: 2 }, 0],
    ["a missing key", { a: 1 }, { b: 2 }, 1],
    ["arrays of another length", [1], [1, 2], 1],
    ["arrays element by element", [{ a: 1 }, { b: 2 }], [{ a: 1, x: 0 }, { b: 3 }], 1],
    ["$absent on a missing key", { a: { $absent: true } }, { b: 1 }, 0],
    ["$absent on a present key", { a: { $absent: true } }, { a: null }, 1],
    ["$present on a present key", { a: { $present: true } }, { a: 0 }, 0],
    ["$present on a missing key", { a: { $present: true } }, {}, 1],
    ["$json on a matching string", { $json: { a: [1] } }, '{"a": [1], "b": 2}', 0],
    ["$json on a different string", { $json: { a: [1] } }, '{"a": [2]}', 1],
    ["$json on invalid JSON", { $json: {} }, "{", 1],
    ["$base64json on a match", { $base64json: { a: 1 } }, Buffer.from('{"a":1,"b":2}').toString("base64"), 0],
    ["$base64json on another value", { $base64json: { a: 1 } }, Buffer.from('{"a":2}').toString("base64"), 1],
    ["$unordered in another order", { $unordered: ["b", "a"] }, ["a", "b"], 0],
    ["$unordered with an extra element", { $unordered: ["a"] }, ["a", "b"], 1],
    ["$contains with extra elements", { $contains: [{ k: 2 }] }, [{ k: 1 }, { k: 2, z: 0 }], 0],
    ["$contains the same element twice", { $contains: ["a", "a"] }, ["a"], 1],
    ["$regex on a match", { $regex: "^Bearer " }, "Bearer x", 0],
    ["$regex on a number", { $regex: "1" }, 1, 1],
    ["$approx within rounding", { $approx: 0.3 }, 0.1 + 0.2, 0],
    ["$approx far off", { $approx: 0.3 }, 0.31, 1],
    ["$lacks on a missing object", { a: { $lacks: ["k"] } }, {}, 0],
    ["$lacks on an object without the key", { a: { $lacks: ["k"] } }, { a: { j: 1 } }, 0],
    ["$lacks on an object with the key", { a: { $lacks: ["k", "j"] } }, { a: { k: 1, j: 2 } }, 2],
  ])("%s", (_name, expected, actual, count) => {
    expect(findMismatches(expected, actual)).toHaveLength(count);
  });

  it("names the path of a difference", () => {
    expect(
      findMismatches(
        { messages: [{ content: [{ text: "a" }] }] },
        { messages: [{ content: [{ text: "b" }] }] },
      ),
    ).toEqual([{ path: "$.messages[0].content[0].text", expected: '"a"', actual: '"b"' }]);
  });

  it("matches every JSON value against itself", () => {
    fc.assert(fc.property(json, (value) => findMismatches(value, value).length === 0));
  });

  it("matches every object against itself with keys added", () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), json), fc.string(), json, (value, key, extra) => {
        fc.pre(!Object.hasOwn(value, key) && !key.startsWith("$"));
        return findMismatches(value, { ...value, [key]: extra }).length === 0;
      }),
    );
  });

  it("finds a changed leaf", () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string({ minLength: 1 }), fc.integer(), { minKeys: 1 }), (value) => {
        const [key] = Object.keys(value);
        fc.pre(!key!.startsWith("$"));
        return findMismatches(value, { ...value, [key!]: value[key!]! + 1 }).length === 1;
      }),
    );
  });
});

describe("parseCaseFile", () => {
  const base = `
group: sample
title: Sample
cases:
  - id: one
    source: { file: tests/x.py, test: test_x }
    call: chat
    input: { model: m, messages: [] }
`;

  it("reads a valid file", () => {
    const file = parseCaseFile(`${base}    expect: { request: { body: {} } }\n`, "sample.yaml");
    expect(file.cases.map((testCase) => testCase.id)).toEqual(["one"]);
  });

  it.each([
    [
      "an unknown field",
      "    expect: { request: { body: {} } }\n    extra: 1\n",
      /must NOT have additional properties/,
    ],
    ["a result without an answer", "    expect: { result: {} }\n", /expect.result needs a Bedrock answer/],
    [
      "pending and differs together",
      "    expect: { request: { body: {} } }\n    pending: x\n    differs: y\n",
      /either pending or differs/,
    ],
    [
      "a stream answer for a unary call",
      "    answer: { operation: converse-stream, events: [{ messageStop: {} }] }\n    expect: { result: {} }\n",
      /input.stream is false/,
    ],
  ])("refuses %s, naming the file", (_name, tail, message) => {
    expect(() => parseCaseFile(`${base}${tail}`, "sample.yaml")).toThrow(message);
    expect(() => parseCaseFile(`${base}${tail}`, "sample.yaml")).toThrow(/sample\.yaml/);
  });
});
