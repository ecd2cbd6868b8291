/**
 * Streamed chat completions through the real AWS SDK and the emulator: OpenAI chunk shapes on both
 * routes, the usage chunk, tool-call deltas (also parallel calls from a pinned fixture), streamed
 * reasoning from a recording, cancellation that reaches the HTTP request, and Bedrock exceptions
 * inside the stream thrown from the iterator as the same typed errors as unary calls.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Emulator, startEmulator } from "../../emulator/index.js";
import {
  type Bedrock,
  BedrockCallError,
  BedrockForgeError,
  type ChatCompletionChunk,
  type ChatCompletionStream,
  createBedrock,
  RequestValidationError,
} from "../../runtime/index.js";
import { assemble, credentials, drain, failure, lastBody, localFixture, recording, reply } from "./live.js";

const CLAUDE = "anthropic.claude-3-7-sonnet-20250219-v1:0";
const NOVA = "amazon.nova-lite-v1:0";
const LLAMA = "meta.llama3-8b-instruct-v1:0";
const converse = <M extends string>(model: M) => `bedrock/converse/${model}` as const;
const invoke = <M extends string>(model: M) => `bedrock/invoke/${model}` as const;

const weatherTool = {
  type: "function",
  function: {
    name: "get_weather",
    parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
  },
} as const;
const timeTool = {
  type: "function",
  function: { name: "get_time", parameters: { type: "object", properties: { zone: { type: "string" } } } },
} as const;

const fault = (name: string) => ({ headers: { "x-bedrock-forge-fault": name } });
const pin = (name: string) => ({ headers: { "x-bedrock-forge-fixture": name } });
/** A slow stream: many pieces with a pause between frames, so a consumer can stop half way. */
const slow = {
  headers: { "x-bedrock-forge-stream-chunks": "40", "x-bedrock-forge-chunk-interval-ms": "15" },
};

let emulator: Emulator;
let bedrock: Bedrock;

beforeAll(async () => {
  emulator = await startEmulator({
    mode: "hybrid",
    streamChunks: 3,
    fixtures: [
      localFixture("converse-stream-parallel-tools.json"),
      localFixture("claude-invoke-stream-parallel-tools.json"),
      localFixture("converse-parallel-tools.json"),
      recording("converse-stream/pydantic-ai_test_bedrock_model_thinking_part_stream.json"),
    ],
  });
  bedrock = createBedrock({ region: "us-east-1", endpoint: emulator.url, credentials, num_retries: 0 });
});

afterAll(async () => {
  await emulator?.close();
});

async function stream(
  body: Record<string, unknown>,
  options?: { headers?: Record<string, string>; signal?: AbortSignal },
): Promise<ChatCompletionStream> {
  return (await bedrock.chat.completions.create(
    { ...body, stream: true } as never,
    options,
  )) as unknown as ChatCompletionStream;
}

const hello = [{ role: "user", content: "Hello stream" }];

describe("chunks in OpenAI's shape", () => {
  it.each([converse(CLAUDE), invoke(CLAUDE), invoke(NOVA), invoke(LLAMA), converse(LLAMA)])(
    "%s: text deltas, one id, role first, finish last",
    async (model) => {
      const { chunks, error } = await drain(await stream({ model, messages: hello, max_tokens: 100 }));
      expect(error).toBeUndefined();
      expect(emulator.requests.at(-1)!.operation).toBe(
        model.startsWith("bedrock/converse/") ? "converse-stream" : "invoke-stream",
      );
      expect(chunks.length).toBeGreaterThan(2);
      const id = chunks[0]!.id;
      expect(id).toMatch(/^(chatcmpl-|msg_)/);
      for (const chunk of chunks) {
        expect(chunk.object).toBe("chat.completion.chunk");
        expect(chunk.id).toBe(id);
        expect(chunk.model).toBe(model.replace(/^bedrock\/(converse|invoke)\//, ""));
        expect(chunk.choices).toHaveLength(1);
        expect(chunk.usage).toBeUndefined();
      }
      expect(chunks[0]!.choices[0]!.delta.role).toBe("assistant");
      expect(chunks.slice(1).every((chunk) => chunk.choices[0]!.delta.role === undefined)).toBe(true);
      const { content, finish } = assemble(chunks);
      expect(content).toBe(reply("Hello stream"));
      expect(finish).toBe("stop");
      expect(chunks.slice(0, -1).every((chunk) => chunk.choices[0]!.finish_reason === null)).toBe(true);
      expect(chunks.at(-1)!.provider_specific_fields?.route).toBe(
        model.startsWith("bedrock/converse/") ? "converse" : "invoke",
      );
    },
  );

  it.each([converse(CLAUDE), invoke(CLAUDE), invoke(LLAMA)])(
    "%s: stream_options.include_usage adds a final usage chunk with the cost",
    async (model) => {
      const { chunks } = await drain(
        await stream({ model, messages: hello, stream_options: { include_usage: true } }),
      );
      const last = chunks.at(-1)!;
      expect(last.choices).toEqual([]);
      expect(last.usage).toBeDefined();
      const usage = last.usage!;
      expect(usage.prompt_tokens).toBeGreaterThan(0);
      expect(usage.completion_tokens).toBeGreaterThan(0);
      expect(usage.total_tokens).toBe(usage.prompt_tokens + usage.completion_tokens);
      expect(usage.cost).toBeGreaterThan(0);
      if (model.includes("claude-3-7")) {
        // $3 / $15 per million tokens.
        expect(usage.cost).toBeCloseTo((usage.prompt_tokens * 3 + usage.completion_tokens * 15) / 1e6, 12);
      }
      expect(chunks.at(-2)!.choices[0]!.finish_reason).toBe("stop");
    },
  );

  it("max_tokens smaller than the answer stops for length", async () => {
    const { chunks } = await drain(await stream({ model: converse(CLAUDE), messages: hello, max_tokens: 3 }));
    expect(assemble(chunks).finish).toBe("length");
  });

  it("a stream can be iterated once", async () => {
    const result = await stream({ model: converse(CLAUDE), messages: hello });
    await drain(result);
    expect(() => result[Symbol.asyncIterator]()).toThrow(RequestValidationError);
  });

  it("a model without streaming is refused before any call", async () => {
    const before = emulator.requests.length;
    const error = await failure(stream({ model: "ai21.j2-mid-v1", messages: hello }));
    expect(RequestValidationError.isInstance(error)).toBe(true);
    expect(emulator.requests.length).toBe(before);
  });
});

describe("tool calls in streams", () => {
  const ask = [{ role: "user", content: "Weather in Paris?" }];

  it.each([converse(CLAUDE), invoke(CLAUDE), invoke(NOVA)])(
    "%s: the first delta has index, id, type and name; arguments follow as JSON pieces",
    async (model) => {
      const { chunks } = await drain(
        await stream({ model, messages: ask, tools: [weatherTool], tool_choice: "required" }),
      );
      const deltas = chunks.flatMap((chunk) => chunk.choices[0]?.delta.tool_calls ?? []);
      expect(deltas.length).toBeGreaterThan(1);
      expect(deltas[0]).toMatchObject({ index: 0, type: "function", function: { name: "get_weather" } });
      expect(deltas[0]!.id).toBeTruthy();
      expect(deltas.slice(1).every((delta) => delta.index === 0 && delta.id === undefined)).toBe(true);
      const { toolCalls, finish } = assemble(chunks);
      expect(toolCalls).toHaveLength(1);
      expect(JSON.parse(toolCalls[0]!.arguments)).toEqual({ city: "example" });
      expect(finish).toBe("tool_calls");
    },
  );

  it.each([
    [
      "Converse",
      converse(CLAUDE),
      "converse-stream-parallel-tools.json",
      ["tooluse_weather_1", "tooluse_time_2"],
    ],
    [
      "Claude invoke",
      invoke(CLAUDE),
      "claude-invoke-stream-parallel-tools.json",
      ["toolu_weather_1", "toolu_time_2"],
    ],
  ])(
    "%s: two parallel calls get indices 0 and 1 whatever their content-block index",
    async (_route, model, fixture, ids) => {
      const { chunks, error } = await drain(
        await stream(
          { model, messages: ask, tools: [weatherTool, timeTool], stream_options: { include_usage: true } },
          pin(fixture),
        ),
      );
      expect(error).toBeUndefined();
      expect(emulator.requests.at(-1)!.fixture).toBe(fixture);
      const deltas = chunks.flatMap((chunk) => chunk.choices[0]?.delta.tool_calls ?? []);
      expect(deltas.filter((delta) => delta.id !== undefined)).toEqual([
        { index: 0, id: ids[0], type: "function", function: { name: "get_weather", arguments: "" } },
        { index: 1, id: ids[1], type: "function", function: { name: "get_time", arguments: "" } },
      ]);
      const { content, toolCalls, finish } = assemble(chunks);
      expect(content).toBe("Checking both now.");
      expect(toolCalls.map((call) => [call.id, call.name, JSON.parse(call.arguments)])).toEqual([
        [ids[0], "get_weather", { city: "Paris" }],
        [ids[1], "get_time", { zone: "Asia/Tokyo" }],
      ]);
      expect(finish).toBe("tool_calls");
      expect(chunks.at(-1)!.usage).toMatchObject({
        prompt_tokens: 310,
        completion_tokens: 96,
        total_tokens: 406,
      });
    },
  );

  it("unary: two parallel calls, arguments as JSON strings", async () => {
    const completion = (await bedrock.chat.completions.create(
      { model: converse(CLAUDE), messages: ask as never, tools: [weatherTool, timeTool] },
      pin("converse-parallel-tools.json"),
    )) as import("../../runtime/index.js").ChatCompletion;
    expect(completion.choices[0]!.message).toEqual({
      role: "assistant",
      content: "Checking both now.",
      tool_calls: [
        {
          id: "tooluse_weather_1",
          type: "function",
          function: { name: "get_weather", arguments: '{"city":"Paris"}' },
        },
        {
          id: "tooluse_time_2",
          type: "function",
          function: { name: "get_time", arguments: '{"zone":"Asia/Tokyo"}' },
        },
      ],
      refusal: null,
    });
    expect(completion.choices[0]!.finish_reason).toBe("tool_calls");
  });

  it("JSON output through the forced tool streams as content", async () => {
    const { chunks } = await drain(
      await stream({
        model: converse(CLAUDE),
        messages: hello,
        response_format: {
          type: "json_schema",
          json_schema: {
            name: "person",
            schema: { type: "object", properties: { name: { type: "string" } }, required: ["name"] },
          },
        },
      }),
    );
    const { content, toolCalls, finish } = assemble(chunks);
    expect(JSON.parse(content)).toEqual({ name: "example" });
    expect(toolCalls).toEqual([]);
    expect(finish).toBe("stop");
  });
});

describe("reasoning and guardrails in streams", () => {
  it("a recorded thinking stream: reasoning_content deltas and a thinking block with its signature", async () => {
    const { chunks } = await drain(
      await stream(
        {
          model: converse("us.anthropic.claude-sonnet-4-20250514-v1:0"),
          messages: [{ role: "user", content: "How do I cross the street?" }],
          reasoning_effort: "low",
        },
        pin("converse-stream/pydantic-ai_test_bedrock_model_thinking_part_stream.json"),
      ),
    );
    expect(lastBody(emulator).additionalModelRequestFields).toEqual({
      thinking: { type: "enabled", budget_tokens: 1024 },
    });
    const { reasoning, content, finish } = assemble(chunks);
    expect(reasoning.length).toBeGreaterThan(20);
    expect(content.length).toBeGreaterThan(20);
    expect(finish).toBe("stop");
    const blocks = chunks.flatMap((chunk) => chunk.choices[0]?.delta.thinking_blocks ?? []);
    expect(blocks).toHaveLength(1);
    expect(blocks[0]!.thinking).toBe(reasoning);
    expect(blocks[0]!.signature).toBeTruthy();
  });

  it.each([converse(CLAUDE), invoke(CLAUDE)])(
    "%s: a guardrail intervention ends with content_filter",
    async (model) => {
      const { chunks } = await drain(
        await stream({
          model,
          messages: [{ role: "user", content: "Something BLOCKED" }],
          guardrailConfig: {
            guardrailIdentifier: "gr-stream",
            guardrailVersion: "2",
            trace: "enabled",
            streamProcessingMode: "async",
          },
        }),
      );
      const { content, finish } = assemble(chunks);
      expect(finish).toBe("content_filter");
      expect(content).toBe("Sorry, the model cannot answer this question.");
      if (model.startsWith("bedrock/converse/")) {
        expect(lastBody(emulator).guardrailConfig).toEqual({
          guardrailIdentifier: "gr-stream",
          guardrailVersion: "2",
          trace: "enabled",
          streamProcessingMode: "async",
        });
      }
      const last = chunks.findLast((chunk) => chunk.choices[0]?.finish_reason);
      expect(JSON.stringify(last!.provider_specific_fields?.guardrail_trace)).toContain("gr-stream");
    },
  );

  it("the guardrail's stream processing mode is sent only with ConverseStream (Converse has no such member)", async () => {
    const guardrailConfig = {
      guardrailIdentifier: "gr-unary",
      guardrailVersion: "1",
      streamProcessingMode: "sync",
    } as const;
    await bedrock.chat.completions.create({
      model: converse(CLAUDE),
      messages: hello as never,
      guardrailConfig,
    });
    expect(emulator.requests.at(-1)!.status).toBe(200);
    expect(lastBody(emulator).guardrailConfig).toEqual({
      guardrailIdentifier: "gr-unary",
      guardrailVersion: "1",
    });
  });
});

describe("cancellation reaches the HTTP request", () => {
  async function firstChunkThen(
    result: ChatCompletionStream,
    after: (chunk: ChatCompletionChunk) => void,
  ): Promise<ChatCompletionChunk[]> {
    const seen: ChatCompletionChunk[] = [];
    for await (const chunk of result) {
      seen.push(chunk);
      if (seen.length === 2) after(chunk);
      if (seen.length === 2 && after.length === 0) break;
    }
    return seen;
  }

  it.each([converse(CLAUDE), invoke(CLAUDE)])("%s: breaking out of for await", async (model) => {
    const result = await stream({ model, messages: hello }, slow);
    const log = emulator.requests.at(-1)!;
    const seen = await firstChunkThen(result, () => {});
    expect(seen).toHaveLength(2);
    await log.done;
    expect(log.clientClosed).toBe(true);
    expect(log.completed).toBe(false);
    expect(result.controller.signal.aborted).toBe(true);
  });

  it.each([converse(CLAUDE), invoke(LLAMA)])("%s: abort() ends the iteration quietly", async (model) => {
    const result = await stream({ model, messages: hello }, slow);
    const log = emulator.requests.at(-1)!;
    const seen: ChatCompletionChunk[] = [];
    for await (const chunk of result) {
      seen.push(chunk);
      if (seen.length === 2) result.abort();
    }
    expect(seen.length).toBeLessThan(10);
    await log.done;
    expect(log.clientClosed).toBe(true);
  });

  it("an aborted signal cancels a running stream and ends the iteration quietly", async () => {
    const controller = new AbortController();
    const result = await stream(
      { model: converse(CLAUDE), messages: hello },
      { ...slow, signal: controller.signal },
    );
    const log = emulator.requests.at(-1)!;
    const seen: ChatCompletionChunk[] = [];
    const { error } = await drain({
      async *[Symbol.asyncIterator]() {
        for await (const chunk of result) {
          seen.push(chunk);
          if (seen.length === 2) controller.abort();
          yield chunk;
        }
      },
    });
    // Like break and abort(): the iteration ends, no error (the caller asked for it).
    expect(error).toBeUndefined();
    expect(seen.length).toBeLessThan(10);
    await log.done;
    expect(log.clientClosed).toBe(true);
  });

  it("a signal aborted before the call fails it with a typed error, and nothing is sent", async () => {
    const before = emulator.requests.length;
    const error = await failure(
      stream({ model: converse(CLAUDE), messages: hello }, { signal: AbortSignal.abort() }),
    );
    expect(BedrockCallError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ status: 499, code: "AbortError", retryable: false });
    expect(emulator.requests.length).toBe(before);
  });
});

describe("errors inside the stream", () => {
  it.each([converse(CLAUDE), invoke(CLAUDE)])(
    "%s: an exception after 3 events is thrown from the iterator as the same typed error as a unary call",
    async (model) => {
      const pairs = [
        ["stream-error-after:3:throttling", "throttle"],
        ["stream-error-after:3:internal", "500"],
        ["stream-error-after:3:unavailable", "503"],
        ["stream-error-after:3:validation", "context-window"],
      ];
      // ConverseStream has no modelTimeoutException member (Bedrock reports it as a model stream error there).
      if (model.startsWith("bedrock/invoke/"))
        pairs.push(["stream-error-after:3:model-timeout", "model-timeout"]);
      for (const [streamFault, unaryFault] of pairs as [string, string][]) {
        const { chunks, error } = await drain(await stream({ model, messages: hello }, fault(streamFault)));
        const streamLog = emulator.requests.at(-1)!;
        expect(chunks.length, streamFault).toBeGreaterThan(0);
        expect(BedrockCallError.isInstance(error), `${streamFault}: ${error}`).toBe(true);
        const unary = await failure(
          bedrock.chat.completions.create({ model, messages: hello as never }, fault(unaryFault)),
        );
        for (const field of ["status", "type", "code", "awsErrorName", "retryable"]) {
          expect(error![field], `${streamFault} ${field}`).toEqual(unary[field]);
        }
        expect(error!.message).toMatch(CLAUDE);
        expect(error!.requestId).toBe(streamLog.id);
      }
    },
  );

  it("the default in-stream exception is ModelStreamErrorException (424)", async () => {
    const { error } = await drain(
      await stream({ model: converse(CLAUDE), messages: hello }, fault("stream-error-after:3")),
    );
    expect(BedrockCallError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ status: 424, awsErrorName: "ModelStreamErrorException", retryable: false });
  });

  it.each([
    [converse(CLAUDE), "truncate-after:3"],
    [invoke(CLAUDE), "truncate-after:3"],
    [invoke(LLAMA), "truncate-after:2"],
    [converse(CLAUDE), "bad-crc"],
    [invoke(LLAMA), "bad-crc"],
  ])("%s, %s: a clear typed error, never a silent success", async (model, name) => {
    let error: (Error & Record<string, unknown>) | undefined;
    let chunks: ChatCompletionChunk[] = [];
    try {
      ({ chunks, error } = await drain(await stream({ model, messages: hello }, fault(name))));
    } catch (thrown) {
      error = thrown as Error & Record<string, unknown>;
    }
    expect(BedrockForgeError.isInstance(error), String(error)).toBe(true);
    expect(chunks.some((chunk) => chunk.choices[0]?.finish_reason)).toBe(false);
    expect(error!.status).toBeGreaterThanOrEqual(500);
  });
});
