import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parsePointer, readPointer, writePointer } from "../../runtime/pointer.js";

describe("JSON pointers", () => {
  it.each([
    ["/generation", { generation: "hi" }, "hi"],
    ["/outputs/0/text", { outputs: [{ text: "a" }] }, "a"],
    [
      "/amazon-bedrock-invocationMetrics/inputTokenCount",
      { "amazon-bedrock-invocationMetrics": { inputTokenCount: 3 } },
      3,
    ],
    ["/artifacts/*/base64", { artifacts: [{ base64: "x" }, { base64: "y" }] }, ["x", "y"]],
    ["/a~1b/c~0d", { "a/b": { "c~d": 1 } }, 1],
    ["/missing/deep", { other: 1 }, undefined],
  ])("reads %s", (pointer, body, expected) => {
    expect(readPointer(body, pointer)).toEqual(expected);
  });

  it("writes nested objects and arrays", () => {
    const body: Record<string, unknown> = {};
    writePointer(body, "/textGenerationConfig/maxTokenCount", 5);
    writePointer(body, "/text_prompts/0/text", "cat");
    expect(body).toEqual({ textGenerationConfig: { maxTokenCount: 5 }, text_prompts: [{ text: "cat" }] });
  });

  it("reads back what it writes for any path", () => {
    const segment = fc.stringMatching(/^[a-zA-Z_~/][a-zA-Z0-9_~/-]{0,8}$/);
    fc.assert(
      fc.property(fc.array(segment, { minLength: 1, maxLength: 5 }), fc.jsonValue(), (segments, value) => {
        const pointer = segments
          .map((part) => `/${part.replaceAll("~", "~0").replaceAll("/", "~1")}`)
          .join("");
        const body: Record<string, unknown> = {};
        writePointer(body, pointer, value);
        expect(parsePointer(pointer)).toEqual(segments);
        expect(readPointer(body, pointer)).toEqual(value);
      }),
    );
  });
});
