/**
 * `bedrock.messages` through the real AWS SDK and the emulator. Claude: the body Bedrock receives is
 * Bedrock's Claude body (AWS's "Anthropic Claude Messages API" request page: `anthropic_version`
 * `bedrock-2023-05-31`, `anthropic_beta` in the body, no `model` or `stream`), and the answer and events
 * are Claude's own (a recorded Bedrock stream replays as it was recorded). Other models: translated
 * through the chat path, answered in Anthropic's shapes, which the Anthropic SDK's own `MessageStream`
 * accumulates. Tools round trips, images, thinking, counting tokens, errors and cancellation.
 */
import { readFileSync } from "node:fs";
import { MessageStream } from "@anthropic-ai/sdk/lib/MessageStream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Emulator, startEmulator } from "../../emulator/index.js";
import {
  type AnthropicMessage,
  type AnthropicMessageStream,
  type AnthropicStreamEvent,
  type Bedrock,
  BedrockCallError,
  createBedrock,
  RequestValidationError,
  toAnthropicError,
} from "../../runtime/index.js";
import { credentials, failure, lastBody, pngBase64, recording, reply } from "./live.js";

const CLAUDE = "anthropic.claude-3-7-sonnet-20250219-v1:0";
const HAIKU = "anthropic.claude-3-haiku-20240307-v1:0";
const NOVA = "amazon.nova-lite-v1:0";
const LLAMA = "meta.llama3-3-70b-instruct-v1:0";
const MISTRAL = "mistral.mistral-large-2407-v1:0";
const converse = (model: string) => `bedrock/converse/${model}`;
const invoke = (model: string) => `bedrock/invoke/${model}`;

const weatherTool = {
  name: "get_weather",
  description: "The weather in a city",
  input_schema: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
};

const pin = (name: string) => ({ headers: { "x-bedrock-forge-fixture": name } });
const fault = (name: string) => ({ headers: { "x-bedrock-forge-fault": name } });
const slow = {
  headers: { "x-bedrock-forge-stream-chunks": "40", "x-bedrock-forge-chunk-interval-ms": "15" },
};
const recordedStream = "anthropic-claude-messages/dd-trace-py_anthropic_message_invoke_stream.json";
const thinkingStream = "converse-stream/pydantic-ai_test_bedrock_model_thinking_part_stream.json";
const thinkingUnary = "converse/pydantic-ai_test_bedrock_model_thinking_part_anthropic-1.json";
const countRecording = "count-tokens/pydantic-ai_test_anthropic_bedrock_count_tokens_real_api.json";

let emulator: Emulator;
let bedrock: Bedrock;

beforeAll(async () => {
  emulator = await startEmulator({
    mode: "hybrid",
    streamChunks: 3,
    fixtures: [
      recording(recordedStream),
      recording(thinkingStream),
      recording(thinkingUnary),
      recording(countRecording),
    ],
  });
  bedrock = createBedrock({ region: "us-east-1", endpoint: emulator.url, credentials, num_retries: 0 });
});

afterAll(async () => {
  await emulator?.close();
});

async function create(
  body: Record<string, unknown>,
  options?: Record<string, unknown>,
): Promise<AnthropicMessage> {
  return (await bedrock.messages.create(body as never, options)) as AnthropicMessage;
}

async function stream(
  body: Record<string, unknown>,
  options?: Record<string, unknown>,
): Promise<AnthropicMessageStream> {
  return (await bedrock.messages.create(
    { ...body, stream: true } as never,
    options,
  )) as unknown as AnthropicMessageStream;
}

async function collect(events: AsyncIterable<AnthropicStreamEvent>): Promise<AnthropicStreamEvent[]> {
  const seen: AnthropicStreamEvent[] = [];
  for await (const event of events) seen.push(event);
  return seen;
}

/** The message the Anthropic SDK's own MessageStream builds from our events (sent as JSON lines). */
function finalMessageOf(events: readonly AnthropicStreamEvent[]) {
  const encoder = new TextEncoder();
  const readable = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const event of events) controller.enqueue(encoder.encode(`${JSON.stringify(event)}\n`));
      controller.close();
    },
  });
  return MessageStream.fromReadableStream(readable).finalMessage();
}

const hello = [{ role: "user" as const, content: "Hello there" }];

describe("Claude: the body goes to Bedrock natively", () => {
  it("InvokeModel gets Bedrock's Claude body: anthropic_version, the beta flags, no model, stream or metadata", async () => {
    const message = await create(
      {
        model: CLAUDE,
        max_tokens: 300,
        system: [{ type: "text", text: "Be brief.", cache_control: { type: "ephemeral" } }],
        messages: hello,
        temperature: 0.5,
        top_k: 40,
        stop_sequences: ["END"],
        metadata: { user_id: "user-1" },
        betas: ["interleaved-thinking-2025-05-14"],
        anthropic_beta: ["token-efficient-tools-2025-02-19"],
      },
      {
        headers: {
          "anthropic-beta": "context-1m-2025-08-07, token-efficient-tools-2025-02-19",
          "anthropic-version": "2023-06-01",
        },
      },
    );
    const log = emulator.requests.at(-1)!;
    expect(log.operation).toBe("invoke");
    expect(log.modelId).toBe(CLAUDE);
    expect(log.body).toEqual({
      anthropic_version: "bedrock-2023-05-31",
      anthropic_beta: [
        "token-efficient-tools-2025-02-19",
        "interleaved-thinking-2025-05-14",
        "context-1m-2025-08-07",
      ],
      max_tokens: 300,
      system: [{ type: "text", text: "Be brief.", cache_control: { type: "ephemeral" } }],
      messages: hello,
      temperature: 0.5,
      top_k: 40,
      stop_sequences: ["END"],
    });
    // Anthropic's own headers are read, never sent to Bedrock.
    expect(Object.keys(log.headers).filter((name) => name.startsWith("anthropic"))).toEqual([]);
    expect(message).toMatchObject({
      type: "message",
      role: "assistant",
      model: CLAUDE,
      content: [{ type: "text", text: reply("Hello there") }],
      stop_reason: "end_turn",
      stop_sequence: null,
    });
    expect(message.id).toMatch(/^msg_/);
    expect(message.usage.input_tokens).toBeGreaterThan(0);
    expect(message.usage.cost).toBeGreaterThan(0);
  });

  it("a profile id is sent as it is, and the answer names the model as asked", async () => {
    const message = await create({ model: `us.${CLAUDE}`, max_tokens: 50, messages: hello });
    expect(emulator.requests.at(-1)!.modelId).toBe(`us.${CLAUDE}`);
    expect(message.model).toBe(`us.${CLAUDE}`);
  });

  it("images and tool use pass through untouched, and a tool round trip works", async () => {
    const image = { type: "image", source: { type: "base64", media_type: "image/png", data: pngBase64 } };
    const first = await create({
      model: CLAUDE,
      max_tokens: 200,
      tools: [weatherTool],
      tool_choice: { type: "tool", name: "get_weather" },
      messages: [{ role: "user", content: [{ type: "text", text: "Weather where this was taken?" }, image] }],
    });
    expect(lastBody(emulator).messages[0].content[1]).toEqual(image);
    expect(lastBody(emulator).tools).toEqual([weatherTool]);
    expect(lastBody(emulator).tool_choice).toEqual({ type: "tool", name: "get_weather" });
    expect(first.stop_reason).toBe("tool_use");
    const use = first.content.find((block) => block.type === "tool_use");
    if (use?.type !== "tool_use") throw new Error("no tool_use block");
    expect(use.input).toHaveProperty("city");

    const conversation = [
      { role: "user", content: "Weather in Paris?" },
      { role: "assistant", content: first.content },
      { role: "user", content: [{ type: "tool_result", tool_use_id: use.id, content: "Sunny" }] },
    ];
    const second = await create({
      model: CLAUDE,
      max_tokens: 200,
      tools: [weatherTool],
      messages: conversation,
    });
    expect(lastBody(emulator).messages).toEqual(conversation);
    expect(second.stop_reason).toBe("end_turn");
    expect(second.content[0]).toMatchObject({ type: "text" });
  });

  it("a stream: Claude's events, with the model as asked, usage and cost on message_delta, no Bedrock metrics", async () => {
    const events = await collect(await stream({ model: HAIKU, max_tokens: 100, messages: hello }));
    expect(emulator.requests.at(-1)!.operation).toBe("invoke-stream");
    expect(lastBody(emulator)).not.toHaveProperty("stream");
    const types = events.map((event) => event.type);
    expect(types[0]).toBe("message_start");
    expect(types.slice(-2)).toEqual(["message_delta", "message_stop"]);
    expect(events.at(-1)).toEqual({ type: "message_stop" });
    const start = events[0]!;
    expect(start.type === "message_start" && start.message.model).toBe(HAIKU);
    const delta = events.at(-2)!;
    if (delta.type !== "message_delta") throw new Error("no message_delta");
    expect(delta.usage.input_tokens).toBeGreaterThan(0);
    expect(delta.usage.cost).toBeGreaterThan(0);
    const message = await finalMessageOf(events);
    expect(message.content).toEqual([{ type: "text", text: reply("Hello there") }]);
    expect(message.stop_reason).toBe("end_turn");
  });

  it("a recorded Bedrock stream comes back event for event", async () => {
    const recorded = JSON.parse(
      readFileSync(new URL(`../recordings/${recordedStream}`, import.meta.url), "utf8"),
    ) as { events: { chunk: Record<string, unknown> }[] };
    const events = await collect(
      await stream(
        {
          model: "anthropic.claude-3-sonnet-20240229-v1:0",
          max_tokens: 50,
          temperature: 0,
          messages: [
            {
              role: "user",
              content: [
                { type: "text", text: "summarize the plot to the lord of the rings in a dozen words" },
              ],
            },
          ],
        },
        pin(recordedStream),
      ),
    );
    const chunks = recorded.events.map((event) => event.chunk);
    expect(events).toHaveLength(chunks.length);
    // The same events, but for `model` (as asked), the invocation metrics (taken off) and the usage (completed).
    events.forEach((event, index) => {
      const chunk = chunks[index]!;
      if (chunk.type === "message_start") {
        const message = chunk.message as Record<string, unknown>;
        expect(event).toEqual({
          ...chunk,
          message: { ...message, model: "anthropic.claude-3-sonnet-20240229-v1:0" },
        });
      } else if (chunk.type === "message_stop") expect(event).toEqual({ type: "message_stop" });
      else if (chunk.type === "message_delta")
        expect(event).toEqual({
          ...chunk,
          usage: {
            output_tokens: 22,
            input_tokens: 21,
            cache_creation_input_tokens: null,
            cache_read_input_tokens: null,
            // Claude 3 Sonnet: $3 / $15 per million tokens (the catalog's price).
            cost: (21 * 3 + 22 * 15) / 1_000_000,
          },
        });
      else expect(event).toEqual(chunk);
    });
    const message = await finalMessageOf(events);
    expect(message.content).toEqual([
      { type: "text", text: "Hobbits embark on epic quest to destroy powerful ring, battling dark forces." },
    ]);
  });

  it("a streamed tool call: input_json_delta pieces the SDK assembles into the input", async () => {
    const events = await collect(
      await stream({
        model: CLAUDE,
        max_tokens: 200,
        tools: [weatherTool],
        tool_choice: { type: "any" },
        messages: [{ role: "user", content: "Weather in Paris?" }],
      }),
    );
    expect(
      events
        .filter((event) => event.type === "content_block_delta")
        .map((event) => event.type === "content_block_delta" && event.delta.type),
    ).toContain("input_json_delta");
    const message = await finalMessageOf(events);
    expect(message.stop_reason).toBe("tool_use");
    const use = message.content.find((block) => block.type === "tool_use");
    expect(use).toMatchObject({ type: "tool_use", name: "get_weather", input: { city: expect.any(String) } });
  });

  it("a Bedrock exception inside the stream is thrown as the typed error", async () => {
    const result = await stream(
      { model: CLAUDE, max_tokens: 100, messages: hello },
      fault("stream-error-after:2:throttling"),
    );
    const error = await failure(collect(result));
    expect(BedrockCallError.isInstance(error)).toBe(true);
    expect(toAnthropicError(error)).toMatchObject({
      status: 429,
      body: { type: "error", error: { type: "rate_limit_error" } },
    });
  });

  it("breaking out of the loop closes the HTTP request", async () => {
    const result = await stream({ model: CLAUDE, max_tokens: 100, messages: hello }, slow);
    const log = emulator.requests.at(-1)!;
    for await (const event of result) if (event.type === "content_block_delta") break;
    await log.done;
    expect(log.clientClosed).toBe(true);
    expect(result.controller.signal.aborted).toBe(true);
  });

  it.each([
    ["container", { container: "c-1" }],
    ["output_config", { output_config: { effort: "low" } }],
    ["temprature", { temprature: 0.2 }],
  ])("%s is refused before any call (Claude's body has no such field)", async (param, fields) => {
    const before = emulator.requests.length;
    const error = await failure(create({ model: CLAUDE, max_tokens: 10, messages: hello, ...fields }));
    expect(RequestValidationError.isInstance(error)).toBe(true);
    expect(error.param).toBe(param);
    expect(emulator.requests.length).toBe(before);
    expect(toAnthropicError(error)).toMatchObject({
      status: 400,
      body: { error: { type: "invalid_request_error" } },
    });
  });

  it("under drop_params, those fields are dropped with a warning", async () => {
    const warnings: string[] = [];
    await create({
      model: CLAUDE,
      max_tokens: 10,
      messages: hello,
      container: "c-1",
      drop_params: true,
      onWarning: (message: string) => warnings.push(message),
    });
    expect(lastBody(emulator)).not.toHaveProperty("container");
    expect(warnings).toEqual([expect.stringContaining("dropping container")]);
  });
});

describe("other models: translated through the chat path", () => {
  it.each([NOVA, LLAMA, MISTRAL, invoke(LLAMA), invoke(NOVA), converse(CLAUDE)])(
    "%s: a message in Anthropic's shape",
    async (model) => {
      const message = await create({
        model,
        max_tokens: 200,
        system: "Be brief.",
        messages: hello,
        metadata: { user_id: "u" },
      });
      expect(message).toMatchObject({
        type: "message",
        role: "assistant",
        model: model.replace(/^bedrock\/(converse|invoke)\//, ""),
        content: [{ type: "text", text: reply("Hello there") }],
        stop_reason: "end_turn",
        stop_sequence: null,
      });
      expect(message.usage.input_tokens).toBeGreaterThan(0);
      expect(message.usage.output_tokens).toBeGreaterThan(0);
      expect(message.usage.cost).toBeGreaterThan(0);
      expect(JSON.stringify(lastBody(emulator))).not.toContain("user_id");
    },
  );

  it.each([NOVA, LLAMA, MISTRAL, invoke(LLAMA)])(
    "%s: a stream the Anthropic SDK assembles",
    async (model) => {
      const events = await collect(await stream({ model, max_tokens: 200, messages: hello }));
      expect(events.map((event) => event.type)).toEqual([
        "message_start",
        "content_block_start",
        ...events.slice(2, -3).map(() => "content_block_delta"),
        "content_block_stop",
        "message_delta",
        "message_stop",
      ]);
      const message = await finalMessageOf(events);
      expect(message.content).toEqual([{ type: "text", text: reply("Hello there") }]);
      expect(message.model).toBe(model.replace(/^bedrock\/invoke\//, ""));
      expect(message.usage.output_tokens).toBeGreaterThan(0);
    },
  );

  // Llama has no tool choice (its spec): the emulator calls the first offered tool anyway.
  it.each([
    [NOVA, { type: "any" }],
    [LLAMA, undefined],
    [MISTRAL, { type: "tool", name: "get_weather" }],
  ])("%s: a tool round trip, as Converse toolUse and toolResult", async (model, toolChoice) => {
    const first = await create({
      model,
      max_tokens: 200,
      tools: [weatherTool],
      tool_choice: toolChoice,
      messages: [{ role: "user", content: "Weather in Paris?" }],
    });
    expect(first.stop_reason).toBe("tool_use");
    const use = first.content.find((block) => block.type === "tool_use");
    if (use?.type !== "tool_use") throw new Error("no tool_use block");
    expect(use.input).toHaveProperty("city");
    const second = await create({
      model,
      max_tokens: 200,
      tools: [weatherTool],
      messages: [
        { role: "user", content: "Weather in Paris?" },
        { role: "assistant", content: first.content },
        { role: "user", content: [{ type: "tool_result", tool_use_id: use.id, content: "Sunny" }] },
      ],
    });
    // Converse's documented blocks (API_runtime_ContentBlock.html): toolUse, then toolResult in a user turn.
    expect(lastBody(emulator).messages.slice(1)).toEqual([
      {
        role: "assistant",
        content: [{ toolUse: { toolUseId: use.id, name: "get_weather", input: use.input } }],
      },
      { role: "user", content: [{ toolResult: { toolUseId: use.id, content: [{ text: "Sunny" }] } }] },
    ]);
    expect(second.content).toEqual([{ type: "text", text: reply("Weather in Paris?") }]);
  });

  it("a streamed tool call: tool_use block with input_json_delta", async () => {
    const events = await collect(
      await stream({
        model: NOVA,
        max_tokens: 200,
        tools: [weatherTool],
        messages: [{ role: "user", content: "Weather?" }],
      }),
    );
    const message = await finalMessageOf(events);
    expect(message.stop_reason).toBe("tool_use");
    expect(message.content).toEqual([
      { type: "tool_use", id: expect.any(String), name: "get_weather", input: { city: expect.any(String) } },
    ]);
  });

  it("a base64 image becomes Converse image bytes", async () => {
    await create({
      model: NOVA,
      max_tokens: 50,
      messages: [
        {
          role: "user",
          content: [
            { type: "image", source: { type: "base64", media_type: "image/png", data: pngBase64 } },
            { type: "text", text: "What is it?" },
          ],
        },
      ],
    });
    expect(lastBody(emulator).messages[0].content).toEqual([
      { image: { format: "png", source: { bytes: pngBase64 } } },
      { text: "What is it?" },
    ]);
  });

  it("max_tokens cuts the answer: stop_reason max_tokens", async () => {
    const message = await create({ model: NOVA, max_tokens: 3, messages: hello });
    expect(message.stop_reason).toBe("max_tokens");
  });

  it("Claude through Converse: thinking comes back as a thinking block with its signature", async () => {
    const message = await create(
      {
        model: converse(CLAUDE),
        max_tokens: 2000,
        thinking: { type: "enabled", budget_tokens: 1024 },
        messages: [{ role: "user", content: "How do I cross the street?" }],
      },
      pin(thinkingUnary),
    );
    expect(lastBody(emulator).additionalModelRequestFields).toEqual({
      thinking: { type: "enabled", budget_tokens: 1024 },
    });
    expect(message.content[0]).toMatchObject({
      type: "thinking",
      thinking: expect.stringMatching(/^This is a straightforward question/),
      signature: expect.stringMatching(/^Eu4CCkgIBxAB/),
    });
    expect(message.content[1]).toMatchObject({ type: "text" });
  });

  it("Claude through Converse: streamed thinking_delta and signature_delta", async () => {
    const events = await collect(
      await stream(
        {
          model: converse(CLAUDE),
          max_tokens: 2000,
          thinking: { type: "enabled", budget_tokens: 1024 },
          messages: [{ role: "user", content: "Hello" }],
        },
        pin(thinkingStream),
      ),
    );
    const deltas = events.flatMap((event) =>
      event.type === "content_block_delta" ? [event.delta.type] : [],
    );
    expect(deltas).toContain("thinking_delta");
    expect(deltas).toContain("signature_delta");
    const message = await finalMessageOf(events);
    expect(message.content.map((block) => block.type)).toEqual(["thinking", "text"]);
    expect(message.content[0]).toMatchObject({ thinking: expect.stringMatching(/^The user has greeted me/) });
    expect((message.content[0] as { signature: string }).signature.length).toBeGreaterThan(10);
  });

  it("thinking on a model without Claude's thinking param becomes its reasoning effort", async () => {
    const error = await failure(
      create({
        model: NOVA,
        max_tokens: 2000,
        thinking: { type: "enabled", budget_tokens: 1024 },
        messages: hello,
      }),
    );
    // Nova Lite has no reasoning capability (its spec): the chat path's policy names reasoning_effort.
    expect(RequestValidationError.isInstance(error)).toBe(true);
    expect(error.param).toBe("reasoning_effort");
  });
});

describe("refused before any call", () => {
  it.each([
    ["max_tokens", { max_tokens: undefined }],
    ["max_tokens", { max_tokens: 0 }],
    ["messages", { messages: [] }],
    ["messages[0].role", { messages: [{ role: "system", content: "x" }] }],
    ["messages[0].content", { messages: [{ role: "user", content: 3 }] }],
    ["anthropic_beta", { anthropic_beta: "one" }],
  ])("%s: %j", async (param, fields) => {
    for (const model of [CLAUDE, NOVA]) {
      const before = emulator.requests.length;
      const error = await failure(create({ model, max_tokens: 10, messages: hello, ...fields }));
      expect(RequestValidationError.isInstance(error)).toBe(true);
      expect(error.param).toBe(param);
      expect(emulator.requests.length).toBe(before);
    }
  });

  it("a Claude-only tool on another model", async () => {
    const error = await failure(
      create({
        model: NOVA,
        max_tokens: 10,
        messages: hello,
        tools: [{ type: "bash_20250124", name: "bash" }],
      }),
    );
    expect(error.param).toBe("tools[0].type");
  });
});

describe("errors Bedrock answers", () => {
  it.each([
    ["throttle", 429, "rate_limit_error"],
    ["access-denied", 403, "permission_error"],
    ["not-ready", 529, "overloaded_error"],
  ])("%s: the typed error, and Anthropic's shape for it", async (name, status, type) => {
    for (const model of [CLAUDE, NOVA]) {
      const error = await failure(create({ model, max_tokens: 10, messages: hello }, fault(name)));
      expect(BedrockCallError.isInstance(error)).toBe(true);
      const answer = toAnthropicError(error);
      expect(answer.status).toBe(status);
      expect(answer.body).toEqual({
        type: "error",
        error: { type, message: error.message },
        request_id: expect.any(String),
      });
    }
  });
});

describe("countTokens", () => {
  it("Claude: CountTokens with Bedrock's Claude body (max_tokens filled in, no model)", async () => {
    const count = await bedrock.messages.countTokens({
      model: CLAUDE,
      system: "You are helpful.",
      messages: [{ role: "user", content: "How many tokens is this sentence?" }],
      anthropic_beta: ["token-efficient-tools-2025-02-19"],
    });
    expect(count.input_tokens).toBeGreaterThan(0);
    const log = emulator.requests.at(-1)!;
    expect(log.operation).toBe("count-tokens");
    expect(log.modelId).toBe(CLAUDE);
    // The request shape of test/recordings/count-tokens/pydantic-ai_test_anthropic_bedrock_count_tokens_real_api.json.
    const body = JSON.parse(
      Buffer.from(
        (log.body as { input: { invokeModel: { body: string } } }).input.invokeModel.body,
        "base64",
      ).toString("utf8"),
    );
    expect(body).toEqual({
      anthropic_version: "bedrock-2023-05-31",
      anthropic_beta: ["token-efficient-tools-2025-02-19"],
      max_tokens: 64000,
      system: "You are helpful.",
      messages: [{ role: "user", content: "How many tokens is this sentence?" }],
    });
  });

  it("a profile id is counted against its base model (Bedrock refuses profile ids for counting)", async () => {
    await bedrock.messages.countTokens({ model: `us.${CLAUDE}`, messages: hello });
    expect(emulator.requests.at(-1)!.modelId).toBe(CLAUDE);
  });

  it("a profile-only Claude is counted by its bare id, as Bedrock counted it in a recording", async () => {
    const count = await bedrock.messages.countTokens(
      {
        model: "anthropic.claude-sonnet-4-20250514-v1:0",
        system: "You are helpful.",
        messages: [{ role: "user", content: [{ type: "text", text: "How many tokens is this sentence?" }] }],
      },
      pin(countRecording),
    );
    const log = emulator.requests.at(-1)!;
    expect(log.modelId).toBe("anthropic.claude-sonnet-4-20250514-v1:0");
    expect(log.fixture).toBe(countRecording);
    expect(count).toEqual({ input_tokens: 18 });
  });

  it("another model: CountTokens with the Converse input", async () => {
    const count = await bedrock.messages.countTokens({ model: NOVA, system: "Brief.", messages: hello });
    expect(count.input_tokens).toBeGreaterThan(0);
    expect(lastBody(emulator)).toEqual({
      input: {
        converse: {
          messages: [{ role: "user", content: [{ text: "Hello there" }] }],
          system: [{ text: "Brief." }],
        },
      },
    });
  });

  it("an id Bedrock cannot count for (a profile named in model_id) answers Bedrock's clear error", async () => {
    const error = await failure(
      bedrock.messages.countTokens({ model: CLAUDE, model_id: `us.${CLAUDE}`, messages: hello }),
    );
    expect(BedrockCallError.isInstance(error)).toBe(true);
    expect(error.status).toBe(400);
    // Bedrock's words: test/recordings/errors/pydantic-ai_test_anthropic_bedrock_count_tokens_error.json.
    expect(error.message).toContain("The provided model doesn't support counting tokens.");
  });
});
