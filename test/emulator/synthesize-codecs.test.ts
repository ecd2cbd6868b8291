/**
 * Synthesizers of codecs and shapes that no spec in the catalog uses yet, driven by descriptors written
 * here after the AWS documentation pages and recordings each comment names. When those specs land, the
 * catalog loop in synthesize.test.ts covers them through the server as well.
 */
import { describe, expect, it } from "vitest";
import { buildEmbeddingsResponse, embedText } from "../../emulator/synthesize/embeddings.js";
import { buildImagesResponse } from "../../emulator/synthesize/images.js";
import {
  buildNativeChatResponse,
  buildNativeChatStream,
  readNativeChatView,
} from "../../emulator/synthesize/native-chat.js";
import { nativeFinish } from "../../emulator/synthesize/native-kit.js";
import { planChat } from "../../emulator/synthesize/plan.js";
import { readPngSize } from "../../emulator/synthesize/png.js";
import type { CatalogEntry, FamilyDescriptor } from "../../runtime/descriptor.js";
import { readPointer } from "../../runtime/pointer.js";

const base = { provider: "test", title: "test", operations: ["chat", "chat-stream"], routes: ["invoke"] };
const context = (descriptor: FamilyDescriptor) => ({
  descriptor,
  modelId: "test.model-v1:0",
  created: 1_700_000_000,
  metrics: { invocationLatency: 12, firstByteLatency: 5 },
});
const entry = (extra: Partial<CatalogEntry> = {}): CatalogEntry =>
  ({
    id: "test.model-v1:0",
    name: "t",
    family: "t",
    provider: "t",
    operations: [],
    routes: ["invoke"],
    capabilities: [],
    inputModalities: [],
    outputModalities: [],
    regions: [],
    profiles: [],
    profileOnly: false,
    price: {},
    ...extra,
  }) as CatalogEntry;

function run(descriptor: FamilyDescriptor, body: Record<string, unknown>, chunkCount?: number) {
  const view = readNativeChatView(body, descriptor);
  const plan = planChat(view, { modelId: "test.model-v1:0", ...(chunkCount ? { chunkCount } : {}) });
  return {
    view,
    plan,
    response: buildNativeChatResponse(plan, context(descriptor), view.lastUserText),
    chunks: buildNativeChatStream(plan, context(descriptor), view.lastUserText),
  };
}

describe("flat families through spec pointers", () => {
  // Titan Text (recordings/amazon-titan-text): results[0].outputText, completionReason FINISH | LENGTH.
  const titan = {
    ...base,
    family: "titan",
    chat: {
      request: {
        codec: "template",
        prompt: "/inputText",
        template: { user: "User: {content}\n", assistant: "Bot: {content}\n", generation: "Bot:" },
        params: { max_tokens: { to: "/textGenerationConfig/maxTokenCount" } },
      },
      response: {
        text: "/results/0/outputText",
        finish_reason: {
          from: "/results/0/completionReason",
          map: {
            FINISH: "stop",
            STOP_CRITERIA_MET: "stop",
            LENGTH: "length",
            CONTENT_FILTERED: "content_filter",
          },
        },
        usage: { prompt_tokens: "/inputTextTokenCount", completion_tokens: "/results/0/tokenCount" },
      },
      stream: {
        codec: "flat",
        text: "/outputText",
        finish_reason: { from: "/completionReason", map: { FINISH: "stop", LENGTH: "length" } },
        usage: { prompt_tokens: "/inputTextTokenCount", completion_tokens: "/totalOutputTextTokenCount" },
      },
    },
  } as unknown as FamilyDescriptor;

  it("writes text, finish, usage at the pointers and reads the user turn out of the template", () => {
    const { view, response, chunks } = run(titan, {
      inputText: "User: Hi Titan\nBot:",
      textGenerationConfig: { maxTokenCount: 100 },
    });
    expect(view.lastUserText).toBe("Hi Titan");
    expect(response).toEqual({
      results: [
        {
          outputText: 'This is a synthesized reply to "Hi Titan".',
          completionReason: "FINISH",
          tokenCount: 11,
        },
      ],
      inputTextTokenCount: 6,
    });
    expect(chunks.map((chunk) => chunk.outputText).join("")).toBe(
      'This is a synthesized reply to "Hi Titan".',
    );
    expect(chunks.slice(0, -1).every((chunk) => chunk.completionReason === null)).toBe(true);
    expect(chunks.at(-1)).toMatchObject({
      completionReason: "FINISH",
      inputTextTokenCount: 6,
      totalOutputTextTokenCount: 11,
      "amazon-bedrock-invocationMetrics": {
        inputTokenCount: 6,
        outputTokenCount: 11,
        invocationLatency: 12,
        firstByteLatency: 5,
      },
    });
  });

  it("truncates to the max tokens and stops for length", () => {
    const { response } = run(titan, {
      inputText: "User: Hi\nBot:",
      textGenerationConfig: { maxTokenCount: 2 },
    });
    expect(readPointer(response, "/results/0/outputText")).toBe("This is");
    expect(readPointer(response, "/results/0/completionReason")).toBe("LENGTH");
  });

  it("prefers the conventional native value when several map to the same finish", () => {
    expect(
      nativeFinish({ from: "/x", map: { STOP_CRITERIA_MET: "stop", FINISH: "stop" } }, "stop", "?"),
    ).toBe("FINISH");
    expect(nativeFinish({ from: "/x", map: { null: "stop", length: "length" } }, "stop", "?")).toBeNull();
    expect(nativeFinish({ from: "/x", map: { stop: "stop" } }, "tool_calls", "?")).toBe("stop");
  });
});

describe("codec families", () => {
  const tools = [
    {
      toolSpec: {
        name: "lookup",
        inputSchema: { json: { type: "object", properties: { q: { type: "string" } }, required: ["q"] } },
      },
    },
  ];

  // Nova (recordings/amazon-nova): output.message.content, stopReason, usage with cache counts.
  const nova = {
    ...base,
    family: "nova",
    chat: {
      request: {
        codec: "nova",
        messages: "/messages",
        system: "/system",
        tools: "/toolConfig/tools",
        tool_choice: "/toolConfig/toolChoice",
        params: { max_tokens: { to: "/inferenceConfig/max_new_tokens" } },
      },
      response: {
        content: "/output/message/content",
        finish_reason: {
          from: "/stopReason",
          map: {
            end_turn: "stop",
            max_tokens: "length",
            tool_use: "tool_calls",
            content_filtered: "content_filter",
          },
        },
        usage: { prompt_tokens: "/usage/inputTokens", completion_tokens: "/usage/outputTokens" },
      },
      stream: { codec: "nova" },
    },
  } as unknown as FamilyDescriptor;

  it("nova: message answers, tool use and Converse-like stream chunks", () => {
    const text = run(nova, { messages: [{ role: "user", content: [{ text: "Hello Nova" }] }] });
    expect(text.response).toMatchObject({
      output: {
        message: { role: "assistant", content: [{ text: 'This is a synthesized reply to "Hello Nova".' }] },
      },
      stopReason: "end_turn",
      usage: {
        inputTokens: 2,
        outputTokens: 11,
        totalTokens: 13,
        cacheReadInputTokenCount: 0,
        cacheWriteInputTokenCount: 0,
      },
    });
    expect(text.chunks[0]).toEqual({ messageStart: { role: "assistant" } });
    expect(Object.keys(text.chunks.at(-1)!)).toEqual(["metadata", "amazon-bedrock-invocationMetrics"]);
    const tool = run(nova, {
      messages: [{ role: "user", content: [{ text: "Look it up" }] }],
      toolConfig: { tools },
    });
    expect(tool.response).toMatchObject({
      output: { message: { content: [{ toolUse: { name: "lookup", input: { q: "example" } } }] } },
      stopReason: "tool_use",
    });
    const start = tool.chunks.find((chunk) => "contentBlockStart" in chunk);
    expect(start).toMatchObject({
      contentBlockStart: { start: { toolUse: { name: "lookup" } }, contentBlockIndex: 0 },
    });
    const input = tool.chunks
      .map((chunk) => readPointer(chunk, "/contentBlockDelta/delta/toolUse/input") ?? "")
      .join("");
    expect(JSON.parse(input)).toEqual({ q: "example" });
    const after = run(nova, {
      messages: [
        { role: "user", content: [{ text: "Look it up" }] },
        { role: "assistant", content: [{ toolUse: { toolUseId: "t1", name: "lookup", input: { q: "x" } } }] },
        { role: "user", content: [{ toolResult: { toolUseId: "t1", content: [{ text: "found" }] } }] },
      ],
      toolConfig: { tools },
    });
    expect(after.plan.kind).toBe("text");
  });

  const openAI = {
    ...base,
    family: "openai",
    chat: {
      request: {
        codec: "openai",
        messages: "/messages",
        tools: "/tools",
        tool_choice: "/tool_choice",
        params: { max_tokens: { to: "/max_completion_tokens" } },
      },
      response: {
        content: "/choices/0/message",
        finish_reason: {
          from: "/choices/0/finish_reason",
          map: { stop: "stop", length: "length", tool_calls: "tool_calls" },
        },
        usage: { prompt_tokens: "/usage/prompt_tokens", completion_tokens: "/usage/completion_tokens" },
      },
      stream: { codec: "openai" },
    },
  } as unknown as FamilyDescriptor;
  const openAITools = [
    { type: "function", function: { name: "a", parameters: { type: "object", properties: {} } } },
    {
      type: "function",
      function: {
        name: "b",
        parameters: { type: "object", properties: { n: { type: "integer" } }, required: ["n"] },
      },
    },
  ];

  it("openai: chat completion, forced tool and delta chunks", () => {
    const text = run(openAI, { messages: [{ role: "user", content: "Hi GPT" }] });
    expect(text.response).toMatchObject({
      object: "chat.completion",
      choices: [
        {
          index: 0,
          message: { role: "assistant", content: 'This is a synthesized reply to "Hi GPT".' },
          finish_reason: "stop",
        },
      ],
      usage: { prompt_tokens: 2, completion_tokens: 11, total_tokens: 13 },
    });
    expect(text.chunks.map((chunk) => readPointer(chunk, "/choices/0/delta/content") ?? "").join("")).toBe(
      'This is a synthesized reply to "Hi GPT".',
    );
    expect(readPointer(text.chunks.at(-1), "/choices/0/finish_reason")).toBe("stop");
    const forced = run(openAI, {
      messages: [{ role: "user", content: "call b" }],
      tools: openAITools,
      tool_choice: { type: "function", function: { name: "b" } },
    });
    expect(readPointer(forced.response, "/choices/0/message/tool_calls/0/function")).toEqual({
      name: "b",
      arguments: '{"n":1}',
    });
    expect(readPointer(forced.response, "/choices/0/finish_reason")).toBe("tool_calls");
    const none = run(openAI, {
      messages: [{ role: "user", content: "no tools" }],
      tools: openAITools,
      tool_choice: "none",
    });
    expect(none.plan.kind).toBe("text");
    const afterTool = run(openAI, {
      messages: [
        { role: "user", content: "call" },
        {
          role: "assistant",
          content: null,
          tool_calls: [{ id: "1", type: "function", function: { name: "a", arguments: "{}" } }],
        },
        { role: "tool", tool_call_id: "1", content: "done" },
      ],
      tools: openAITools,
    });
    expect(afterTool.plan.kind).toBe("text");
  });

  it("mistral-chat: choices with stop_reason and tool_calls", () => {
    const mistral = {
      ...openAI,
      chat: {
        ...openAI.chat!,
        request: { ...openAI.chat!.request, codec: "mistral-chat" },
        response: {
          content: "/choices/0/message",
          finish_reason: {
            from: "/choices/0/stop_reason",
            map: { stop: "stop", length: "length", tool_calls: "tool_calls" },
          },
          usage: {
            prompt_tokens: { header: "x-amzn-bedrock-input-token-count" },
            completion_tokens: { header: "x-amzn-bedrock-output-token-count" },
          },
        },
      },
    } as unknown as FamilyDescriptor;
    const text = run(mistral, { messages: [{ role: "user", content: "Bonjour" }] });
    expect(text.response).toMatchObject({
      choices: [
        {
          index: 0,
          message: {
            role: "assistant",
            content: 'This is a synthesized reply to "Bonjour".',
          },
          stop_reason: "stop",
        },
      ],
    });
    expect(readPointer(text.response, "/choices/0/message/tool_calls")).toBeUndefined();
    const tool = run(mistral, {
      messages: [{ role: "user", content: "tool" }],
      tools: openAITools,
      tool_choice: "any",
    });
    expect(readPointer(tool.response, "/choices/0/message/tool_calls/0/function/name")).toBe("a");
    expect(readPointer(tool.response, "/choices/0/stop_reason")).toBe("tool_calls");
  });

  it("cohere-chat: Command R answer and stream-end (recordings/cohere-command-r)", () => {
    const cohere = {
      ...base,
      family: "cohere",
      chat: {
        request: { codec: "cohere-chat", params: { max_tokens: { to: "/max_tokens" } } },
        response: {
          content: "/text",
          finish_reason: { from: "/finish_reason", map: { COMPLETE: "stop", MAX_TOKENS: "length" } },
          usage: {
            prompt_tokens: { header: "x-amzn-bedrock-input-token-count" },
            completion_tokens: { header: "x-amzn-bedrock-output-token-count" },
          },
        },
        stream: { codec: "cohere-chat" },
      },
    } as unknown as FamilyDescriptor;
    const text = run(cohere, { message: "Say hi", chat_history: [{ role: "USER", message: "earlier" }] });
    expect(text.response).toMatchObject({
      text: 'This is a synthesized reply to "Say hi".',
      finish_reason: "COMPLETE",
      chat_history: [
        { role: "USER", message: "Say hi" },
        { role: "CHATBOT", message: 'This is a synthesized reply to "Say hi".' },
      ],
    });
    expect(
      text.chunks
        .filter((chunk) => chunk.event_type === "text-generation")
        .map((chunk) => chunk.text)
        .join(""),
    ).toBe('This is a synthesized reply to "Say hi".');
    expect(text.chunks.at(-1)).toMatchObject({
      is_finished: true,
      event_type: "stream-end",
      finish_reason: "COMPLETE",
    });
    const tool = run(cohere, {
      message: "use it",
      tools: [
        {
          name: "search",
          parameter_definitions: { query: { type: "str", required: true }, limit: { type: "int" } },
        },
      ],
    });
    expect(tool.response.tool_calls).toEqual([{ name: "search", parameters: { query: "example" } }]);
    const short = run(cohere, { message: "Say hi", max_tokens: 1 });
    expect(short.response).toMatchObject({ text: "This", finish_reason: "MAX_TOKENS" });
  });
});

describe("embeddings and images from descriptors", () => {
  it("cohere embed: one vector per input at the first pointer (recordings/cohere-embed/FIELDS.md)", () => {
    const cohereEmbed = {
      ...base,
      family: "cohere-embed",
      embeddings: {
        request: { input: { to: "/texts", per_call: 96 }, params: {} },
        response: { vectors: ["/embeddings"] },
      },
    } as unknown as FamilyDescriptor;
    const { body, inputTokens } = buildEmbeddingsResponse(
      { texts: ["a b", "c"], input_type: "search_document" },
      cohereEmbed,
      entry({ embedding: { dimensions: [1024], default_dimensions: 1024 } }),
    );
    const vectors = body.embeddings as number[][];
    expect(vectors).toHaveLength(2);
    expect(vectors[0]).toHaveLength(1024);
    expect(vectors[0]).not.toEqual(vectors[1]);
    expect(inputTokens).toBe(3);
  });

  it("normalizes when asked and is deterministic", () => {
    const vector = embedText("hello", 256, true);
    expect(Math.abs(Math.hypot(...vector) - 1)).toBeLessThan(1e-4);
    expect(embedText("hello", 256, true)).toEqual(vector);
    expect(Math.abs(Math.hypot(...embedText("hello", 256, false)) - 1)).toBeGreaterThan(1e-3);
  });

  it("titan-image-like: images list with the requested size (recordings/amazon-nova-canvas/FIELDS.md)", () => {
    const canvas = {
      ...base,
      family: "canvas",
      images: {
        request: {
          prompt: { to: "/textToImageParams/text" },
          size: { width: "/imageGenerationConfig/width", height: "/imageGenerationConfig/height" },
          params: {
            n: { to: "/imageGenerationConfig/numberOfImages" },
            seed: { to: "/imageGenerationConfig/seed" },
          },
        },
        response: { images: "/images" },
      },
    } as unknown as FamilyDescriptor;
    const answer = buildImagesResponse(
      {
        taskType: "TEXT_IMAGE",
        textToImageParams: { text: "a cat" },
        imageGenerationConfig: { width: 320, height: 192, numberOfImages: 2 },
      },
      canvas,
      entry(),
    );
    const images = answer.images as string[];
    expect(images).toHaveLength(2);
    expect(readPngSize(Buffer.from(images[0]!, "base64"))).toEqual({ width: 320, height: 192 });
    expect(images[0]).not.toBe(images[1]);
  });

  it("stability-like: per-artifact pointers, aspect ratios and the pixel cap", () => {
    const sdxl = {
      ...base,
      family: "sdxl",
      images: {
        request: {
          prompt: { to: "/text_prompts", form: "weighted" },
          size: { width: "/width", height: "/height" },
          params: { n: { to: "/samples" } },
        },
        response: {
          images: "/artifacts/*/base64",
          seeds: "/artifacts/*/seed",
          finish_reasons: "/artifacts/*/finishReason",
          success_values: ["SUCCESS"],
        },
      },
    } as unknown as FamilyDescriptor;
    const answer = buildImagesResponse(
      { text_prompts: [{ text: "x" }], width: 2048, height: 1024 },
      sdxl,
      entry(),
      { maxPixels: 4096 },
    );
    const artifact = (answer.artifacts as Record<string, unknown>[])[0]!;
    expect(artifact.finishReason).toBe("SUCCESS");
    expect(typeof artifact.seed).toBe("number");
    expect(readPngSize(Buffer.from(String(artifact.base64), "base64"))).toEqual({ width: 90, height: 45 });

    const core = {
      ...base,
      family: "core",
      images: {
        request: { prompt: { to: "/prompt" }, size: { aspect_ratio: "/aspect_ratio" }, params: {} },
        response: {
          images: "/images",
          seeds: "/seeds",
          finish_reasons: "/finish_reasons",
          success_values: [null],
        },
      },
    } as unknown as FamilyDescriptor;
    const wide = buildImagesResponse({ prompt: "x", aspect_ratio: "16:9" }, core, entry());
    expect(wide.finish_reasons).toEqual([null]);
    expect(readPngSize(Buffer.from((wide.images as string[])[0]!, "base64"))).toEqual({
      width: 114,
      height: 64,
    });
  });
});
