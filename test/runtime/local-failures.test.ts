// A request that fails in this process, before anything is sent, is the caller's: a 400, never a Bedrock
// failure that a proxy would fail over or cool a deployment down for (issue 12, item 1).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Emulator, startEmulator } from "../../emulator/index.js";
import { mapBedrockError, RequestValidationError } from "../../runtime/errors.js";
import { createBedrock } from "../../runtime/index.js";

const keys = {
  accessKeyId: "AKIAIOSFODNN7EXAMPLE",
  secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
};

/** A JSON Schema nested `levels` deep: the SDK's serializer (Converse) and JSON.stringify (InvokeModel) recurse on it. */
function deepSchema(levels: number): Record<string, unknown> {
  let schema: Record<string, unknown> = { type: "string" };
  for (let level = 0; level < levels; level++) schema = { type: "object", properties: { x: schema } };
  return schema;
}

describe("failures before anything is sent", () => {
  let emulator: Emulator;
  beforeAll(async () => {
    emulator = await startEmulator({ port: 0 });
  });
  afterAll(() => emulator.close());

  it.each([
    ["Converse (the SDK's serializer)", "anthropic.claude-3-haiku-20240307-v1:0"],
    ["InvokeModel (JSON.stringify)", "bedrock/invoke/anthropic.claude-3-haiku-20240307-v1:0"],
  ])("a body nested 100,000 levels deep is a 400 request_not_serializable: %s", async (_route, model) => {
    const bedrock = createBedrock({ endpoint: emulator.url, region: "us-east-1", credentials: keys });
    const before = emulator.requests.length;
    const error = await bedrock.chat.completions
      .create({
        model,
        messages: [{ role: "user", content: "hi" }],
        tools: [{ type: "function", function: { name: "f", parameters: deepSchema(100_000) } }],
      } as never)
      .then(
        () => undefined,
        (caught: unknown) => caught,
      );
    expect(RequestValidationError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ status: 400, code: "request_not_serializable", retryable: false });
    expect((error as Error).message).toMatch(/cannot be serialized \(Maximum call stack size exceeded\)/);
    expect(emulator.requests.length).toBe(before);
  });

  it("keeps Node's own range errors (a broken frame being read) as response errors", () => {
    const outOfRange = Object.assign(new RangeError('The value of "offset" is out of range.'), {
      code: "ERR_OUT_OF_RANGE",
    });
    expect(mapBedrockError(outOfRange).code).not.toBe("request_not_serializable");
  });
});
