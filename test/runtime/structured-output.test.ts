/**
 * JSON output as LiteLLM sends it (tests/test_litellm/llms/bedrock/chat/test_converse_transformation.py and
 * the Bedrock invoke tests of test_bedrock_chat_invoke_transformations_anthropic_claude3_transformation.py):
 * Converse's native outputConfig.textFormat for models with structured output (the schema a JSON string with
 * every object closed), the json_tool_call tool for the others, and on InvokeModel output_config.format kept
 * for models that take it, inlined into the last user message for those that do not. Bedrock's format:
 * https://docs.aws.amazon.com/bedrock/latest/userguide/structured-output.html
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Emulator, startEmulator } from "../../emulator/index.js";
import { closeObjectSchemas } from "../../runtime/chat/structured-output.js";
import { type Bedrock, type ChatCompletion, createBedrock } from "../../runtime/index.js";
import { credentials, lastBody } from "./live.js";

const schema = {
  type: "object",
  properties: {
    name: { type: "string" },
    address: { type: "object", properties: { city: { type: "string" } } },
    tags: { type: "array", items: { type: "object", properties: { label: { type: "string" } } } },
    extra: { type: "object", additionalProperties: true },
  },
  required: ["name"],
};
const closed = {
  type: "object",
  additionalProperties: false,
  properties: {
    name: { type: "string" },
    address: { type: "object", additionalProperties: false, properties: { city: { type: "string" } } },
    tags: {
      type: "array",
      items: { type: "object", additionalProperties: false, properties: { label: { type: "string" } } },
    },
    extra: { type: "object", additionalProperties: true },
  },
  required: ["name"],
};
const responseFormat = {
  type: "json_schema",
  json_schema: { name: "Person", description: "A person", schema },
};

let emulator: Emulator;
let bedrock: Bedrock;

beforeAll(async () => {
  emulator = await startEmulator({ mode: "synthesize" });
  bedrock = createBedrock({ region: "us-east-1", endpoint: emulator.url, credentials, num_retries: 0 });
});

afterAll(async () => {
  await emulator?.close();
});

async function chat(body: Record<string, unknown>): Promise<ChatCompletion> {
  return (await bedrock.chat.completions.create(body as never)) as ChatCompletion;
}

describe("closing object schemas", () => {
  it("adds additionalProperties false to every object at any depth, keeping what is set", () => {
    expect(closeObjectSchemas(schema)).toEqual(closed);
    expect(
      closeObjectSchemas({
        $defs: { point: { type: "object", properties: { x: { type: "number" } } } },
        anyOf: [{ $ref: "#/$defs/point" }, { type: ["object", "null"], properties: {} }],
      }),
    ).toEqual({
      $defs: {
        point: { type: "object", properties: { x: { type: "number" } }, additionalProperties: false },
      },
      anyOf: [
        { $ref: "#/$defs/point" },
        { type: ["object", "null"], properties: {}, additionalProperties: false },
      ],
    });
  });

  it("never changes the caller's schema and is idempotent", () => {
    const objectSchema = fc.letrec((tie) => ({
      node: fc.oneof(
        { depthSize: "small" },
        fc.record({ type: fc.constant("string") }),
        fc.record({ type: fc.constant("object"), properties: fc.dictionary(fc.string(), tie("node")) }),
        fc.record({ type: fc.constant("array"), items: tie("node") }),
      ),
    })).node;
    fc.assert(
      fc.property(objectSchema, (value) => {
        const before = structuredClone(value);
        const once = closeObjectSchemas(value);
        expect(value).toEqual(before);
        expect(closeObjectSchemas(once)).toEqual(once);
      }),
    );
  });
});

describe("Converse", () => {
  it.each([
    "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
    "us.anthropic.claude-haiku-4-5-20251001-v1:0",
    "us.anthropic.claude-opus-4-6-v1",
    "us.anthropic.claude-sonnet-4-6",
  ])("%s: a json_schema is native outputConfig, no tool", async (model) => {
    const completion = await chat({
      model: `bedrock/converse/${model}`,
      messages: [{ role: "user", content: "Who?" }],
      response_format: responseFormat,
    });
    const body = lastBody(emulator);
    expect(body.toolConfig).toBeUndefined();
    const { jsonSchema } = body.outputConfig.textFormat.structure;
    expect(body.outputConfig.textFormat.type).toBe("json_schema");
    expect(jsonSchema).toMatchObject({ name: "Person", description: "A person" });
    expect(JSON.parse(jsonSchema.schema)).toEqual(closed);
    expect(completion.choices[0]!.finish_reason).toBe("stop");
  });

  it("keeps the caller's tools beside native output", async () => {
    await chat({
      model: "bedrock/converse/us.anthropic.claude-sonnet-4-5-20250929-v1:0",
      messages: [{ role: "user", content: "Who?" }],
      tools: [{ type: "function", function: { name: "lookup", parameters: { type: "object" } } }],
      response_format: responseFormat,
    });
    const body = lastBody(emulator);
    expect(body.toolConfig.tools.map((tool: { toolSpec: { name: string } }) => tool.toolSpec.name)).toEqual([
      "lookup",
    ]);
    expect(body.outputConfig.textFormat.structure.jsonSchema.name).toBe("Person");
  });

  it.each(["anthropic.claude-3-haiku-20240307-v1:0", "us.anthropic.claude-opus-4-7", "amazon.nova-pro-v1:0"])(
    "%s (no structured output in the catalog): the forced json_tool_call tool",
    async (model) => {
      const completion = await chat({
        model: `bedrock/converse/${model}`,
        messages: [{ role: "user", content: "Who?" }],
        response_format: responseFormat,
      });
      const body = lastBody(emulator);
      expect(body.outputConfig).toBeUndefined();
      expect(body.toolConfig.tools[0].toolSpec).toMatchObject({
        name: "json_tool_call",
        inputSchema: { json: schema },
      });
      expect(body.toolConfig.toolChoice).toEqual({ tool: { name: "json_tool_call" } });
      expect(JSON.parse(completion.choices[0]!.message.content!)).toMatchObject({ name: expect.any(String) });
    },
  );
});

describe("InvokeModel output_config.format", () => {
  const request = {
    messages: [{ role: "user", content: "say hello" }],
    max_tokens: 100,
    output_config: { format: { type: "json_schema", schema }, effort: "high" },
  };

  it("is sent as is to a model with structured output", async () => {
    await chat({ ...request, model: "bedrock/invoke/us.anthropic.claude-sonnet-4-5-20250929-v1:0" });
    const body = lastBody(emulator);
    expect(body.output_config).toEqual(request.output_config);
    expect(body.messages).toEqual([{ role: "user", content: [{ type: "text", text: "say hello" }] }]);
  });

  it("is inlined into the last user message for a model without it, the rest of output_config kept", async () => {
    await chat({
      ...request,
      model: "bedrock/invoke/anthropic.claude-3-haiku-20240307-v1:0",
      messages: [
        { role: "user", content: "first" },
        { role: "assistant", content: "ok" },
        { role: "user", content: "say hello" },
      ],
      output_config: { format: { type: "json_schema", schema } },
    });
    const body = lastBody(emulator);
    expect(body.output_config).toBeUndefined();
    expect(body.messages[2].content).toEqual([
      { type: "text", text: "say hello" },
      { type: "text", text: JSON.stringify(schema) },
    ]);
    expect(body.messages[0].content).toEqual([{ type: "text", text: "first" }]);
  });
});
