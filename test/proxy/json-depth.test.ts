// Issue 12, item 1: a body nested ~100k levels deep is the caller's 400, refused while the body is read;
// it never reaches the runtime, fails over, or cools a deployment down for everyone.
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findExcessiveNesting, maxJsonDepth } from "../../proxy/json-depth.js";
import { claude, type Harness, paramsFor, postRaw, startHarness } from "./helpers.js";

function depthOf(value: unknown): number {
  if (value === null || typeof value !== "object") return 0;
  return 1 + Math.max(0, ...Object.values(value as Record<string, unknown>).map(depthOf));
}

describe("findExcessiveNesting", () => {
  it("agrees with the depth of the parsed value, brackets inside strings not counted", () => {
    const tricky = fc.constantFrom("[", "]", "{", "}", '"', "\\", '\\"', "[[{");
    const json = fc.letrec((tie) => ({
      value: fc.oneof(
        { depthSize: "small", withCrossShrink: true },
        fc.oneof(fc.string(), fc.string({ unit: tricky }), fc.integer(), fc.constant(null)),
        fc.array(tie("value"), { maxLength: 3 }),
        fc.dictionary(fc.oneof(fc.string(), fc.string({ unit: tricky })), tie("value"), { maxKeys: 3 }),
      ),
    })).value;
    fc.assert(
      fc.property(json, (value) => {
        const text = JSON.stringify(value);
        const depth = depthOf(value);
        expect(findExcessiveNesting(text, depth)).toBeUndefined();
        if (depth > 0) expect(findExcessiveNesting(text, depth - 1)).toBeDefined();
      }),
      { numRuns: 500 },
    );
  });
});

describe("deeply nested bodies through the proxy", () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness((emulator) => ({
      model_list: [
        { model_name: "claude", litellm_params: paramsFor(emulator, claude) },
        { model_name: "claude", litellm_params: paramsFor(emulator, claude) },
      ],
      // Cooldowns on: one failure would put a deployment out of the turns.
      router_settings: { allowed_fails: 0, cooldown_time: 60 },
    }));
  });
  afterAll(() => harness?.close());

  it("answers 400 json_too_deep, calls nothing, and leaves every deployment serving", async () => {
    const levels = 100_000;
    // Written as text: JSON.stringify itself overflows on such a value.
    const schema = `${'{"type":"object","properties":{"x":'.repeat(levels)}{"type":"string"}${"}}".repeat(levels)}`;
    const text = `{"model":"claude","messages":[{"role":"user","content":"hi"}],"tools":[{"type":"function","function":{"name":"f","parameters":${schema}}}]}`;
    const before = harness.emulator.requests.length;
    for (let attempt = 0; attempt < 3; attempt++) {
      const answer = await postRaw(`${harness.proxy.url}/v1/chat/completions`, text);
      expect(answer.status).toBe(400);
      expect(answer.json).toMatchObject({
        error: { type: "invalid_request_error", code: "json_too_deep", param: null },
      });
      expect((answer.json as { error: { message: string } }).error.message).toMatch(
        new RegExp(`deeper than ${maxJsonDepth} levels`),
      );
    }
    expect(harness.emulator.requests.length).toBe(before);
    // Both deployments still take their turns: nothing was counted against them.
    const client = harness.client();
    for (let turn = 0; turn < 2; turn++) {
      const { response } = await client.chat.completions
        .create({ model: "claude", messages: [{ role: "user", content: "hi" }] })
        .withResponse();
      expect(response.headers.get("x-bedrock-forge-deployment")).toBe(`claude#${turn + 1}`);
    }
    expect(harness.logs.filter((line) => String(line.msg).includes("cooling down"))).toEqual([]);
  });

  it("reads a body as deep as real requests get", async () => {
    let schema: Record<string, unknown> = { type: "string" };
    for (let level = 0; level < 40; level++) schema = { type: "object", properties: { x: schema } };
    const answer = await postRaw(
      `${harness.proxy.url}/v1/chat/completions`,
      JSON.stringify({
        model: "claude",
        messages: [{ role: "user", content: "hi" }],
        tools: [{ type: "function", function: { name: "f", parameters: schema } }],
      }),
    );
    expect(answer.status).toBe(200);
  });
});
