/**
 * Tools beyond plain functions, through the public API, the real AWS SDK and the emulator: tool names
 * rewritten for Converse and given back in answers (LiteLLM's make_valid_bedrock_tool_name, tested by
 * tests/llm_translation/test_bedrock_completion.py test_bedrock_tools_pt_invalid_names), Claude's own tools
 * (computer use, bash, text editor) with their beta flag, a client's anthropic-beta header in the body
 * (tests/test_litellm/llms/bedrock/test_anthropic_beta_support.py), tool_choice "any"
 * (tests/test_litellm/llms/bedrock/chat/test_bedrock_tool_choice_any.py) and parallel_tool_calls false
 * as Claude's disable_parallel_tool_use (Anthropic's tool_choice shape:
 * https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-anthropic-claude-messages-request-response.html).
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Emulator, startEmulator } from "../../emulator/index.js";
import { sanitizeToolName } from "../../runtime/chat/tool-names.js";
import {
  type Bedrock,
  type ChatCompletion,
  createBedrock,
  RequestValidationError,
} from "../../runtime/index.js";
import type { ChatCompletionChunk } from "../../runtime/types.js";
import { credentials, failure, lastBody } from "./live.js";

const HAIKU_45 = "us.anthropic.claude-haiku-4-5-20251001-v1:0";
const OPUS_45 = "us.anthropic.claude-opus-4-5-20251101-v1:0";
const SONNET_45 = "us.anthropic.claude-sonnet-4-5-20250929-v1:0";
const NOVA = "amazon.nova-pro-v1:0";

const tool = (name: string) => ({
  type: "function",
  function: { name, parameters: { type: "object", properties: { city: { type: "string" } } } },
});
const computer = {
  type: "computer_20250124",
  function: { name: "computer", parameters: { display_width_px: 1024, display_height_px: 768 } },
};

let emulator: Emulator;
let bedrock: Bedrock;

beforeAll(async () => {
  emulator = await startEmulator({ mode: "synthesize" });
  bedrock = createBedrock({
    region: "us-east-1",
    endpoint: emulator.url,
    credentials,
    num_retries: 0,
    onWarning: () => {},
  });
});

afterAll(async () => {
  await emulator?.close();
});

async function chat(body: Record<string, unknown>): Promise<ChatCompletion> {
  return (await bedrock.chat.completions.create(body as never)) as ChatCompletion;
}

async function streamed(body: Record<string, unknown>): Promise<ChatCompletionChunk[]> {
  const stream = (await bedrock.chat.completions.create({
    ...body,
    stream: true,
  } as never)) as unknown as AsyncIterable<ChatCompletionChunk>;
  const chunks: ChatCompletionChunk[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return chunks;
}

async function refused(body: Record<string, unknown>, message: RegExp) {
  const before = emulator.requests.length;
  const error = await failure(chat(body));
  expect(RequestValidationError.isInstance(error), String(error)).toBe(true);
  expect(String(error)).toMatch(message);
  expect(emulator.requests.length).toBe(before);
}

describe("tool names on Converse", () => {
  it.each([
    ["get-weather!", "get_weather_"],
    ["123-invalid@name", "a123_invalid_name"],
    ["another@invalid#name", "another_invalid_name"],
    ["get_current_weather", "get_current_weather"],
  ])("%s is sent as %s and comes back under the caller's name", async (name, sent) => {
    const request = {
      model: `bedrock/converse/${HAIKU_45}`,
      messages: [{ role: "user", content: "Weather in Paris?" }],
      tools: [tool(name)],
      tool_choice: { type: "function", function: { name } },
    };
    const completion = await chat(request);
    const body = lastBody(emulator);
    expect(body.toolConfig.tools[0].toolSpec.name).toBe(sent);
    expect(body.toolConfig.toolChoice).toEqual({ tool: { name: sent } });
    expect(completion.choices[0]!.message.tool_calls![0]!.function.name).toBe(name);
    const chunks = await streamed(request);
    const names = chunks
      .flatMap((chunk) => chunk.choices[0]?.delta.tool_calls ?? [])
      .map((call) => call.function?.name);
    expect(names.filter(Boolean)).toEqual([name]);
  });

  it("sends an earlier call under its tool's rewritten name", async () => {
    await chat({
      model: `bedrock/converse/${HAIKU_45}`,
      tools: [tool("get-weather")],
      messages: [
        { role: "user", content: "Weather?" },
        {
          role: "assistant",
          content: null,
          tool_calls: [{ id: "c1", type: "function", function: { name: "get-weather", arguments: "{}" } }],
        },
        { role: "tool", tool_call_id: "c1", content: "Sunny" },
      ],
    });
    expect(lastBody(emulator).messages[1].content[0].toolUse).toMatchObject({ name: "get_weather" });
  });

  it("refuses names that become one another's, and names too long once rewritten", async () => {
    await refused(
      {
        model: `bedrock/converse/${HAIKU_45}`,
        messages: [{ role: "user", content: "x" }],
        tools: [tool("a-b"), tool("a_b")],
      },
      /tools\[1\]: the tool name "a_b" is sent as "a_b", as "a-b" already is/,
    );
    await refused(
      {
        model: `bedrock/converse/${HAIKU_45}`,
        messages: [{ role: "user", content: "x" }],
        tools: [tool(`1${"x".repeat(63)}`)],
      },
      /tools\[0\]\.function\.name is too long: at most 64 characters/,
    );
  });

  it("keeps names as given on InvokeModel, where Claude takes hyphens, and refuses others there", async () => {
    await chat({
      model: `bedrock/invoke/${HAIKU_45}`,
      messages: [{ role: "user", content: "Weather?" }],
      tools: [tool("get-weather")],
    });
    expect(lastBody(emulator).tools[0].name).toBe("get-weather");
    await refused(
      {
        model: `bedrock/invoke/${HAIKU_45}`,
        messages: [{ role: "user", content: "x" }],
        tools: [tool("a@b")],
      },
      /tools\[0\]\.function\.name must be 1–64 letters, digits, underscores or hyphens/,
    );
  });

  it("rewrites any string to Converse's pattern, keeping valid names and giving each character its place", () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 40 }), (name) => {
        const sent = sanitizeToolName(name);
        expect(sent).toMatch(/^[A-Za-z][A-Za-z0-9_]*$/);
        expect(sanitizeToolName(sent)).toBe(sent);
        expect(sent.length - name.length).toBe(/^[A-Za-z]/.test(name) ? 0 : 1);
      }),
    );
  });
});

describe("Claude's own tools", () => {
  it("Converse: in additionalModelRequestFields.tools with the model's computer-use flag, functions in toolConfig", async () => {
    await chat({
      model: `bedrock/converse/${OPUS_45}`,
      messages: [{ role: "user", content: "Take a screenshot" }],
      tools: [computer, { type: "bash_20250124" }, tool("get_weather")],
      extra_headers: { "anthropic-beta": "context-1m-2025-08-07" },
    });
    const body = lastBody(emulator);
    expect(body.toolConfig.tools.map((entry: { toolSpec: { name: string } }) => entry.toolSpec.name)).toEqual(
      ["get_weather"],
    );
    expect(body.additionalModelRequestFields).toEqual({
      tools: [
        { type: "computer_20250124", name: "computer", display_width_px: 1024, display_height_px: 768 },
        { type: "bash_20250124", name: "bash" },
      ],
      // Opus 4.5 takes the 2025-11-24 computer-use version (LiteLLM's _process_tools_and_beta).
      anthropic_beta: ["context-1m-2025-08-07", "computer-use-2025-11-24"],
    });
  });

  it("InvokeModel: in the native tool list beside the functions, with the flag in anthropic_beta", async () => {
    await chat({
      model: `bedrock/invoke/${SONNET_45}`,
      messages: [{ role: "user", content: "Edit the file" }],
      tools: [tool("get_weather"), { type: "text_editor_20250124" }],
      anthropic_beta: ["token-efficient-tools-2025-02-19"],
    });
    const body = lastBody(emulator);
    expect(body.tools).toEqual([
      { name: "get_weather", input_schema: tool("get_weather").function.parameters },
      { type: "text_editor_20250124", name: "str_replace_editor" },
    ]);
    expect(body.anthropic_beta).toEqual(["token-efficient-tools-2025-02-19", "computer-use-2025-01-24"]);
  });

  it("a tool choice may name one", async () => {
    await chat({
      model: `bedrock/invoke/${SONNET_45}`,
      messages: [{ role: "user", content: "ls" }],
      tools: [{ type: "bash_20250124", name: "bash" }],
      tool_choice: { type: "function", function: { name: "bash" } },
    });
    expect(lastBody(emulator).tool_choice).toEqual({ type: "tool", name: "bash" });
  });

  it("is refused for models without them, naming the tool", async () => {
    await refused(
      { model: `bedrock/converse/${NOVA}`, messages: [{ role: "user", content: "x" }], tools: [computer] },
      /tools\[0\] must be \{type: "function", function: \{…\}\}$/,
    );
  });

  it("is refused without a name it can be called by", async () => {
    await refused(
      {
        model: `bedrock/converse/${HAIKU_45}`,
        messages: [{ role: "user", content: "x" }],
        tools: [{ type: "computer_20250124" }],
      },
      /tools\[0\] needs a name/,
    );
  });
});

describe("a client's anthropic-beta header", () => {
  it("reaches the body of Claude requests only, from the client's headers or the request's", async () => {
    const client = createBedrock({
      region: "us-east-1",
      endpoint: emulator.url,
      credentials,
      num_retries: 0,
      extra_headers: { "Anthropic-Beta": "interleaved-thinking-2025-05-14" },
    });
    await client.chat.completions.create({
      model: `bedrock/converse/${HAIKU_45}`,
      messages: [{ role: "user", content: "Hi" }],
      headers: { "anthropic-beta": " context-1m-2025-08-07 ,, interleaved-thinking-2025-05-14 " },
    } as never);
    expect(lastBody(emulator).additionalModelRequestFields.anthropic_beta).toEqual([
      "interleaved-thinking-2025-05-14",
      "context-1m-2025-08-07",
    ]);
    await client.chat.completions.create({
      model: `bedrock/converse/${NOVA}`,
      messages: [{ role: "user", content: "Hi" }],
    } as never);
    expect(lastBody(emulator).additionalModelRequestFields).toBeUndefined();
  });
});

describe("tool_choice and parallel_tool_calls", () => {
  it('"any" is "required": any tool on Converse, {type: any} on InvokeModel', async () => {
    const request = {
      messages: [{ role: "user", content: "Weather?" }],
      tools: [tool("get_weather")],
      tool_choice: "any",
    };
    await chat({ ...request, model: `bedrock/converse/${HAIKU_45}` });
    expect(lastBody(emulator).toolConfig.toolChoice).toEqual({ any: {} });
    await chat({ ...request, model: `bedrock/invoke/${HAIKU_45}` });
    expect(lastBody(emulator).tool_choice).toEqual({ type: "any" });
  });

  it("parallel_tool_calls false qualifies Claude's tool choice on InvokeModel (auto when none is given)", async () => {
    const request = {
      model: `bedrock/invoke/${SONNET_45}`,
      messages: [{ role: "user", content: "Weather?" }],
      parallel_tool_calls: false,
    };
    await chat({ ...request, tools: [tool("get_weather")] });
    expect(lastBody(emulator).tool_choice).toEqual({ type: "auto", disable_parallel_tool_use: true });
    await chat({ ...request, tools: [tool("get_weather")], tool_choice: "required" });
    expect(lastBody(emulator).tool_choice).toEqual({ type: "any", disable_parallel_tool_use: true });
    await chat(request);
    expect(lastBody(emulator).tool_choice).toBeUndefined();
  });
});
