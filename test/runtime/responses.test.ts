/**
 * `bedrock.responses.create` through the real AWS SDK and the emulator: the Response object and the
 * event stream in the shapes of the `openai` package (its own stream helper and accumulator rebuild our
 * events into the same response), what Bedrock received for each Responses field, tool round trips,
 * images, JSON output, reasoning, the stateless refusals and errors before and inside a stream.
 * Event order and shapes: https://platform.openai.com/docs/api-reference/responses-streaming and the
 * `openai` package's `ResponseStreamEvent` (openai 6).
 */
import { ResponseStream } from "openai/lib/responses/ResponseStream";
import type {
  Response as OpenAIResponse,
  ResponseStreamEvent as OpenAIResponseStreamEvent,
} from "openai/resources/responses/responses";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Emulator, startEmulator } from "../../emulator/index.js";
import {
  type Bedrock,
  BedrockCallError,
  createBedrock,
  RequestValidationError,
  type Response,
  type ResponseEventStream,
  type ResponseStreamEvent,
} from "../../runtime/index.js";
import { credentials, failure, lastBody, pngBase64, pngDataUrl, recording, reply } from "./live.js";

const CLAUDE = "anthropic.claude-3-7-sonnet-20250219-v1:0";
const NOVA = "amazon.nova-lite-v1:0";
const LLAMA = "meta.llama3-3-70b-instruct-v1:0";
const MISTRAL = "mistral.mistral-large-2407-v1:0";
const converse = (model: string) => `bedrock/converse/${model}`;
const invoke = (model: string) => `bedrock/invoke/${model}`;

const weatherTool = {
  type: "function",
  name: "get_weather",
  description: "The weather in a city",
  parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
  strict: null,
} as const;

const pin = (name: string) => ({ headers: { "x-bedrock-forge-fixture": name } });
const fault = (name: string) => ({ headers: { "x-bedrock-forge-fault": name } });
const slow = {
  headers: { "x-bedrock-forge-stream-chunks": "40", "x-bedrock-forge-chunk-interval-ms": "15" },
};
const thinkingStream = "converse-stream/pydantic-ai_test_bedrock_model_thinking_part_stream.json";
const thinkingUnary = "converse/pydantic-ai_test_bedrock_model_thinking_part_anthropic-1.json";

let emulator: Emulator;
let bedrock: Bedrock;

beforeAll(async () => {
  emulator = await startEmulator({
    mode: "hybrid",
    streamChunks: 3,
    fixtures: [recording(thinkingStream), recording(thinkingUnary)],
  });
  bedrock = createBedrock({ region: "us-east-1", endpoint: emulator.url, credentials, num_retries: 0 });
});

afterAll(async () => {
  await emulator?.close();
});

async function respond(body: Record<string, unknown>, options?: Record<string, unknown>): Promise<Response> {
  return (await bedrock.responses.create(body as never, options)) as Response;
}

async function stream(
  body: Record<string, unknown>,
  options?: Record<string, unknown>,
): Promise<ResponseEventStream> {
  return (await bedrock.responses.create(
    { ...body, stream: true } as never,
    options,
  )) as unknown as ResponseEventStream;
}

async function collect(events: AsyncIterable<ResponseStreamEvent>): Promise<ResponseStreamEvent[]> {
  const seen: ResponseStreamEvent[] = [];
  for await (const event of events) seen.push(event);
  return seen;
}

/** The final response the `openai` package's own stream helper builds from our events (sent as JSON lines). */
async function finalResponseOf(events: readonly ResponseStreamEvent[]): Promise<OpenAIResponse> {
  const encoder = new TextEncoder();
  const readable = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const event of events) controller.enqueue(encoder.encode(`${JSON.stringify(event)}\n`));
      controller.close();
    },
  });
  return ResponseStream.fromReadableStream(readable).finalResponse();
}

describe("unary responses", () => {
  it.each([NOVA, CLAUDE, invoke(CLAUDE), LLAMA, MISTRAL])(
    "%s: a Response with output_text and usage",
    async (model) => {
      const response = await respond({ model, input: "Hello there", instructions: "Answer briefly." });
      // What openai's own type says a Response is: the compiler checks that ours is one.
      const typed: OpenAIResponse = response;
      expect(typed.object).toBe("response");
      expect(response.id).toMatch(/^resp_[0-9a-f]{48}$/);
      expect(response.status).toBe("completed");
      expect(response.model).toBe(model.replace(/^bedrock\/(converse|invoke)\//, ""));
      expect(response.instructions).toBe("Answer briefly.");
      expect(response.output).toHaveLength(1);
      const message = response.output[0]!;
      expect(message).toMatchObject({ type: "message", role: "assistant", status: "completed" });
      expect(message.id).toMatch(/^msg_/);
      expect(response.output_text).toBe(reply("Hello there"));
      expect(message.type === "message" && message.content).toEqual([
        { type: "output_text", text: reply("Hello there"), annotations: [], logprobs: [] },
      ]);
      expect(response.usage!.input_tokens).toBeGreaterThan(0);
      expect(response.usage!.output_tokens).toBeGreaterThan(0);
      expect(response.usage!.total_tokens).toBe(response.usage!.input_tokens + response.usage!.output_tokens);
      expect(response.usage!.cost).toBeGreaterThan(0);
      expect(response.store).toBe(false);
    },
  );

  it("instructions become the system prompt; metadata, user, store: false and include stay out of Bedrock's body", async () => {
    const response = await respond({
      model: NOVA,
      input: [{ role: "user", content: [{ type: "input_text", text: "Hi" }] }],
      instructions: "Be terse.",
      metadata: { team: "search" },
      user: "user-42",
      store: false,
      include: ["reasoning.encrypted_content"],
      service_tier: "auto",
      truncation: "disabled",
      max_output_tokens: 300,
      temperature: 0.2,
      top_p: 0.9,
    });
    // Converse's documented members (API_runtime_Converse.html): system blocks, inferenceConfig.
    expect(lastBody(emulator)).toEqual({
      messages: [{ role: "user", content: [{ text: "Hi" }] }],
      system: [{ text: "Be terse." }],
      inferenceConfig: { maxTokens: 300, temperature: 0.2, topP: 0.9 },
    });
    expect(response.metadata).toEqual({ team: "search" });
    expect(response.user).toBe("user-42");
    expect(response).toMatchObject({ temperature: 0.2, top_p: 0.9, max_output_tokens: 300 });
  });

  it("max_output_tokens cuts the answer: status incomplete with the reason", async () => {
    const response = await respond({ model: NOVA, input: "Tell me a long story", max_output_tokens: 3 });
    expect(response.status).toBe("incomplete");
    expect(response.incomplete_details).toEqual({ reason: "max_output_tokens" });
    expect(response.output[0]).toMatchObject({ type: "message", status: "incomplete" });
  });

  it("text.format json_schema gives JSON text", async () => {
    const response = await respond({
      model: NOVA,
      input: "A city, please",
      text: {
        format: {
          type: "json_schema",
          name: "city",
          schema: { type: "object", properties: { name: { type: "string" } }, required: ["name"] },
        },
      },
    });
    expect(JSON.parse(response.output_text)).toHaveProperty("name");
    expect(response.text.format).toMatchObject({ type: "json_schema", name: "city" });
    expect(response.output.every((item) => item.type === "message")).toBe(true);
  });

  it("an input_image data: URL reaches Bedrock as image bytes", async () => {
    await respond({
      model: CLAUDE,
      input: [
        {
          role: "user",
          content: [
            { type: "input_text", text: "What is this?" },
            { type: "input_image", image_url: pngDataUrl, detail: "auto" },
          ],
        },
      ],
    });
    expect(lastBody(emulator).messages[0].content).toEqual([
      { text: "What is this?" },
      { image: { format: "png", source: { bytes: pngBase64 } } },
    ]);
  });

  it("reasoning: Claude's thinking is a reasoning item whose encrypted_content is the signature", async () => {
    const response = await respond(
      { model: CLAUDE, input: "How do I cross the street?", reasoning: { effort: "low" } },
      pin(thinkingUnary),
    );
    // The runtime's reasoning_effort budgets (specs/anthropic-claude-messages.yaml): low is 1024 tokens.
    expect(lastBody(emulator).additionalModelRequestFields).toEqual({
      thinking: { type: "enabled", budget_tokens: 1024 },
    });
    const [reasoning, message] = response.output;
    expect(reasoning).toMatchObject({ type: "reasoning", summary: [], status: "completed" });
    if (reasoning?.type !== "reasoning") throw new Error("no reasoning item");
    expect(reasoning.content![0]!.text).toMatch(/^This is a straightforward question/);
    // The recording's signature, carried so that the next turn can send the thinking back.
    expect(reasoning.encrypted_content).toMatch(/^Eu4CCkgIBxAB/);
    expect(message!.type).toBe("message");
    expect(response.reasoning).toEqual({ effort: "low", summary: null });
  });

  it("a reasoning item sent back becomes Claude's thinking block with its signature", async () => {
    await respond({
      model: CLAUDE,
      input: [
        { role: "user", content: "First question" },
        {
          type: "reasoning",
          id: "rs_1",
          summary: [],
          content: [{ type: "reasoning_text", text: "Let me think." }],
          encrypted_content: "sig-123",
        },
        { type: "message", role: "assistant", content: [{ type: "output_text", text: "An answer." }] },
        { role: "user", content: "Second question" },
      ],
      reasoning: { effort: "low" },
    });
    expect(lastBody(emulator).messages[1]).toEqual({
      role: "assistant",
      content: [
        { reasoningContent: { reasoningText: { text: "Let me think.", signature: "sig-123" } } },
        { text: "An answer." },
      ],
    });
  });
});

describe("tools", () => {
  // Llama has no tool choice (its spec): the emulator calls the first offered tool anyway.
  it.each([
    [NOVA, "required"],
    [CLAUDE, "required"],
    [LLAMA, undefined],
    [MISTRAL, "required"],
  ])("%s: a function_call, then its output sent back", async (model, toolChoice) => {
    const first = await respond({
      model,
      input: "Weather in Paris?",
      tools: [weatherTool],
      tool_choice: toolChoice,
    });
    const call = first.output.find((item) => item.type === "function_call");
    expect(call).toMatchObject({ type: "function_call", name: "get_weather", status: "completed" });
    if (call?.type !== "function_call") throw new Error("no function call");
    expect(JSON.parse(call.arguments)).toHaveProperty("city");
    expect(call.id).toMatch(/^fc_/);

    const second = await respond({
      model,
      tools: [weatherTool],
      input: [
        { role: "user", content: "Weather in Paris?" },
        { type: "function_call", call_id: call.call_id, name: call.name, arguments: call.arguments },
        { type: "function_call_output", call_id: call.call_id, output: "Sunny, 21°C" },
      ],
    });
    const sent = lastBody(emulator).messages;
    expect(sent[1]).toEqual({
      role: "assistant",
      content: [
        { toolUse: { toolUseId: call.call_id, name: "get_weather", input: JSON.parse(call.arguments) } },
      ],
    });
    expect(sent[2]).toEqual({
      role: "user",
      content: [{ toolResult: { toolUseId: call.call_id, content: [{ text: "Sunny, 21°C" }] } }],
    });
    // The emulator answers a conversation that ends with a tool result in text, quoting the last user turn.
    expect(second.output.map((item) => item.type)).toEqual(["message"]);
    expect(second.output_text).toBe(reply("Weather in Paris?"));
  });

  it("a named tool_choice forces that tool", async () => {
    await respond({
      model: CLAUDE,
      input: "Weather?",
      tools: [weatherTool, { ...weatherTool, name: "get_time" }],
      tool_choice: { type: "function", name: "get_time" },
    });
    expect(lastBody(emulator).toolConfig.toolChoice).toEqual({ tool: { name: "get_time" } });
  });
});

describe("streamed responses", () => {
  it.each([NOVA, CLAUDE, invoke(CLAUDE), LLAMA, MISTRAL, invoke(LLAMA)])(
    "%s: the event sequence, and openai's stream helper rebuilds the same text",
    async (model) => {
      const events = await collect(await stream({ model, input: "Hello stream" }));
      // Every event is one of openai's ResponseStreamEvent members (checked by the compiler).
      const typed: OpenAIResponseStreamEvent[] = events;
      expect(typed.map((event) => event.sequence_number)).toEqual(events.map((_, index) => index));
      const types = events.map((event) => event.type);
      const deltas = types.filter((type) => type === "response.output_text.delta").length;
      expect(deltas).toBeGreaterThanOrEqual(2);
      expect(types).toEqual([
        "response.created",
        "response.in_progress",
        "response.output_item.added",
        "response.content_part.added",
        ...Array(deltas).fill("response.output_text.delta"),
        "response.output_text.done",
        "response.content_part.done",
        "response.output_item.done",
        "response.completed",
      ]);
      const created = events[0] as Extract<ResponseStreamEvent, { type: "response.created" }>;
      expect(created.response).toMatchObject({ status: "in_progress", output: [] });
      const final = await finalResponseOf(events);
      expect(final.output_text).toBe(reply("Hello stream"));
      expect(final.status).toBe("completed");
      expect(final.usage!.output_tokens).toBeGreaterThan(0);
      const completed = events.at(-1) as Extract<ResponseStreamEvent, { type: "response.completed" }>;
      expect(completed.response.usage!.cost).toBeGreaterThan(0);
      expect(completed.response.output_text).toBe(reply("Hello stream"));
    },
  );

  it.each([NOVA, CLAUDE, invoke(CLAUDE), MISTRAL])(
    "%s: a function call streams its arguments",
    async (model) => {
      const events = await collect(
        await stream({ model, input: "Weather in Paris?", tools: [weatherTool], tool_choice: "required" }),
      );
      const types = events.map((event) => event.type);
      expect(types.slice(0, 3)).toEqual([
        "response.created",
        "response.in_progress",
        "response.output_item.added",
      ]);
      expect(types).toContain("response.function_call_arguments.delta");
      const done = events.find((event) => event.type === "response.function_call_arguments.done");
      expect(done).toMatchObject({ name: "get_weather" });
      const final = await finalResponseOf(events);
      const call = final.output.find((item) => item.type === "function_call");
      expect(call).toMatchObject({ type: "function_call", name: "get_weather", status: "completed" });
      expect(call?.type === "function_call" && JSON.parse(call.arguments)).toHaveProperty("city");
      expect(done && "arguments" in done && done.arguments).toBe(
        call?.type === "function_call" && call.arguments,
      );
    },
  );

  it("reasoning streams as a reasoning item before the message", async () => {
    const events = await collect(
      await stream({ model: CLAUDE, input: "Hello", reasoning: { effort: "low" } }, pin(thinkingStream)),
    );
    const types = events.map((event) => event.type);
    expect(types).toContain("response.reasoning_text.delta");
    expect(types.indexOf("response.reasoning_text.done")).toBeLessThan(
      types.indexOf("response.output_text.delta"),
    );
    const final = await finalResponseOf(events);
    expect(final.output.map((item) => item.type)).toEqual(["reasoning", "message"]);
    const reasoning = final.output[0]!;
    expect(reasoning.type === "reasoning" && reasoning.content![0]!.text).toMatch(/^The user has greeted me/);
    expect(reasoning.type === "reasoning" && reasoning.encrypted_content).toBeTruthy();
    expect(final.output_text.length).toBeGreaterThan(10);
  });

  it("max_output_tokens ends the stream with response.incomplete", async () => {
    const events = await collect(
      await stream({ model: NOVA, input: "Tell me a long story", max_output_tokens: 3 }),
    );
    const last = events.at(-1)!;
    expect(last.type).toBe("response.incomplete");
    expect(last.type === "response.incomplete" && last.response.incomplete_details).toEqual({
      reason: "max_output_tokens",
    });
    const final = await finalResponseOf(events);
    expect(final.status).toBe("incomplete");
  });

  it("a Bedrock exception inside the stream: response.failed, then the typed error", async () => {
    const result = await stream({ model: CLAUDE, input: "Hello" }, fault("stream-error-after:2:throttling"));
    const seen: ResponseStreamEvent[] = [];
    const error = await failure(
      (async () => {
        for await (const event of result) seen.push(event);
      })(),
    );
    expect(BedrockCallError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ status: 429, awsErrorName: "ThrottlingException" });
    const failed = seen.at(-1)!;
    expect(failed.type).toBe("response.failed");
    expect(failed.type === "response.failed" && failed.response).toMatchObject({
      status: "failed",
      error: { code: "rate_limit_exceeded" },
    });
    expect(seen.map((event) => event.sequence_number)).toEqual(seen.map((_, index) => index));
  });

  it("an error before the stream starts rejects create()", async () => {
    const error = await failure(stream({ model: CLAUDE, input: "Hello" }, fault("throttle")));
    expect(BedrockCallError.isInstance(error)).toBe(true);
    expect(error.status).toBe(429);
  });

  it("breaking out of the loop closes the HTTP request and sends no final event", async () => {
    const result = await stream({ model: CLAUDE, input: "Hello" }, slow);
    const log = emulator.requests.at(-1)!;
    const seen: ResponseStreamEvent[] = [];
    for await (const event of result) {
      seen.push(event);
      if (event.type === "response.output_text.delta") break;
    }
    await log.done;
    expect(log.clientClosed).toBe(true);
    expect(result.controller.signal.aborted).toBe(true);
    expect(seen.some((event) => event.type === "response.completed")).toBe(false);
  });

  it("an aborted signal ends the iteration quietly, without response.completed", async () => {
    const controller = new AbortController();
    const result = await stream(
      { model: converse(CLAUDE), input: "Hello" },
      { ...slow, signal: controller.signal },
    );
    const log = emulator.requests.at(-1)!;
    const seen: ResponseStreamEvent[] = [];
    for await (const event of result) {
      seen.push(event);
      if (event.type === "response.output_text.delta") controller.abort();
    }
    await log.done;
    expect(log.clientClosed).toBe(true);
    expect(seen.at(-1)!.type).toBe("response.output_text.delta");
  });
});

describe("refused before any call", () => {
  it.each([
    ["previous_response_id", { previous_response_id: "resp_123" }],
    ["store", { store: true }],
    ["conversation", { conversation: "conv_1" }],
    ["background", { background: true }],
    ["prompt", { prompt: { id: "pmpt_1" } }],
    ["max_tool_calls", { max_tool_calls: 2 }],
    ["input[0].type", { input: [{ type: "item_reference", id: "msg_1" }] }],
    ["input[0].type", { input: [{ type: "computer_call_output", call_id: "c", output: {} }] }],
    [
      "input[0].content[0].file_id",
      { input: [{ role: "user", content: [{ type: "input_image", file_id: "file-1" }] }] },
    ],
    [
      "input[0].content[0].file_data",
      { input: [{ role: "user", content: [{ type: "input_file", file_data: "JVBERi0=" }] }] },
    ],
    ["tools[0].type", { tools: [{ type: "web_search" }] }],
    ["tool_choice", { tools: [weatherTool], tool_choice: { type: "allowed_tools", tools: [] } }],
    ["text.format.type", { text: { format: { type: "yaml" } } }],
    ["input", { input: [] }],
  ])("%s: %j", async (param, fields) => {
    const before = emulator.requests.length;
    const error = await failure(respond({ model: NOVA, input: "Hello", ...fields }));
    expect(RequestValidationError.isInstance(error)).toBe(true);
    expect(error.param).toBe(param);
    expect(error.status).toBe(400);
    expect(emulator.requests.length).toBe(before);
  });

  it("previous_response_id names what to send instead", async () => {
    const error = await failure(respond({ model: NOVA, input: "Hi", previous_response_id: "resp_1" }));
    expect(error.message).toMatch(/keeps no responses.*Send the earlier turns/);
  });

  it("under drop_params, a field with no Bedrock equivalent is dropped with a warning", async () => {
    const warnings: string[] = [];
    const response = await respond({
      model: NOVA,
      input: "Hi",
      max_tool_calls: 2,
      drop_params: true,
      onWarning: (message: string) => warnings.push(message),
    });
    expect(response.status).toBe("completed");
    expect(warnings).toEqual([expect.stringContaining("dropping max_tool_calls")]);
    expect(lastBody(emulator)).not.toHaveProperty("additionalModelRequestFields");
  });
});
