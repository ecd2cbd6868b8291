/**
 * Bedrock Custom Model Import by LiteLLM's routes (https://docs.litellm.ai/docs/providers/bedrock_imported):
 * `bedrock/<route>/[<region>/]<model ARN>` names the model's InvokeModel format; the model is invoked bare, in
 * its Region, with no price. The wire facts come from LiteLLM's transformations (BerriAI/litellm
 * litellm/llms/bedrock/chat/invoke_transformations/: base_invoke_transformation.py for llama/ and deepseek_r1/,
 * amazon_deepseek_transformation.py, amazon_qwen3_transformation.py, amazon_qwen2_transformation.py,
 * amazon_openai_transformation.py, amazon_moonshot_transformation.py; the DeepSeek template of
 * litellm/constants.py known_tokenizer_config "deepseek-r1/deepseek-r1-7b-instruct"; default_pt of
 * litellm/litellm_core_utils/prompt_templates/factory.py) and OpenAI's chat completion object
 * (https://platform.openai.com/docs/api-reference/chat/object). The conformance suite
 * (test/conformance/litellm/cases/imported-models.yaml, deepseek-reasoning.yaml) holds LiteLLM's own cases;
 * these tests cover what those do not reach.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DecodedStreamEvent } from "../../emulator/eventstream.js";
import { type Emulator, type LoadedFixture, startEmulator } from "../../emulator/index.js";
import { descriptor as deepseekFormat } from "../../generated/families/imported-deepseek-r1.js";
import { descriptor as qwen2Format } from "../../generated/families/imported-qwen2.js";
import { parseInvokeChatResponse } from "../../runtime/chat/invoke.js";
import type { StreamEvent } from "../../runtime/chat/model.js";
import { streamCodecFor } from "../../runtime/codecs/registry.js";
import {
  importedModelEntry,
  isImportedModelRoute,
  readImportedModelReference,
} from "../../runtime/imported-models.js";
import {
  type Bedrock,
  type ChatCompletion,
  type ChatCompletionChunk,
  createBedrock,
  ModelNotSupportedError,
  RequestValidationError,
} from "../../runtime/index.js";
import { resolveModel } from "../../runtime/models.js";
import { assemble, credentials, drain, failure, lastBody, reply } from "./live.js";

const arn = (name: string, region = "us-east-1") =>
  `arn:aws:bedrock:${region}:123456789012:imported-model/${name}`;
const llama = arn("llama-distill");
const deepseek = arn("deepseek-r1-distill");
const qwen3 = arn("qwen3-8b");
const qwen2 = arn("qwen2-7b");
const openai = arn("qwen25-vl");
const moonshot = arn("kimi-k2");

function answerFixture(name: string, response: unknown): LoadedFixture {
  return {
    name,
    fixture: {
      source: "test/runtime/imported-models.test.ts",
      operation: "invoke",
      modelId: null,
      request: null,
      http: { status: 200, responseHeaders: {} },
      response,
    },
  } as unknown as LoadedFixture;
}

function streamFixture(name: string, chunks: readonly unknown[]): LoadedFixture {
  const events: DecodedStreamEvent[] = chunks.map((chunk) => ({
    messageType: "event",
    eventType: "chunk",
    chunk,
  })) as DecodedStreamEvent[];
  return {
    name,
    fixture: {
      source: "test/runtime/imported-models.test.ts",
      operation: "invoke-stream",
      modelId: null,
      request: null,
      http: { status: 200, responseHeaders: {} },
      events,
    },
  } as unknown as LoadedFixture;
}

const pinned = (name: string) => ({ headers: { "x-bedrock-forge-fixture": name } });

describe("imported-model references", () => {
  it.each([
    ["llama/" + llama, { route: "llama", modelId: llama, region: "us-east-1" }],
    ["deepseek_r1/" + deepseek, { route: "deepseek_r1", modelId: deepseek, region: "us-east-1" }],
    ["openai/eu-west-1/" + openai, { route: "openai", modelId: openai, region: "eu-west-1" }],
    ["qwen3/" + arn("q", "ap-northeast-1"), { route: "qwen3", modelId: arn("q", "ap-northeast-1") }],
    ["moonshot/moonshot.kimi-k2-thinking", { route: "moonshot", modelId: "moonshot.kimi-k2-thinking" }],
  ])("%s", (reference, expected) => {
    expect(readImportedModelReference(reference)).toMatchObject(expected);
  });

  it.each(["converse/" + llama, "anthropic.claude-3-haiku-20240307-v1:0", llama, "notaprovider/" + llama])(
    "%s is no imported-model reference",
    (reference) => {
      expect(readImportedModelReference(reference)).toBeUndefined();
    },
  );

  it("knows LiteLLM's documented routes, and no others", () => {
    for (const route of ["llama", "deepseek_r1", "qwen3", "qwen2", "openai", "moonshot"])
      expect(isImportedModelRoute(route)).toBe(true);
    for (const route of ["converse", "invoke", "converse_like", "anthropic", "twelvelabs"])
      expect(isImportedModelRoute(route)).toBe(false);
  });

  it("makes an entry with the format's family, InvokeModel only, and no price", () => {
    const entry = importedModelEntry("qwen3", qwen3);
    expect(entry).toMatchObject({
      id: qwen3,
      family: "imported-qwen3",
      routes: ["invoke"],
      operations: ["chat", "chat-stream"],
      regions: ["us-east-1"],
      price: {},
    });
    expect(importedModelEntry("openai", openai).capabilities).toContain("vision");
    expect(importedModelEntry("deepseek_r1", deepseek).family).toBe("imported-deepseek-r1");
  });

  it("resolves a route to the bare ARN on InvokeModel, in the route's Region", () => {
    const resolved = resolveModel(`bedrock/openai/eu-west-1/${openai}`);
    expect(resolved).toMatchObject({
      wireModelId: openai,
      displayName: openai,
      forcedRoute: "invoke",
      arnRegion: "eu-west-1",
      importedRoute: "openai",
    });
    expect(resolved.entry?.family).toBe("imported-openai");
    // LiteLLM strips `invoke/` before reading the provider route (get_bedrock_invoke_provider).
    expect(resolveModel(`bedrock/invoke/llama/${llama}`).entry?.family).toBe("imported-llama");
  });

  it.each([
    [`bedrock/converse/llama/${llama}`, /InvokeModel format.*bedrock\/converse\/arn:/],
    ["bedrock/qwen3/", /needs the model's ARN/],
    [
      `bedrock/anthropic/${llama}`,
      /anthropic\/ is not a route.*deepseek_r1\/, llama\/, moonshot\/, openai\/, qwen2\/, qwen3\//,
    ],
  ])("%s is refused", (model, message) => {
    expect(() => resolveModel(model)).toThrow(ModelNotSupportedError);
    expect(() => resolveModel(model)).toThrow(message);
  });
});

describe("imported formats' answers, decoded", () => {
  const meta = { id: "chatcmpl-test", model: "m", created: 0, jsonTool: false };

  it("DeepSeek-R1 streams: reasoning and content do not depend on where the chunks cut the text", () => {
    // LiteLLM's AmazonDeepseekR1ResponseIterator: everything before </think> is reasoning, the rest content.
    const text = fc.string({ unit: fc.constantFrom("a", " ", "<", "/", "t", "h", "i", "n", "k", ">", "\n") });
    fc.assert(
      fc.property(
        text.filter((reasoning) => !reasoning.includes("</think>")),
        text,
        fc.array(fc.nat(), { maxLength: 8 }),
        (reasoning, answer, cuts) => {
          const whole = `${reasoning}</think>${answer}`;
          const points = [...new Set(cuts.map((cut) => cut % (whole.length + 1)))].sort((a, b) => a - b);
          const pieces = [0, ...points, whole.length]
            .slice(1)
            .map((end, index, ends) => whole.slice(index === 0 ? 0 : ends[index - 1], end));
          const decode = streamCodecFor("flat").createDecoder(
            deepseekFormat.chat!.stream!,
            deepseekFormat.chat!.response,
          );
          const events: StreamEvent[] = [];
          pieces.forEach((piece, index) =>
            events.push(
              ...decode({ generation: piece, stop_reason: index === pieces.length - 1 ? "stop" : null }),
            ),
          );
          const joined = (kind: "text" | "reasoning") =>
            events.map((event) => (event.kind === kind ? event.text : "")).join("");
          expect(joined("reasoning")).toBe(reasoning);
          expect(joined("text")).toBe(answer);
          expect(events.at(-1)).toEqual({ kind: "finish", reason: "stop" });
        },
      ),
    );
  });

  it("DeepSeek-R1 unary: without </think> the whole answer is reasoning (the stream reads it so too)", () => {
    const completion = parseInvokeChatResponse(
      { generation: "still thinking", stop_reason: "length" },
      undefined,
      deepseekFormat,
      meta,
      undefined,
      undefined,
    );
    expect(completion.choices[0]).toMatchObject({
      message: { content: "", reasoning_content: "still thinking" },
      finish_reason: "length",
    });
    expect(completion.usage?.cost).toBeNull();
  });

  it.each([
    // amazon_qwen2_transformation.py: `generation` first, else `text`; the ChatML markers removed.
    [{ text: "<|im_start|>assistant\nHi<|im_end|>" }, "Hi"],
    [{ generation: "From generation", text: "From text" }, "From generation"],
    [{ generation: "", text: "From text" }, "From text"],
    [{ generation: "<|im_start|>assistant\nonly the start" }, "only the start"],
    [{ generation: "a <|im_end|> inside<|im_end|>" }, "a <|im_end|> inside"],
  ])("Qwen2 %j → %s", (body, content) => {
    const completion = parseInvokeChatResponse(body, undefined, qwen2Format, meta, undefined, undefined);
    expect(completion.choices[0]!.message.content).toBe(content);
    expect(completion.choices[0]!.finish_reason).toBe("stop");
  });
});

describe("imported models over the SDK and the emulator", () => {
  const importedModels = {
    [llama]: "llama",
    [deepseek]: "deepseek_r1",
    [qwen3]: "qwen3",
    [qwen2]: "qwen2",
    [openai]: "openai",
    [moonshot]: "moonshot",
  };
  // One emulator synthesizes answers from the specs (bodies are checked against the formats' schemas); the
  // other replays the answers below, pinned per call.
  let emulator: Emulator;
  let replaying: Emulator;
  let bedrock: Bedrock;
  let replayed: Bedrock;

  beforeAll(async () => {
    emulator = await startEmulator({ mode: "synthesize", streamChunks: 3, importedModels });
    replaying = await startEmulator({
      mode: "replay",
      importedModels,
      fixtures: [
        // AmazonDeepSeekR1Config.transform_response: "<think>" + answer, split at </think>.
        answerFixture("deepseek-unary", {
          generation: "Two and two make four.</think>\n\n4",
          stop_reason: "stop",
          prompt_token_count: 12,
          generation_token_count: 9,
        }),
        // OpenAI's chat completion object, with a tool call.
        answerFixture("openai-tool-call", {
          id: "chatcmpl-imported-1",
          object: "chat.completion",
          model: openai,
          choices: [
            {
              index: 0,
              message: {
                role: "assistant",
                content: null,
                tool_calls: [
                  {
                    id: "call_1",
                    type: "function",
                    function: { name: "get_weather", arguments: '{"city":"Paris"}' },
                  },
                ],
              },
              finish_reason: "tool_calls",
            },
          ],
          usage: { prompt_tokens: 20, completion_tokens: 8, total_tokens: 28 },
        }),
        // AmazonMoonshotConfig._extract_reasoning_from_content: <reasoning>…</reasoning> then the answer.
        answerFixture("moonshot-reasoning", {
          id: "chatcmpl-imported-2",
          choices: [
            {
              index: 0,
              message: { role: "assistant", content: "<reasoning>The user greets me.</reasoning>Hello!" },
              finish_reason: "stop",
            },
          ],
          usage: { prompt_tokens: 5, completion_tokens: 6, total_tokens: 11 },
        }),
        // chat.completion.chunk objects (https://platform.openai.com/docs/api-reference/chat/streaming).
        streamFixture("openai-stream", [
          {
            id: "c1",
            object: "chat.completion.chunk",
            choices: [{ index: 0, delta: { role: "assistant" } }],
          },
          { id: "c1", object: "chat.completion.chunk", choices: [{ index: 0, delta: { content: "Hel" } }] },
          {
            id: "c1",
            object: "chat.completion.chunk",
            choices: [{ index: 0, delta: { content: "lo" }, finish_reason: "stop" }],
            "amazon-bedrock-invocationMetrics": { inputTokenCount: 7, outputTokenCount: 2 },
          },
        ]),
        // Qwen2 imports answer in `text` (amazon_qwen2_transformation.py), also when streamed.
        streamFixture("qwen2-text-stream", [
          { text: "Hello", stop_reason: null },
          {
            text: " there",
            stop_reason: "stop",
            "amazon-bedrock-invocationMetrics": { inputTokenCount: 4, outputTokenCount: 2 },
          },
        ]),
      ],
    });
    const options = { region: "us-east-1", credentials, num_retries: 0 };
    bedrock = createBedrock({ ...options, endpoint: emulator.url });
    replayed = createBedrock({ ...options, endpoint: replaying.url });
  });

  afterAll(async () => {
    await emulator?.close();
    await replaying?.close();
  });

  /** A call answered by the synthesizing emulator, or (`fixture`) by the replaying one with that answer. */
  const chat = (body: Record<string, unknown>, fixture?: string) =>
    (fixture ? replayed : bedrock).chat.completions.create(
      body as never,
      fixture ? pinned(fixture) : undefined,
    ) as Promise<ChatCompletion>;
  const stream = async (body: Record<string, unknown>, fixture?: string) =>
    drain(
      (await (fixture ? replayed : bedrock).chat.completions.create(
        { ...body, stream: true } as never,
        fixture ? pinned(fixture) : undefined,
      )) as unknown as AsyncIterable<ChatCompletionChunk>,
    );

  const conversation = [
    { role: "system", content: "Be brief." },
    { role: "user", content: "Hi" },
    { role: "assistant", content: "Hello." },
    { role: "user", content: "What is 2+2?" },
  ];

  it("llama/: the messages' text joined by spaces (LiteLLM's default_pt), the Llama params", async () => {
    const completion = await chat({
      model: `bedrock/llama/${llama}`,
      messages: conversation,
      max_tokens: 64,
      temperature: 0.2,
    });
    expect(emulator.requests.at(-1)).toMatchObject({ operation: "invoke", modelId: llama });
    expect(lastBody(emulator)).toEqual({
      prompt: "Be brief. Hi Hello. What is 2+2?",
      max_gen_len: 64,
      temperature: 0.2,
    });
    expect(completion.model).toBe(llama);
    expect(completion.usage?.cost).toBeNull();
  });

  it("deepseek_r1/: DeepSeek's template ending in <think>, the Llama params", async () => {
    await chat({ model: `bedrock/deepseek_r1/${deepseek}`, messages: conversation, max_tokens: 128 });
    expect(lastBody(emulator)).toEqual({
      prompt:
        "<｜begin▁of▁sentence｜>Be brief.<｜User｜>Hi<｜Assistant｜>Hello.<｜end▁of▁sentence｜><｜User｜>What is 2+2?<｜Assistant｜><think>\n",
      max_gen_len: 128,
    });
  });

  it("deepseek_r1/: a unary answer splits at </think> into reasoning and content", async () => {
    const completion = await chat(
      { model: `bedrock/deepseek_r1/${deepseek}`, messages: conversation },
      "deepseek-unary",
    );
    expect(completion.choices[0]!.message).toMatchObject({
      content: "\n\n4",
      reasoning_content: "Two and two make four.",
    });
    expect(completion.usage).toMatchObject({ prompt_tokens: 12, completion_tokens: 9, cost: null });
  });

  it("qwen3/ and qwen2/: ChatML prompt, and streams read back", async () => {
    for (const [route, model] of [
      ["qwen3", qwen3],
      ["qwen2", qwen2],
    ] as const) {
      const { chunks, error } = await stream({
        model: `bedrock/${route}/${model}`,
        messages: [{ role: "user", content: "Hello stream" }],
        top_k: 20,
      });
      expect(error).toBeUndefined();
      expect(emulator.requests.at(-1)).toMatchObject({ operation: "invoke-stream", modelId: model });
      expect(lastBody(emulator)).toEqual({
        prompt: "<|im_start|>user\nHello stream<|im_end|>\n<|im_start|>assistant\n",
        top_k: 20,
      });
      expect(assemble(chunks)).toMatchObject({ content: reply("Hello stream"), finish: "stop" });
    }
  });

  it("qwen2/: streamed `text` chunks are the content", async () => {
    const { chunks } = await stream(
      { model: `bedrock/qwen2/${qwen2}`, messages: [{ role: "user", content: "Hi" }] },
      "qwen2-text-stream",
    );
    expect(assemble(chunks)).toMatchObject({ content: "Hello there", finish: "stop" });
  });

  it("qwen3/: tool calls cannot be written into a ChatML prompt here: a clear error, nothing sent", async () => {
    const before = emulator.requests.length;
    const error = await failure(
      chat({
        model: `bedrock/qwen3/${qwen3}`,
        messages: [
          { role: "user", content: "Weather?" },
          {
            role: "assistant",
            content: null,
            tool_calls: [{ id: "c", type: "function", function: { name: "w", arguments: "{}" } }],
          },
          { role: "tool", tool_call_id: "c", content: "sunny" },
        ],
      }),
    );
    expect(error).toBeInstanceOf(RequestValidationError);
    expect(error.message).toMatch(/tool/);
    expect(emulator.requests.length).toBe(before);
  });

  it("openai/: the OpenAI body with the ARN as model; a tool call answer decodes", async () => {
    const completion = await chat(
      {
        model: `bedrock/openai/${openai}`,
        messages: [{ role: "user", content: "Weather in Paris?" }],
        tools: [{ type: "function", function: { name: "get_weather", parameters: { type: "object" } } }],
        max_tokens: 50,
        seed: 7,
      },
      "openai-tool-call",
    );
    expect(lastBody(replaying)).toMatchObject({
      model: openai,
      messages: [{ role: "user", content: "Weather in Paris?" }],
      max_tokens: 50,
      seed: 7,
      tools: [{ type: "function", function: { name: "get_weather" } }],
    });
    expect(lastBody(replaying)).not.toHaveProperty("stream");
    expect(completion.choices[0]).toMatchObject({
      finish_reason: "tool_calls",
      message: {
        tool_calls: [{ id: "call_1", function: { name: "get_weather", arguments: '{"city":"Paris"}' } }],
      },
    });
    expect(completion.usage).toMatchObject({ prompt_tokens: 20, completion_tokens: 8, cost: null });
  });

  it("openai/: chat.completion.chunk streams", async () => {
    const { chunks } = await stream(
      { model: `bedrock/openai/${openai}`, messages: [{ role: "user", content: "Hi" }] },
      "openai-stream",
    );
    expect(replaying.requests.at(-1)!.operation).toBe("invoke-stream");
    expect(assemble(chunks)).toMatchObject({ content: "Hello", finish: "stop" });
  });

  it("openai/<region>/: invoked and signed in the route's Region", async () => {
    await chat({ model: `bedrock/openai/eu-west-1/${openai}`, messages: [{ role: "user", content: "Hi" }] });
    const request = emulator.requests.at(-1)!;
    expect(request.modelId).toBe(openai);
    expect(request.headers.authorization).toMatch(/\/eu-west-1\/bedrock\//);
    expect(lastBody(emulator).model).toBe(openai);
  });

  it("moonshot/: string content, no stop, reasoning split from <reasoning> tags", async () => {
    const completion = await chat(
      { model: `bedrock/moonshot/${moonshot}`, messages: [{ role: "user", content: "Hello" }] },
      "moonshot-reasoning",
    );
    expect(lastBody(replaying)).toMatchObject({
      model: moonshot,
      messages: [{ role: "user", content: "Hello" }],
    });
    expect(completion.choices[0]!.message).toMatchObject({
      content: "Hello!",
      reasoning_content: "The user greets me.",
    });
    const error = await failure(
      chat({
        model: `bedrock/moonshot/${moonshot}`,
        messages: [{ role: "user", content: "Hi" }],
        stop: ["x"],
      }),
    );
    expect(error.message).toMatch(/stop is not supported.*stop sequences/);
  });

  it("an imported model the emulator does not know is Bedrock's invalid model id", async () => {
    const error = await failure(
      chat({ model: `bedrock/llama/${arn("unknown-import")}`, messages: [{ role: "user", content: "Hi" }] }),
    );
    expect(error.message).toMatch(/model identifier is invalid/);
  });
});

describe("the emulator's importedModels option", () => {
  it("refuses a route that names no format", async () => {
    await expect(startEmulator({ importedModels: { [llama]: "llamma" } })).rejects.toThrow(
      /"llamma", which is not an imported-model route \(deepseek_r1, llama, moonshot, openai, qwen2, qwen3\)/,
    );
  });
});
