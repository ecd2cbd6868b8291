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
import { type Emulator, type LoadedFixture, startEmulator } from "../../emulator/index.js";
import { closeObjectSchemas } from "../../runtime/chat/structured-output.js";
import {
  type Bedrock,
  type ChatCompletion,
  type ChatCompletionChunk,
  createBedrock,
} from "../../runtime/index.js";
import { assemble, credentials, lastBody } from "./live.js";

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

const weatherTool = {
  type: "function",
  function: {
    name: "get_weather",
    parameters: { type: "object", properties: { location: { type: "string" } } },
  },
};

/**
 * A ConverseStream answer with the JSON tool's block and a real tool's block, as in LiteLLM's
 * test_streaming_filters_json_tool_call_with_real_tools (test_converse_transformation.py).
 */
const jsonAndRealToolStream: LoadedFixture = {
  name: "json-tool-and-real-tool-stream",
  fixture: {
    source:
      "tests/test_litellm/llms/bedrock/chat/test_converse_transformation.py::test_streaming_filters_json_tool_call_with_real_tools",
    operation: "converse-stream",
    modelId: null,
    request: null,
    http: { status: 200, responseHeaders: {} },
    events: [
      { messageStart: { role: "assistant" } },
      {
        contentBlockStart: {
          start: { toolUse: { toolUseId: "tooluse_json_001", name: "json_tool_call" } },
          contentBlockIndex: 0,
        },
      },
      { contentBlockDelta: { delta: { toolUse: { input: '{"temp": ' } }, contentBlockIndex: 0 } },
      { contentBlockDelta: { delta: { toolUse: { input: "62}" } }, contentBlockIndex: 0 } },
      { contentBlockStop: { contentBlockIndex: 0 } },
      {
        contentBlockStart: {
          start: { toolUse: { toolUseId: "tooluse_weather_001", name: "get_weather" } },
          contentBlockIndex: 1,
        },
      },
      { contentBlockDelta: { delta: { toolUse: { input: '{"location": "SF"}' } }, contentBlockIndex: 1 } },
      { contentBlockStop: { contentBlockIndex: 1 } },
      { messageStop: { stopReason: "tool_use" } },
    ].map((event) => {
      const [eventType, payload] = Object.entries(event)[0]!;
      return { messageType: "event", eventType, payload };
    }),
  } as never,
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

async function streamChunks(
  body: Record<string, unknown>,
  client: Bedrock = bedrock,
): Promise<ChatCompletionChunk[]> {
  const stream = (await client.chat.completions.create({
    ...body,
    stream: true,
  } as never)) as unknown as AsyncIterable<ChatCompletionChunk>;
  const chunks: ChatCompletionChunk[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return chunks;
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
    // Recorded with outputConfig: test/recordings/converse/pydantic-ai_test_bedrock_native_output_mistral.json
    "mistral.mistral-large-3-675b-instruct",
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

describe("Converse streams in JSON mode", () => {
  it("native output streams its JSON as content, outputConfig sent to ConverseStream", async () => {
    const chunks = await streamChunks({
      model: "bedrock/converse/us.anthropic.claude-sonnet-4-5-20250929-v1:0",
      messages: [{ role: "user", content: "Who?" }],
      response_format: responseFormat,
    });
    const body = lastBody(emulator);
    expect(JSON.parse(body.outputConfig.textFormat.structure.jsonSchema.schema)).toEqual(closed);
    expect(body.toolConfig).toBeUndefined();
    const { content, toolCalls, finish } = assemble(chunks);
    expect(content.length).toBeGreaterThan(0);
    expect(toolCalls).toEqual([]);
    expect(finish).toBe("stop");
  });

  it("the JSON tool's stream comes out as content deltas, never as a tool call", async () => {
    const chunks = await streamChunks({
      model: "bedrock/converse/anthropic.claude-3-haiku-20240307-v1:0",
      messages: [{ role: "user", content: "Who?" }],
      response_format: responseFormat,
    });
    expect(lastBody(emulator).toolConfig.toolChoice).toEqual({ tool: { name: "json_tool_call" } });
    expect(chunks.some((chunk) => chunk.choices[0]?.delta.tool_calls)).toBe(false);
    const { content, finish } = assemble(chunks);
    expect(JSON.parse(content)).toMatchObject({ name: expect.any(String) });
    expect(finish).toBe("stop");
  });

  it("beside a real tool: the JSON tool's deltas are content, the real tool stays a tool call at index 0", async () => {
    // An emulator that answers every call with the recorded-shape stream of both tools.
    const replay = await startEmulator({ mode: "replay", fixtures: [jsonAndRealToolStream] });
    const client = createBedrock({ region: "us-east-1", endpoint: replay.url, credentials, num_retries: 0 });
    let chunks: ChatCompletionChunk[];
    let body: ReturnType<typeof lastBody>;
    try {
      chunks = await streamChunks(
        {
          model: "bedrock/converse/anthropic.claude-3-haiku-20240307-v1:0",
          messages: [{ role: "user", content: "Temperature in SF as JSON" }],
          tools: [weatherTool],
          response_format: responseFormat,
        },
        client,
      );
      body = lastBody(replay);
    } finally {
      await replay.close();
    }
    expect(body.toolConfig.tools.map((tool: { toolSpec: { name: string } }) => tool.toolSpec.name)).toEqual([
      "get_weather",
      "json_tool_call",
    ]);
    expect(body.toolConfig.toolChoice).toBeUndefined();
    const contentDeltas = chunks.map((chunk) => chunk.choices[0]?.delta.content).filter(Boolean);
    expect(contentDeltas).toEqual(['{"temp": ', "62}"]);
    const toolDeltas = chunks.flatMap((chunk) => chunk.choices[0]?.delta.tool_calls ?? []);
    expect(toolDeltas.map((delta) => delta.index)).toEqual([0, 0]);
    expect(toolDeltas[0]).toMatchObject({ id: "tooluse_weather_001", function: { name: "get_weather" } });
    const { content, toolCalls, finish } = assemble(chunks);
    expect(content).toBe('{"temp": 62}');
    expect(toolCalls).toEqual([
      { id: "tooluse_weather_001", name: "get_weather", arguments: '{"location": "SF"}' },
    ]);
    expect(finish).toBe("tool_calls");
  });
});

describe("InvokeModel response_format", () => {
  it.each([
    ["us.anthropic.claude-sonnet-4-5-20250929-v1:0", {}, {}],
    ["us.anthropic.claude-opus-4-6-v1", { reasoning_effort: "high" }, { effort: "high" }],
  ])(
    "%s: a json_schema is output_config.format with the closed schema, beside its effort, and no tool",
    async (model, extra, config) => {
      const completion = await chat({
        model: `bedrock/invoke/${model}`,
        messages: [{ role: "user", content: "Who?" }],
        response_format: responseFormat,
        ...extra,
      });
      const body = lastBody(emulator);
      expect(body.output_config).toEqual({ ...config, format: { type: "json_schema", schema: closed } });
      expect(body.tools).toBeUndefined();
      expect(body.tool_choice).toBeUndefined();
      expect(completion.choices[0]!.message.tool_calls).toBeUndefined();
      expect(completion.choices[0]!.finish_reason).toBe("stop");
    },
  );

  it("a model without structured output gets the forced json_tool_call tool, its answer as content", async () => {
    const completion = await chat({
      model: "bedrock/invoke/anthropic.claude-3-haiku-20240307-v1:0",
      messages: [{ role: "user", content: "Who?" }],
      response_format: responseFormat,
    });
    const body = lastBody(emulator);
    expect(body.output_config).toBeUndefined();
    expect(body.tools).toEqual([{ name: "json_tool_call", description: "A person", input_schema: schema }]);
    expect(body.tool_choice).toEqual({ type: "tool", name: "json_tool_call" });
    expect(JSON.parse(completion.choices[0]!.message.content!)).toMatchObject({ name: expect.any(String) });
  });
});

describe("InvokeModel output_config.format", () => {
  const request = {
    messages: [{ role: "user", content: "say hello" }],
    max_tokens: 100,
    output_config: { format: { type: "json_schema", schema }, effort: "high" },
  };

  it("is sent as is to a model with structured output", async () => {
    // Opus 4.5 takes both format and effort (Sonnet 4.5 refuses effort).
    await chat({ ...request, model: "bedrock/invoke/us.anthropic.claude-opus-4-5-20251101-v1:0" });
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
