/**
 * Chat behaviour through the public API, the real AWS SDK and the emulator, on both routes where the
 * model has them: what the caller gets back (OpenAI-shaped) and what Bedrock received (the native
 * request in the emulator's log). Expected wire shapes are Bedrock's documented ones, written here.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { type Emulator, startEmulator } from "../../emulator/index.js";
import {
  type Bedrock,
  BedrockCallError,
  type ChatCompletion,
  createBedrock,
  ModelNotSupportedError,
  RequestValidationError,
} from "../../runtime/index.js";
import { forgetDroppedParamWarnings } from "../../runtime/params.js";
import {
  credentials,
  failure,
  lastBody,
  messageOf,
  pdfBytes,
  pdfDataUrl,
  pngBase64,
  pngBytes,
  pngDataUrl,
  recording,
  reply,
} from "./live.js";

const CLAUDE = "anthropic.claude-3-7-sonnet-20250219-v1:0";
const CLAUDE_NO_REASONING = "anthropic.claude-3-haiku-20240307-v1:0";
const CLAUDE_NO_PREFILL = "anthropic.claude-opus-4-6-v1";
const SONNET_45 = "us.anthropic.claude-sonnet-4-5-20250929-v1:0";
const CLAUDE_TEXT = "anthropic.claude-v2:1";
const NOVA = "amazon.nova-lite-v1:0";
const LLAMA = "meta.llama3-8b-instruct-v1:0";
const LLAMA_TOOLS = "meta.llama3-1-70b-instruct-v1:0";

const converse = <M extends string>(model: M) => `bedrock/converse/${model}` as const;
const invoke = <M extends string>(model: M) => `bedrock/invoke/${model}` as const;

const weatherTool = {
  type: "function",
  function: {
    name: "get_weather",
    description: "The weather in a city",
    parameters: {
      type: "object",
      properties: { city: { type: "string" } },
      required: ["city"],
    },
  },
} as const;
const timeTool = {
  type: "function",
  function: { name: "get_time", parameters: { type: "object", properties: { zone: { type: "string" } } } },
} as const;

let emulator: Emulator;
let bedrock: Bedrock;
const warnings: string[] = [];

beforeAll(async () => {
  emulator = await startEmulator({
    mode: "hybrid",
    fixtures: [
      recording("converse/pydantic-ai_test_bedrock_model_thinking_part_anthropic-1.json"),
      recording("converse/pydantic-ai_test_bedrock_model_thinking_part_redacted-1.json"),
      recording("converse/pydantic-ai_test_bedrock_anthropic_tool_with_thinking-1.json"),
    ],
  });
  bedrock = createBedrock({
    region: "us-east-1",
    endpoint: emulator.url,
    credentials,
    num_retries: 0,
    onWarning: (message) => warnings.push(message),
  });
});

afterAll(async () => {
  await emulator?.close();
});

// biome-ignore lint/suspicious/noExplicitAny: requests are built from tables across models; the typed overloads are exercised in test/types
async function chat(body: Record<string, unknown>, options?: any): Promise<ChatCompletion> {
  return (await bedrock.chat.completions.create(body as never, options)) as ChatCompletion;
}

/** Calls that must fail before any request reaches Bedrock. */
async function refused(body: Record<string, unknown>) {
  const before = emulator.requests.length;
  const error = await failure(chat(body));
  expect(RequestValidationError.isInstance(error), String(error)).toBe(true);
  expect(emulator.requests.length).toBe(before);
  return error;
}

describe("system messages", () => {
  const messages = [
    { role: "system", content: "Be brief." },
    { role: "developer", content: [{ type: "text", text: "Answer in English." }] },
    { role: "user", content: "Hello there" },
  ];

  it("Converse: system blocks, in order", async () => {
    const completion = await chat({ model: converse(CLAUDE), messages });
    expect(messageOf(completion).content).toBe(reply("Hello there"));
    expect(completion.provider_specific_fields.route).toBe("converse");
    expect(emulator.requests.at(-1)!.operation).toBe("converse");
    expect(lastBody(emulator).system).toEqual([{ text: "Be brief." }, { text: "Answer in English." }]);
    expect(lastBody(emulator).messages).toEqual([{ role: "user", content: [{ text: "Hello there" }] }]);
  });

  it("Claude invoke: the Messages API's system string", async () => {
    const completion = await chat({ model: invoke(CLAUDE), messages });
    expect(messageOf(completion).content).toBe(reply("Hello there"));
    expect(completion.provider_specific_fields.route).toBe("invoke");
    expect(emulator.requests.at(-1)!.operation).toBe("invoke");
    expect(lastBody(emulator)).toMatchObject({
      anthropic_version: "bedrock-2023-05-31",
      system: "Be brief.\n\nAnswer in English.",
      messages: [{ role: "user", content: [{ type: "text", text: "Hello there" }] }],
    });
  });

  it("Nova invoke: system blocks in the messages-v1 body", async () => {
    await chat({ model: invoke(NOVA), messages });
    expect(lastBody(emulator)).toMatchObject({
      schemaVersion: "messages-v1",
      system: [{ text: "Be brief." }, { text: "Answer in English." }],
    });
  });

  it("Llama 3 invoke: the Llama 3 prompt template with a system turn", async () => {
    const completion = await chat({ model: invoke(LLAMA), messages, max_tokens: 100 });
    expect(messageOf(completion).content).toBe(reply("Hello there"));
    expect(lastBody(emulator)).toEqual({
      prompt:
        "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nBe brief.\n\nAnswer in English.<|eot_id|>" +
        "<|start_header_id|>user<|end_header_id|>\n\nHello there<|eot_id|>" +
        "<|start_header_id|>assistant<|end_header_id|>\n\n",
      max_gen_len: 100,
    });
  });

  it("Claude 2.1 invoke: the system prompt at the top of the Human/Assistant prompt", async () => {
    await chat({ model: invoke(CLAUDE_TEXT), messages, max_tokens: 50 });
    expect(lastBody(emulator)).toEqual({
      prompt: "Be brief.\n\nAnswer in English.\n\nHuman: Hello there\n\nAssistant:",
      max_tokens_to_sample: 50,
    });
  });

  it("Llama 3 Converse: system blocks (the template is only for invoke)", async () => {
    await chat({ model: converse(LLAMA), messages });
    expect(lastBody(emulator).system).toEqual([{ text: "Be brief." }, { text: "Answer in English." }]);
    expect(lastBody(emulator).prompt).toBeUndefined();
  });
});

describe("vision and documents", () => {
  const withImage = (url: string) => [
    {
      role: "user",
      content: [
        { type: "text", text: "What is in the picture?" },
        { type: "image_url", image_url: { url } },
      ],
    },
  ];

  it("Converse: a data: URL becomes image bytes on the wire", async () => {
    const completion = await chat({ model: converse(CLAUDE), messages: withImage(pngDataUrl) });
    expect(messageOf(completion).content).toBe(reply("What is in the picture?"));
    expect(lastBody(emulator).messages[0].content).toEqual([
      { text: "What is in the picture?" },
      { image: { format: "png", source: { bytes: pngBase64 } } },
    ]);
  });

  it("Claude invoke: a base64 image block", async () => {
    await chat({ model: invoke(CLAUDE), messages: withImage(pngDataUrl) });
    expect(lastBody(emulator).messages[0].content[1]).toEqual({
      type: "image",
      source: { type: "base64", media_type: "image/png", data: pngBase64 },
    });
  });

  it("Nova invoke: an image block with base64 bytes", async () => {
    await chat({ model: invoke(NOVA), messages: withImage(pngDataUrl) });
    expect(lastBody(emulator).messages[0].content[1]).toEqual({
      image: { format: "png", source: { bytes: pngBase64 } },
    });
  });

  it("an http(s) image URL with fetching turned off (imageFetch: false) is a clear error before any call", async () => {
    for (const model of [converse(CLAUDE), invoke(CLAUDE)]) {
      const error = await refused({
        model,
        messages: withImage("https://example.com/cat.png"),
        imageFetch: false,
      });
      expect(error.message).toMatch(/fetching image URLs is turned off \(imageFetch: false\)/);
      expect(error.message).toMatch(/https:\/\/example\.com\/cat\.png/);
      expect(error.param).toBe("messages[0].content[1]");
    }
  });

  it("with fetchImage (per request or per client) the fetched bytes reach the wire", async () => {
    const fetched: string[] = [];
    const fetchImage = async (url: string) => {
      fetched.push(url);
      return { bytes: new Uint8Array(pngBytes), mediaType: "image/png" };
    };
    await chat({ model: converse(CLAUDE), messages: withImage("https://example.com/a.png"), fetchImage });
    expect(lastBody(emulator).messages[0].content[1]).toEqual({
      image: { format: "png", source: { bytes: pngBase64 } },
    });
    const withFetcher = createBedrock({
      region: "us-east-1",
      endpoint: emulator.url,
      credentials,
      fetchImage,
    });
    await withFetcher.chat.completions.create({
      model: invoke(CLAUDE),
      messages: withImage("http://example.com/b.png") as never,
    });
    expect(lastBody(emulator).messages[0].content[1].source.data).toBe(pngBase64);
    expect(fetched).toEqual(["https://example.com/a.png", "http://example.com/b.png"]);
  });

  it("a text-prompt family refuses images on invoke, pointing at the converse route", async () => {
    const error = await refused({ model: invoke(LLAMA), messages: withImage(pngDataUrl) });
    expect(error.message).toMatch(/converse route/);
  });

  const withPdf = [
    {
      role: "user",
      content: [
        { type: "text", text: "Summarize the report." },
        { type: "file", file: { file_data: pdfDataUrl, filename: "Q3 report.pdf" } },
      ],
    },
  ];

  it("Converse: a PDF data URL becomes a named document block", async () => {
    const completion = await chat({ model: converse(CLAUDE), messages: withPdf });
    expect(messageOf(completion).content).toBe(reply("Summarize the report."));
    expect(lastBody(emulator).messages[0].content[1]).toEqual({
      document: { format: "pdf", name: "Q3 report", source: { bytes: pdfBytes.toString("base64") } },
    });
  });

  it("Claude invoke: a base64 PDF document block", async () => {
    await chat({ model: invoke(CLAUDE), messages: withPdf });
    expect(lastBody(emulator).messages[0].content[1]).toEqual({
      type: "document",
      source: { type: "base64", media_type: "application/pdf", data: pdfBytes.toString("base64") },
    });
  });
});

describe("tools", () => {
  const ask = [{ role: "user", content: "What is the weather in Paris?" }];
  const converseChoices: [string, unknown, unknown][] = [
    ["auto", "auto", { auto: {} }],
    ["required", "required", { any: {} }],
    [
      "a named function",
      { type: "function", function: { name: "get_time" } },
      { tool: { name: "get_time" } },
    ],
  ];

  it.each(converseChoices)("Converse: tool_choice %s → toolConfig", async (_name, toolChoice, native) => {
    const completion = await chat({
      model: converse(CLAUDE),
      messages: ask,
      tools: [weatherTool, timeTool],
      tool_choice: toolChoice,
    });
    expect(lastBody(emulator).toolConfig).toEqual({
      tools: [
        {
          toolSpec: {
            name: "get_weather",
            description: "The weather in a city",
            inputSchema: { json: weatherTool.function.parameters },
          },
        },
        { toolSpec: { name: "get_time", inputSchema: { json: timeTool.function.parameters } } },
      ],
      toolChoice: native,
    });
    const message = messageOf(completion);
    expect(completion.choices[0]!.finish_reason).toBe("tool_calls");
    expect(message.content).toBeNull();
    expect(message.tool_calls).toHaveLength(1);
    const call = message.tool_calls![0]!;
    expect(call.type).toBe("function");
    expect(call.id).toMatch(/^tooluse_/);
    expect(typeof call.function.arguments).toBe("string");
    if (native && typeof native === "object" && "tool" in native) {
      // get_time has no required property: the emulator's arguments are `{}`.
      expect(call.function).toEqual({ name: "get_time", arguments: "{}" });
    } else {
      expect(call.function).toEqual({ name: "get_weather", arguments: JSON.stringify({ city: "example" }) });
    }
  });

  it("Converse: tool_choice none sends no tools and gets text", async () => {
    const completion = await chat({
      model: converse(CLAUDE),
      messages: ask,
      tools: [weatherTool],
      tool_choice: "none",
    });
    expect(lastBody(emulator).toolConfig).toBeUndefined();
    expect(messageOf(completion).content).toBe(reply("What is the weather in Paris?"));
    expect(messageOf(completion).tool_calls).toBeUndefined();
    expect(completion.choices[0]!.finish_reason).toBe("stop");
  });

  const invokeChoices: [string, unknown, unknown][] = [
    ["auto", "auto", { type: "auto" }],
    ["required", "required", { type: "any" }],
    [
      "a named function",
      { type: "function", function: { name: "get_time" } },
      { type: "tool", name: "get_time" },
    ],
  ];

  it.each(invokeChoices)(
    "Claude invoke: tool_choice %s → tools and tool_choice",
    async (_name, toolChoice, native) => {
      const completion = await chat({
        model: invoke(CLAUDE),
        messages: ask,
        tools: [weatherTool, timeTool],
        tool_choice: toolChoice,
      });
      expect(lastBody(emulator).tools).toEqual([
        {
          name: "get_weather",
          description: "The weather in a city",
          input_schema: weatherTool.function.parameters,
        },
        { name: "get_time", input_schema: timeTool.function.parameters },
      ]);
      expect(lastBody(emulator).tool_choice).toEqual(native);
      expect(completion.choices[0]!.finish_reason).toBe("tool_calls");
      const call = messageOf(completion).tool_calls![0]!;
      expect(JSON.parse(call.function.arguments)).toEqual(
        call.function.name === "get_time" ? {} : { city: "example" },
      );
      expect(call.function.name).toBe(_name === "a named function" ? "get_time" : "get_weather");
    },
  );

  it("Claude invoke: tool_choice none sends no tools", async () => {
    const completion = await chat({
      model: invoke(CLAUDE),
      messages: ask,
      tools: [weatherTool],
      tool_choice: "none",
    });
    expect(lastBody(emulator).tools).toBeUndefined();
    expect(lastBody(emulator).tool_choice).toBeUndefined();
    expect(completion.choices[0]!.finish_reason).toBe("stop");
  });

  it("Nova invoke: toolConfig in the messages-v1 body", async () => {
    const completion = await chat({
      model: invoke(NOVA),
      messages: ask,
      tools: [weatherTool],
      tool_choice: "required",
    });
    expect(lastBody(emulator).toolConfig).toEqual({
      tools: [
        {
          toolSpec: {
            name: "get_weather",
            description: "The weather in a city",
            inputSchema: { json: weatherTool.function.parameters },
          },
        },
      ],
      toolChoice: { any: {} },
    });
    expect(messageOf(completion).tool_calls![0]!.function).toEqual({
      name: "get_weather",
      arguments: JSON.stringify({ city: "example" }),
    });
  });

  const history = [
    { role: "user", content: "What is the weather in Paris and the time in Tokyo?" },
    {
      role: "assistant",
      content: "Let me look.",
      tool_calls: [
        { id: "call_1", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } },
        {
          id: "call_2",
          type: "function",
          function: { name: "get_time", arguments: '{"zone":"Asia/Tokyo"}' },
        },
      ],
    },
    { role: "tool", tool_call_id: "call_1", content: "18°C, sunny" },
    { role: "tool", tool_call_id: "call_2", content: [{ type: "text", text: "21:00" }] },
  ];

  it("Converse: assistant tool_calls and tool messages become toolUse and toolResult", async () => {
    const completion = await chat({
      model: converse(CLAUDE),
      messages: history,
      tools: [weatherTool, timeTool],
    });
    expect(lastBody(emulator).messages).toEqual([
      { role: "user", content: [{ text: "What is the weather in Paris and the time in Tokyo?" }] },
      {
        role: "assistant",
        content: [
          { text: "Let me look." },
          { toolUse: { toolUseId: "call_1", name: "get_weather", input: { city: "Paris" } } },
          { toolUse: { toolUseId: "call_2", name: "get_time", input: { zone: "Asia/Tokyo" } } },
        ],
      },
      {
        role: "user",
        content: [
          { toolResult: { toolUseId: "call_1", content: [{ text: "18°C, sunny" }] } },
          { toolResult: { toolUseId: "call_2", content: [{ text: "21:00" }] } },
        ],
      },
    ]);
    // After tool results the model answers in text.
    expect(completion.choices[0]!.finish_reason).toBe("stop");
    expect(messageOf(completion).tool_calls).toBeUndefined();
  });

  it("Claude invoke: tool_use and tool_result blocks", async () => {
    await chat({ model: invoke(CLAUDE), messages: history, tools: [weatherTool, timeTool] });
    expect(lastBody(emulator).messages.slice(1)).toEqual([
      {
        role: "assistant",
        content: [
          { type: "text", text: "Let me look." },
          { type: "tool_use", id: "call_1", name: "get_weather", input: { city: "Paris" } },
          { type: "tool_use", id: "call_2", name: "get_time", input: { zone: "Asia/Tokyo" } },
        ],
      },
      {
        role: "user",
        content: [
          { type: "tool_result", tool_use_id: "call_1", content: "18°C, sunny" },
          { type: "tool_result", tool_use_id: "call_2", content: "21:00" },
        ],
      },
    ]);
  });

  it("Nova invoke: toolUse and toolResult blocks", async () => {
    await chat({ model: invoke(NOVA), messages: history, tools: [weatherTool, timeTool] });
    expect(lastBody(emulator).messages[1].content[1]).toEqual({
      toolUse: { toolUseId: "call_1", name: "get_weather", input: { city: "Paris" } },
    });
    expect(lastBody(emulator).messages[2].content[0]).toEqual({
      toolResult: { toolUseId: "call_1", content: [{ text: "18°C, sunny" }] },
    });
  });

  it("tool calls without their tool messages, and unknown tool_call_ids, are refused before any call", async () => {
    const missing = await refused({
      model: converse(CLAUDE),
      messages: history.slice(0, 3),
      tools: [weatherTool, timeTool],
    });
    expect(missing.message).toMatch(/call_2/);
    const goesOn = await refused({
      model: invoke(CLAUDE),
      messages: [...history.slice(0, 3), { role: "user", content: "And?" }],
      tools: [weatherTool, timeTool],
    });
    expect(goesOn.message).toMatch(/call_2/);
    expect(goesOn.param).toBe("messages[3]");
    const error = await refused({
      model: converse(CLAUDE),
      messages: [...history.slice(0, 2), { role: "tool", tool_call_id: "call_9", content: "?" }],
    });
    expect(error.message).toMatch(/call_9/);
  });

  it("Converse, a model with tools but no tool choice (Llama 3.1): auto is left to the model, a forced choice is refused", async () => {
    const completion = await chat({
      model: converse(LLAMA_TOOLS),
      messages: ask,
      tools: [weatherTool],
      tool_choice: "auto",
    });
    expect(lastBody(emulator).toolConfig.tools).toHaveLength(1);
    expect(lastBody(emulator).toolConfig.toolChoice).toBeUndefined();
    expect(completion.choices[0]!.finish_reason).toBe("tool_calls");

    const error = await refused({
      model: converse(LLAMA_TOOLS),
      messages: ask,
      tools: [weatherTool],
      tool_choice: "required",
    });
    expect(error.param).toBe("tool_choice");
    expect(error.message).toMatch(LLAMA_TOOLS);

    warnings.length = 0;
    await chat({
      model: converse(LLAMA_TOOLS),
      messages: ask,
      tools: [weatherTool],
      tool_choice: { type: "function", function: { name: "get_weather" } },
      drop_params: true,
    });
    expect(lastBody(emulator).toolConfig.toolChoice).toBeUndefined();
    expect(warnings.join("\n")).toMatch(/tool_choice/);
  });

  it("tools that are not a list are refused by name, also beside a json_schema response_format (its tool joins them)", async () => {
    // Found by the public-request-path property test in translators.property.test.ts.
    const format = { type: "json_schema", json_schema: { name: "answer", schema: { type: "object" } } };
    for (const model of [converse(CLAUDE), invoke(CLAUDE)]) {
      const error = await refused({ model, messages: ask, tools: {}, response_format: format });
      expect(error.message).toBe("tools must be a list of function tools");
    }
  });

  it("a model without tool use refuses tools, naming the model", async () => {
    const error = await refused({
      model: converse("amazon.titan-text-express-v1"),
      messages: ask,
      tools: [weatherTool],
    });
    expect(error.message).toMatch(/amazon\.titan-text-express-v1/);
    expect(error.param).toBe("tools");
  });
});

describe("guardrails", () => {
  const guardrail = { guardrailIdentifier: "gr-client", guardrailVersion: "1", trace: "enabled" } as const;
  let guarded: Bedrock;
  beforeAll(() => {
    guarded = createBedrock({
      region: "us-east-1",
      endpoint: emulator.url,
      credentials,
      guardrailConfig: guardrail,
    });
  });

  it("per client: Converse guardrailConfig and invoke guardrail headers", async () => {
    await guarded.chat.completions.create({
      model: converse(CLAUDE),
      messages: [{ role: "user", content: "Hi" }],
    });
    expect(lastBody(emulator).guardrailConfig).toEqual(guardrail);
    await guarded.chat.completions.create({
      model: invoke(CLAUDE),
      messages: [{ role: "user", content: "Hi" }],
    });
    const headers = emulator.requests.at(-1)!.headers;
    expect(headers["x-amzn-bedrock-guardrailidentifier"]).toBe("gr-client");
    expect(headers["x-amzn-bedrock-guardrailversion"]).toBe("1");
    expect(headers["x-amzn-bedrock-trace"]).toBe("ENABLED");
  });

  it("per request, over the client's", async () => {
    const own = { guardrailIdentifier: "gr-request", guardrailVersion: "DRAFT" };
    await guarded.chat.completions.create({
      model: converse(CLAUDE),
      messages: [{ role: "user", content: "Hi" }],
      guardrailConfig: own,
    });
    expect(lastBody(emulator).guardrailConfig).toEqual(own);
    await chat({ model: invoke(NOVA), messages: [{ role: "user", content: "Hi" }], guardrailConfig: own });
    expect(emulator.requests.at(-1)!.headers["x-amzn-bedrock-guardrailidentifier"]).toBe("gr-request");
    expect(emulator.requests.at(-1)!.headers["x-amzn-bedrock-trace"]).toBeUndefined();
  });

  it.each([converse(CLAUDE), invoke(CLAUDE), invoke(NOVA)])(
    "%s: an intervention gives content_filter and the trace",
    async (model) => {
      const completion = (await guarded.chat.completions.create({
        model,
        messages: [{ role: "user", content: "Tell me something BLOCKED" }],
      } as never)) as ChatCompletion;
      expect(completion.choices[0]!.finish_reason).toBe("content_filter");
      expect(messageOf(completion).content).toBe("Sorry, the model cannot answer this question.");
      const trace = completion.provider_specific_fields.guardrail_trace as Record<string, unknown>;
      expect(JSON.stringify(trace)).toContain("gr-client");
      expect(JSON.stringify(trace)).toContain("Guardrail blocked.");
    },
  );
});

describe("provider-specific params", () => {
  const hello = [{ role: "user", content: "Hello" }];

  it("top_k: additionalModelRequestFields on Converse, the native body on invoke", async () => {
    await chat({ model: converse(CLAUDE), messages: hello, top_k: 7, temperature: 0.2 });
    expect(lastBody(emulator).additionalModelRequestFields).toEqual({ top_k: 7 });
    expect(lastBody(emulator).inferenceConfig).toMatchObject({ temperature: 0.2 });
    await chat({ model: invoke(CLAUDE), messages: hello, top_k: 7 });
    expect(lastBody(emulator).top_k).toBe(7);
    await chat({ model: invoke(NOVA), messages: hello, top_k: 7 });
    expect(lastBody(emulator).inferenceConfig.topK).toBe(7);
  });

  it("an undeclared param passes through: to additionalModelRequestFields and to the native body", async () => {
    // Bedrock checks Claude's native body strictly: the passed-through key reaches it and is refused there,
    // also when it comes through Converse (https://github.com/BerriAI/litellm/issues/7416).
    const refused = await failure(
      chat({ model: converse(CLAUDE), messages: hello, custom_flag: { on: true } }),
    );
    expect(lastBody(emulator).additionalModelRequestFields).toEqual({ custom_flag: { on: true } });
    expect(refused.status).toBe(400);
    expect(refused.message).toMatch(/The model returned the following errors: .*custom_flag/);
    const error = await failure(chat({ model: invoke(CLAUDE), messages: hello, custom_flag: true }));
    expect(lastBody(emulator).custom_flag).toBe(true);
    expect(BedrockCallError.isInstance(error)).toBe(true);
    expect(error.status).toBe(400);
    expect(error.message).toMatch(/custom_flag/);
  });

  const schema = {
    type: "object",
    properties: { name: { type: "string" }, age: { type: "integer" } },
    required: ["name", "age"],
  };

  it.each([converse(CLAUDE), invoke(CLAUDE)])(
    "%s: response_format json_object and json_schema give the JSON as content, no tool calls",
    async (model) => {
      const plain = await chat({ model, messages: hello, response_format: { type: "json_object" } });
      expect(messageOf(plain).tool_calls).toBeUndefined();
      expect(plain.choices[0]!.finish_reason).toBe("stop");
      if (model.startsWith("bedrock/converse/")) {
        // No schema, no tool on Converse (an empty-schema tool makes the model answer {}): LiteLLM's
        // test_json_object_no_schema_skips_tool_injection.
        expect(lastBody(emulator).toolConfig).toBeUndefined();
      } else {
        expect(JSON.parse(messageOf(plain).content!)).toEqual({});
      }

      const typed = await chat({
        model,
        messages: hello,
        response_format: { type: "json_schema", json_schema: { name: "person", schema } },
      });
      expect(JSON.parse(messageOf(typed).content!)).toEqual({ name: "example", age: 1 });
      expect(messageOf(typed).tool_calls).toBeUndefined();
      expect(typed.choices[0]!.finish_reason).toBe("stop");
      const body = lastBody(emulator);
      if (model.startsWith("bedrock/converse/")) {
        expect(body.toolConfig.tools[0].toolSpec.inputSchema.json).toEqual(schema);
        expect(body.toolConfig.toolChoice).toEqual({
          tool: { name: body.toolConfig.tools[0].toolSpec.name },
        });
      } else {
        expect(body.tools[0].input_schema).toEqual(schema);
        expect(body.tool_choice).toEqual({ type: "tool", name: body.tools[0].name });
      }
    },
  );

  it.each(["ai21.jamba-1-5-mini-v1:0", LLAMA_TOOLS])(
    "Converse: %s (tools, no tool choice) is offered the JSON tool, not forced to it",
    async (model) => {
      // LiteLLM's _translate_response_format_param adds json_tool_call and sets tool_choice only where the
      // model supports it (converse_transformation.py); Converse refuses a toolChoice for these models.
      const typed = { type: "json_schema", json_schema: { name: "person", schema } };
      warnings.length = 0;
      const completion = await chat({ model: converse(model), messages: hello, response_format: typed });
      const body = lastBody(emulator);
      expect(body.toolConfig.tools.map((tool: { toolSpec: { name: string } }) => tool.toolSpec.name)).toEqual(
        ["json_tool_call"],
      );
      expect(body.toolConfig.toolChoice).toBeUndefined();
      expect(warnings).toEqual([]);
      // The emulator calls the offered tool; in JSON mode its input is the content.
      expect(messageOf(completion).tool_calls).toBeUndefined();
      expect(JSON.parse(messageOf(completion).content!)).toMatchObject({ name: expect.any(String) });
    },
  );

  it.each([
    [LLAMA, "END", ["END"]],
    ["meta.llama2-13b-chat-v1", ["A", "B"], ["A", "B"]],
    ["us.meta.llama3-3-70b-instruct-v1:0", ["END"], ["END"]],
    ["mistral.mistral-7b-instruct-v0:2", "END", ["END"]],
  ])("Converse: stop on %s is inferenceConfig.stopSequences", async (model, stop, sequences) => {
    // LiteLLM sends stop as stopSequences for every Converse model (converse_transformation.py
    // get_supported_openai_params and map_openai_params); a single string becomes a one-item list.
    await chat({ model: converse(model), messages: hello, stop });
    expect(lastBody(emulator).inferenceConfig).toEqual({ stopSequences: sequences });
  });

  it("a model's own JSON mode on invoke", async () => {
    // Jamba's invoke route has a JSON mode of its own.
    await chat({
      model: invoke("ai21.jamba-1-5-mini-v1:0"),
      messages: hello,
      response_format: { type: "json_object" },
    });
    expect(lastBody(emulator).response_format).toEqual({ type: "json_object" });
  });

  it.each([converse(CLAUDE), invoke(CLAUDE)])(
    "%s: response_format beside tools adds the JSON tool after them, the caller's tool choice standing",
    async (model) => {
      const completion = await chat({
        model,
        messages: hello,
        tools: [weatherTool],
        response_format: { type: "json_schema", json_schema: { name: "person", schema } },
      });
      const body = lastBody(emulator);
      if (model.startsWith("bedrock/converse/")) {
        expect(
          body.toolConfig.tools.map((tool: { toolSpec: { name: string } }) => tool.toolSpec.name),
        ).toEqual(["get_weather", "json_tool_call"]);
        expect(body.toolConfig.toolChoice).toBeUndefined();
      } else {
        expect(body.tools.map((tool: { name: string }) => tool.name)).toEqual([
          "get_weather",
          "json_tool_call",
        ]);
        expect(body.tool_choice).toBeUndefined();
      }
      // A real tool call stays a tool call in JSON mode (the emulator calls the first tool).
      expect(messageOf(completion).tool_calls![0]!.function.name).toBe("get_weather");
      expect(completion.choices[0]!.finish_reason).toBe("tool_calls");
    },
  );

  it.each([
    ["reasoning_effort", { reasoning_effort: "low" }, { type: "enabled", budget_tokens: 1024 }],
    ["reasoning_effort", { reasoning_effort: "high" }, { type: "enabled", budget_tokens: 4096 }],
    [
      "thinking",
      { thinking: { type: "enabled", budget_tokens: 2048 } },
      { type: "enabled", budget_tokens: 2048 },
    ],
  ])("%s → Claude's thinking config on both routes", async (_name, params, thinking) => {
    await chat({ model: converse(CLAUDE), messages: hello, max_tokens: 8000, ...params });
    expect(lastBody(emulator).additionalModelRequestFields).toEqual({ thinking });
    await chat({ model: invoke(CLAUDE), messages: hello, max_tokens: 8000, ...params });
    expect(lastBody(emulator).thinking).toEqual(thinking);
    await chat({ model: SONNET_45, messages: hello, max_tokens: 8000, ...params });
    expect(emulator.requests.at(-1)!.modelId).toBe(SONNET_45);
    expect(lastBody(emulator).additionalModelRequestFields).toEqual({ thinking });
  });

  it("thinking on a model without reasoning is refused, naming the model", async () => {
    const error = await refused({
      model: converse(CLAUDE_NO_REASONING),
      messages: hello,
      thinking: { type: "enabled", budget_tokens: 1024 },
    });
    expect(error.message).toMatch(CLAUDE_NO_REASONING);
    expect(error.param).toBe("thinking");
  });

  it("reasoning_effort on a model without reasoning is refused on both routes, or dropped under drop_params", async () => {
    for (const model of [converse(CLAUDE_NO_REASONING), invoke(CLAUDE_NO_REASONING)]) {
      const error = await refused({ model, messages: hello, reasoning_effort: "low" });
      expect(error.param).toBe("reasoning_effort");
      expect(error.message).toMatch(/reasoning capability/);
      expect(error.message).toMatch(CLAUDE_NO_REASONING);
    }
    const before = emulator.requests.length;
    await chat({
      model: converse(CLAUDE_NO_REASONING),
      messages: hello,
      reasoning_effort: "low",
      drop_params: true,
    });
    expect(emulator.requests.length).toBe(before + 1);
    expect(lastBody(emulator).additionalModelRequestFields).toBeUndefined();
  });

  it("a recorded thinking exchange: reasoning_content and thinking_blocks with the signature", async () => {
    const completion = await chat(
      {
        model: converse("us.anthropic.claude-sonnet-4-20250514-v1:0"),
        messages: [{ role: "user", content: "How do I cross the street?" }],
        reasoning_effort: "low",
      },
      {
        headers: {
          "x-bedrock-forge-fixture": "converse/pydantic-ai_test_bedrock_model_thinking_part_anthropic-1.json",
        },
      },
    );
    expect(lastBody(emulator).additionalModelRequestFields).toEqual({
      thinking: { type: "enabled", budget_tokens: 1024 },
    });
    const message = messageOf(completion);
    expect(message.reasoning_content).toMatch(
      /^This is a straightforward question about crossing the street/,
    );
    expect(message.thinking_blocks).toHaveLength(1);
    expect(message.thinking_blocks![0]!.type).toBe("thinking");
    expect(message.thinking_blocks![0]!.thinking).toBe(message.reasoning_content);
    expect(message.thinking_blocks![0]!.signature).toMatch(/^Eu4CCkgIBxABGAIqQCc4/);
    expect(message.content).toMatch(/cross/i);
    expect(completion.usage).toMatchObject({ prompt_tokens: 42, completion_tokens: 313, total_tokens: 355 });
  });

  it("a recorded redacted thinking answer round-trips: the same bytes go back to Bedrock", async () => {
    const recorded = recording("converse/pydantic-ai_test_bedrock_model_thinking_part_redacted-2.json")
      .fixture.request as { messages: { content: unknown[] }[] };
    const question = [
      {
        role: "user",
        content:
          "ANTHROPIC_MAGIC_STRING_TRIGGER_REDACTED_THINKING_46C9A13E193C177646C7398A98432ECCCE4C1253D5E2D82641AC0E52CC2876CB",
      },
    ];
    const first = await chat(
      { model: converse(`us.${CLAUDE}`), messages: question, reasoning_effort: "low" },
      {
        headers: {
          "x-bedrock-forge-fixture": "converse/pydantic-ai_test_bedrock_model_thinking_part_redacted-1.json",
        },
      },
    );
    const message = messageOf(first);
    expect(message.thinking_blocks).toEqual([
      { type: "redacted_thinking", data: expect.stringMatching(/^RXU4RUNr/) },
    ]);
    expect(message.reasoning_content).toBeUndefined();
    await chat({
      model: converse(`us.${CLAUDE}`),
      messages: [...question, { ...message, content: message.content }, { role: "user", content: "Thanks" }],
      reasoning_effort: "low",
    });
    expect(lastBody(emulator).messages[1].content[0]).toEqual(recorded.messages[1]!.content[0]);
  });

  it("a recorded answer with thinking and a tool call: both returned, and sent back in Claude's order", async () => {
    const tools = [
      {
        type: "function",
        function: {
          name: "get_user_country",
          parameters: { additionalProperties: false, properties: {}, type: "object" },
        },
      },
    ];
    const question = [{ role: "user", content: "What is the largest city in the user country?" }];
    const first = await chat(
      { model: converse(`us.${CLAUDE}`), messages: question, tools, reasoning_effort: "low" },
      {
        headers: {
          "x-bedrock-forge-fixture": "converse/pydantic-ai_test_bedrock_anthropic_tool_with_thinking-1.json",
        },
      },
    );
    const message = messageOf(first);
    expect(first.choices[0]!.finish_reason).toBe("tool_calls");
    expect(message.tool_calls).toEqual([
      {
        id: "tooluse_W9DaUFg4Tj2cRPpndqxWSg",
        type: "function",
        function: { name: "get_user_country", arguments: "{}" },
      },
    ]);
    expect(message.thinking_blocks![0]!.signature).toMatch(/^ErcBCkgIBhABGAIiQDYN/);
    expect(message.reasoning_content).toBe(message.thinking_blocks![0]!.thinking);
    await chat({
      model: converse(`us.${CLAUDE}`),
      messages: [
        ...question,
        message,
        { role: "tool", tool_call_id: "tooluse_W9DaUFg4Tj2cRPpndqxWSg", content: "Mexico" },
      ],
      tools,
      reasoning_effort: "low",
    });
    const sent = lastBody(emulator).messages[1].content.map((block: object) => Object.keys(block)[0]);
    expect(sent).toEqual(["reasoningContent", ...(message.content ? ["text"] : []), "toolUse"]);
  });

  it("thinking_blocks sent back reach the wire before the text, signature kept", async () => {
    const messages = [
      { role: "user", content: "Think first." },
      {
        role: "assistant",
        content: "Done thinking.",
        thinking_blocks: [
          { type: "thinking", thinking: "Step one.", signature: "c2lnbmF0dXJl" },
          { type: "redacted_thinking", data: "cmVkYWN0ZWQ=" },
        ],
      },
      { role: "user", content: "And now?" },
    ];
    await chat({ model: converse(CLAUDE), messages, reasoning_effort: "low", max_tokens: 4000 });
    expect(lastBody(emulator).messages[1]).toEqual({
      role: "assistant",
      content: [
        { reasoningContent: { reasoningText: { text: "Step one.", signature: "c2lnbmF0dXJl" } } },
        { reasoningContent: { redactedContent: "cmVkYWN0ZWQ=" } },
        { text: "Done thinking." },
      ],
    });
    await chat({ model: invoke(CLAUDE), messages, reasoning_effort: "low", max_tokens: 4000 });
    expect(lastBody(emulator).messages[1]).toEqual({
      role: "assistant",
      content: [
        { type: "thinking", thinking: "Step one.", signature: "c2lnbmF0dXJl" },
        { type: "redacted_thinking", data: "cmVkYWN0ZWQ=" },
        { type: "text", text: "Done thinking." },
      ],
    });
  });
});

describe("pre-fill", () => {
  const messages = [
    { role: "user", content: "Give me JSON" },
    { role: "assistant", content: '{"answer": ' },
  ];

  it("Converse: the final assistant turn is sent as the start of the answer and not repeated", async () => {
    const completion = await chat({ model: converse(CLAUDE), messages });
    expect(lastBody(emulator).messages.at(-1)).toEqual({
      role: "assistant",
      content: [{ text: '{"answer":' }],
    });
    expect(messageOf(completion).content).toBe(reply("Give me JSON"));
    expect(messageOf(completion).content).not.toContain('{"answer"');
  });

  it("Claude invoke: the last message is the assistant's", async () => {
    const completion = await chat({ model: invoke(CLAUDE), messages });
    expect(lastBody(emulator).messages.at(-1)).toEqual({
      role: "assistant",
      content: [{ type: "text", text: '{"answer":' }],
    });
    expect(messageOf(completion).content).not.toContain('{"answer"');
  });

  it("Llama 3 invoke: the prompt ends inside the open assistant turn", async () => {
    await chat({ model: invoke(LLAMA), messages });
    expect(lastBody(emulator).prompt).toBe(
      "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nGive me JSON<|eot_id|>" +
        '<|start_header_id|>assistant<|end_header_id|>\n\n{"answer": ',
    );
  });

  it("a model without pre-fill refuses it; modify_params appends a user turn instead", async () => {
    const error = await refused({ model: converse(CLAUDE_NO_PREFILL), messages });
    expect(error.message).toMatch(/pre-fill/);
    expect(error.message).toMatch(CLAUDE_NO_PREFILL);
    await chat({ model: converse(CLAUDE_NO_PREFILL), messages, modify_params: true });
    expect(lastBody(emulator).messages.at(-1)).toEqual({
      role: "user",
      content: [{ text: "Please continue." }],
    });
  });
});

describe("conversation repairs (modify_params, user_continue_message)", () => {
  const startsWithAssistant = [
    { role: "assistant", content: "How can I help?" },
    { role: "user", content: "Tell me a joke" },
  ];
  const twoAssistants = [
    { role: "user", content: "Hi" },
    { role: "assistant", content: "Hello!" },
    { role: "assistant", content: "Anything else?" },
    { role: "user", content: "No" },
  ];

  it("without them, conversations Bedrock would reject fail before any call", async () => {
    expect((await refused({ model: converse(CLAUDE), messages: startsWithAssistant })).message).toMatch(
      /must start with a user message/,
    );
    expect((await refused({ model: invoke(CLAUDE), messages: twoAssistants })).message).toMatch(
      /two assistant messages in a row/,
    );
    expect(
      (await refused({ model: converse(CLAUDE), messages: [{ role: "user", content: " " }] })).message,
    ).toMatch(/empty content/);
  });

  it("modify_params inserts LiteLLM's continue message (Converse)", async () => {
    await chat({ model: converse(CLAUDE), messages: startsWithAssistant, modify_params: true });
    expect(lastBody(emulator).messages).toEqual([
      { role: "user", content: [{ text: "Please continue." }] },
      { role: "assistant", content: [{ text: "How can I help?" }] },
      { role: "user", content: [{ text: "Tell me a joke" }] },
    ]);
  });

  it("user_continue_message (per request) goes between two assistant turns (invoke)", async () => {
    await chat({
      model: invoke(CLAUDE),
      messages: twoAssistants,
      user_continue_message: { role: "user", content: "Go on." },
    });
    expect(lastBody(emulator).messages.map((message: { role: string }) => message.role)).toEqual([
      "user",
      "assistant",
      "user",
      "assistant",
      "user",
    ]);
    expect(lastBody(emulator).messages[2]).toEqual({
      role: "user",
      content: [{ type: "text", text: "Go on." }],
    });
  });

  it("modify_params per client repairs a blank user turn and the Llama template shows the inserted turn", async () => {
    const repairing = createBedrock({
      region: "us-east-1",
      endpoint: emulator.url,
      credentials,
      modify_params: true,
    });
    await repairing.chat.completions.create({
      model: converse(CLAUDE),
      messages: [{ role: "user", content: "" }],
    });
    // LiteLLM fills a blank user message with "Please continue." (converse-messages/modify-params-empty-user-text).
    expect(lastBody(emulator).messages).toEqual([{ role: "user", content: [{ text: "Please continue." }] }]);
    await repairing.chat.completions.create({ model: invoke(LLAMA), messages: twoAssistants as never });
    expect(lastBody(emulator).prompt).toContain(
      "Hello!<|eot_id|><|start_header_id|>user<|end_header_id|>\n\nPlease continue.<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\nAnything else?",
    );
  });
});

describe("drop_params", () => {
  const hello = [{ role: "user", content: "Hello" }];

  it.each([converse(CLAUDE), invoke(CLAUDE)])(
    "%s: an unsupported OpenAI param is an error naming the param and the model",
    async (model) => {
      const error = await refused({ model, messages: hello, presence_penalty: 0.5 });
      expect(error.param).toBe("presence_penalty");
      expect(error.message).toMatch(/presence_penalty/);
      expect(error.message).toMatch(CLAUDE);
      expect(error.message).toMatch(/drop_params/);
    },
  );

  it("with drop_params (per request or per client) it is dropped with a warning", async () => {
    warnings.length = 0;
    await chat({ model: converse(CLAUDE), messages: hello, frequency_penalty: 0.5, drop_params: true });
    expect(JSON.stringify(lastBody(emulator))).not.toMatch(/penalty/i);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/frequency_penalty/);
    expect(warnings[0]).toMatch(CLAUDE);

    const dropped: string[] = [];
    const dropping = createBedrock({
      region: "us-east-1",
      endpoint: emulator.url,
      credentials,
      drop_params: true,
      onWarning: (message) => dropped.push(message),
    });
    await dropping.chat.completions.create({
      model: invoke(LLAMA),
      messages: hello as never,
      seed: 42,
      logprobs: true,
    });
    expect(lastBody(emulator).seed).toBeUndefined();
    expect(lastBody(emulator).logprobs).toBeUndefined();
    expect(dropped.join("\n")).toMatch(/seed/);
    expect(dropped.join("\n")).toMatch(/logprobs/);
    expect(dropped.join("\n")).toMatch(LLAMA);
  });

  it("warns each receiver once: a second client's onWarning hears of a drop the first one already heard of", async () => {
    const heard: string[][] = [[], []];
    const clients = heard.map((messages) =>
      createBedrock({
        region: "us-east-1",
        endpoint: emulator.url,
        credentials,
        drop_params: true,
        onWarning: (message) => messages.push(message),
      }),
    );
    for (const client of [clients[0]!, clients[0]!, clients[1]!])
      await client.chat.completions.create({ model: invoke(LLAMA), messages: hello as never, seed: 7 });
    expect(heard[0]!.filter((message) => message.includes("seed"))).toHaveLength(1);
    expect(heard[1]!.filter((message) => message.includes("seed"))).toHaveLength(1);
  });

  it("without onWarning, a drop is told on the console once per process, however many clients and calls", async () => {
    // Other test files in this worker may have had the same drop told on the console already.
    forgetDroppedParamWarnings();
    const told = vi.spyOn(console, "warn").mockImplementation(() => {});
    try {
      for (let index = 0; index < 2; index++) {
        const client = createBedrock({
          region: "us-east-1",
          endpoint: emulator.url,
          credentials,
          drop_params: true,
        });
        for (let call = 0; call < 2; call++)
          await client.chat.completions.create({
            model: invoke(LLAMA),
            messages: hello as never,
            seed: 9,
          } as never);
      }
      expect(told.mock.calls.filter(([message]) => String(message).includes("seed"))).toHaveLength(1);
    } finally {
      told.mockRestore();
    }
  });

  it("an OpenAI param the spec rejects is an error, and dropped with a warning under drop_params (as LiteLLM drops it)", async () => {
    const error = await refused({ model: converse(CLAUDE), messages: hello, n: 2 });
    expect(error.param).toBe("n");
    warnings.length = 0;
    await chat({ model: converse(CLAUDE), messages: hello, n: 2, drop_params: true });
    expect(JSON.stringify(lastBody(emulator))).not.toMatch(/"n"/);
    expect(warnings.join("\n")).toMatch(/dropping n for/);
  });
});

describe("models and routes", () => {
  it("a model without chat is refused as not supported", async () => {
    const before = emulator.requests.length;
    const error = await failure(
      chat({ model: "amazon.titan-embed-text-v2:0", messages: [{ role: "user", content: "x" }] }),
    );
    expect(ModelNotSupportedError.isInstance(error)).toBe(true);
    expect(emulator.requests.length).toBe(before);
  });

  it("model_id is sent as the wire id while model names the base model (price, mapping)", async () => {
    const arn = "arn:aws:bedrock:us-east-1:123456789012:provisioned-model/abc123";
    const isolated = await startEmulator({ mode: "synthesize", models: { [arn]: CLAUDE } });
    try {
      const client = createBedrock({ region: "us-east-1", endpoint: isolated.url, credentials });
      const completion = (await client.chat.completions.create({
        model: CLAUDE,
        model_id: arn,
        messages: [{ role: "user", content: "Hi" }],
      })) as ChatCompletion;
      expect(isolated.requests.at(-1)!.modelId).toBe(arn);
      expect(completion.usage.cost).toBeGreaterThan(0);
    } finally {
      await isolated.close();
    }
  });

  it("a model the catalog does not know goes through Converse, tools and provider params included (no cost)", async () => {
    const arn = "arn:aws:bedrock:us-east-1:123456789012:custom-model/forge-test";
    const isolated = await startEmulator({ mode: "synthesize", models: { [arn]: CLAUDE } });
    try {
      const client = createBedrock({ region: "us-east-1", endpoint: isolated.url, credentials });
      const completion = (await client.chat.completions.create({
        model: arn,
        messages: [{ role: "user", content: "Weather?" }],
        tools: [weatherTool],
        tool_choice: "required",
        max_tokens: 300,
        top_k: 3,
      })) as ChatCompletion;
      const log = isolated.requests.at(-1)!;
      expect(log.operation).toBe("converse");
      expect(log.modelId).toBe(arn);
      expect((log.body as { toolConfig: unknown }).toolConfig).toMatchObject({ toolChoice: { any: {} } });
      expect(log.body).toMatchObject({
        inferenceConfig: { maxTokens: 300 },
        additionalModelRequestFields: { top_k: 3 },
      });
      expect(completion.choices[0]!.finish_reason).toBe("tool_calls");
      expect(completion.usage.cost).toBeNull();
    } finally {
      await isolated.close();
    }
  });

  it("usage carries the cost from the catalog price", async () => {
    const completion = await chat({
      model: converse(CLAUDE),
      messages: [{ role: "user", content: "Hello" }],
    });
    const { prompt_tokens, completion_tokens, total_tokens, cost } = completion.usage;
    expect(prompt_tokens).toBeGreaterThan(0);
    expect(completion_tokens).toBeGreaterThan(0);
    expect(total_tokens).toBe(prompt_tokens + completion_tokens);
    // Claude 3.7 Sonnet: $3 per million input tokens, $15 per million output tokens.
    expect(cost).toBeCloseTo((prompt_tokens * 3 + completion_tokens * 15) / 1e6, 12);
  });
});
