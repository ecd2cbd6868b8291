/**
 * The OpenAI-chat-like variants as spec data on the `openai` codec: the form of message content
 * (`chat.request.content_form`), where reasoning travels (`chat.response.reasoning`) and params a model
 * requires (`required: true`). Each variant goes both ways: the runtime writes a body the emulator reads,
 * the emulator answers in the variant and the runtime reads the answer back.
 *
 * Wire facts and their sources:
 * - `{"text": ...}` message content: Writer Palmyra X4/X5's documented request body
 *   (https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-palmyra-x5.html);
 * - `<reasoning>` tags first in the content: gpt-oss on InvokeModel (test/fixtures/openai-gpt-oss, after
 *   https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-openai.html) and Kimi K2 Thinking
 *   (LiteLLM, litellm/llms/bedrock/chat/invoke_transformations/amazon_moonshot_transformation.py, which also
 *   sends Kimi's content as plain strings);
 * - `reasoning_content` beside `content`: DeepSeek's API (https://api-docs.deepseek.com/guides/reasoning_model);
 * - `<think>` tags: DeepSeek R1 style reasoning (LiteLLM, amazon_deepseek_transformation.py ends the reasoning at `</think>`).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  buildNativeChatResponse,
  buildNativeChatStream,
  readNativeChatView,
} from "../../emulator/synthesize/native-chat.js";
import { planChat } from "../../emulator/synthesize/plan.js";
import { composeReasoning } from "../../emulator/synthesize/text.js";
import type { ContentForm, ParamTable, ReasoningCarriage } from "../../generated/spec-types.js";
import type { NormalizedChat, StreamEvent } from "../../runtime/chat/model.js";
import { openai } from "../../runtime/codecs/openai/index.js";
import { ReasoningSplitter } from "../../runtime/codecs/openai/reasoning.js";
import type { CatalogEntry, FamilyDescriptor } from "../../runtime/descriptor.js";
import { RequestValidationError } from "../../runtime/errors.js";
import { applyParams } from "../../runtime/params.js";
import { readPointer } from "../../runtime/pointer.js";

const MODEL = "test.openai-variant-v1:0";
const USER_TEXT = "Explain quantum computing in simple terms";

/** A family on the openai codec with one variant, as a spec would generate it. */
function variantFamily(variant: { form?: ContentForm; reasoning?: ReasoningCarriage }): FamilyDescriptor {
  const finish = {
    from: "/choices/0/finish_reason",
    map: { stop: "stop", length: "length", tool_calls: "tool_calls" },
  } as const;
  return {
    family: "openai-variant",
    provider: "test",
    title: "OpenAI-chat-like variant",
    operations: ["chat", "chat-stream"],
    routes: ["invoke"],
    chat: {
      request: {
        codec: "openai",
        messages: "/messages",
        tools: "/tools",
        tool_choice: "/tool_choice",
        params: { max_tokens: { to: "/max_tokens" } },
        ...(variant.form ? { content_form: variant.form } : {}),
      },
      response: {
        id: "/id",
        content: "/choices/0/message",
        finish_reason: finish,
        usage: { prompt_tokens: "/usage/prompt_tokens", completion_tokens: "/usage/completion_tokens" },
        ...(variant.reasoning ? { reasoning: variant.reasoning } : {}),
      },
      stream: {
        codec: "openai",
        finish_reason: finish,
        usage: {
          prompt_tokens: "/amazon-bedrock-invocationMetrics/inputTokenCount",
          completion_tokens: "/amazon-bedrock-invocationMetrics/outputTokenCount",
        },
      },
    },
  } as FamilyDescriptor;
}

function chatOf(turns: NormalizedChat["turns"], system: string[] = []): NormalizedChat {
  return { system, turns, tools: [], toolChoice: undefined, responseFormat: undefined, prefill: false };
}

const conversation = chatOf(
  [
    { role: "user", content: [{ kind: "text", text: "What is the weather?" }] },
    {
      role: "assistant",
      content: [
        { kind: "text", text: "Let me look." },
        { kind: "tool_call", id: "t1", name: "weather", arguments: "{}", input: {} },
      ],
    },
    {
      role: "tool",
      content: [{ kind: "tool_result", toolCallId: "t1", content: [{ kind: "text", text: "sunny" }] }],
    },
    { role: "user", content: [{ kind: "text", text: USER_TEXT }] },
  ],
  ["Be brief."],
);

function encode(family: FamilyDescriptor, chat: NormalizedChat): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  openai.messages.encode(chat, body, { model: { id: MODEL } as CatalogEntry, mapping: family.chat!.request });
  return body;
}

describe("message content forms (chat.request.content_form)", () => {
  const text = (value: string) => ({
    string: value,
    "text-object": { text: value },
    parts: [{ type: "text", text: value }],
  });
  it.each(["string", "text-object", "parts"] as const)(
    "%s: every message's content takes the form",
    (form) => {
      const family = variantFamily({ form });
      const body = encode(family, conversation);
      expect(body.messages).toEqual([
        { role: "system", content: text("Be brief.")[form] },
        { role: "user", content: text("What is the weather?")[form] },
        {
          role: "assistant",
          content: text("Let me look.")[form],
          tool_calls: [{ id: "t1", type: "function", function: { name: "weather", arguments: "{}" } }],
        },
        { role: "tool", tool_call_id: "t1", content: text("sunny")[form] },
        { role: "user", content: text(USER_TEXT)[form] },
      ]);
      // The emulator reads the same body back: the last user text, and every text for the token count.
      const view = readNativeChatView(body, family);
      expect(view.lastUserText).toBe(USER_TEXT);
      expect(view.inputText).toContain("Be brief.");
      expect(view.afterToolResult).toBe(false);
    },
  );

  it("the emulator reads Writer's documented {text} body", () => {
    // docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-palmyra-x5.html, request body field.
    const documented = { messages: [{ role: "user", content: { text: USER_TEXT } }] };
    expect(readNativeChatView(documented, variantFamily({ form: "text-object" })).lastUserText).toBe(
      USER_TEXT,
    );
  });

  const image = {
    kind: "image",
    mediaType: "image/png",
    format: "png",
    base64: "iVBORw0KGgo=",
    bytes: new Uint8Array(),
  } as const;
  const withImage = chatOf([{ role: "user", content: [{ kind: "text", text: "What is this?" }, image] }]);
  const imageParts = [
    { type: "text", text: "What is this?" },
    { type: "image_url", image_url: { url: "data:image/png;base64,iVBORw0KGgo=" } },
  ];

  it.each([
    ["string", imageParts],
    ["parts", imageParts],
  ] as const)("%s: a message with an image is a list of parts", (form, expected) => {
    const body = encode(variantFamily({ form }), withImage);
    expect((body.messages as { content: unknown }[])[0]!.content).toEqual(expected);
  });

  it("text-object: an image is refused before any call, naming the model and the messages param", () => {
    const family = variantFamily({ form: "text-object" });
    expect(() => encode(family, withImage)).toThrow(RequestValidationError);
    expect(() => encode(family, withImage)).toThrow(`${MODEL} takes text only in chat messages`);
    try {
      encode(family, withImage);
    } catch (error) {
      expect(error).toMatchObject({ param: "messages", model: MODEL });
    }
  });
});

/** What the runtime makes of a stream's events: the reasoning and the answer text. */
function joinEvents(events: readonly StreamEvent[]): { reasoning: string; text: string } {
  let reasoning = "";
  let text = "";
  for (const event of events) {
    if (event.kind === "reasoning") reasoning += event.text ?? "";
    if (event.kind === "text") text += event.text;
  }
  return { reasoning, text };
}

const carriages: readonly [string, ReasoningCarriage][] = [
  ["reasoning_content field (DeepSeek)", { field: "reasoning_content" }],
  ["reasoning field", { field: "reasoning" }],
  ["<reasoning> tags (gpt-oss, Kimi K2 Thinking)", { tags: { open: "<reasoning>", close: "</reasoning>" } }],
  ["<think> tags", { tags: { open: "<think>", close: "</think>" } }],
];

describe("where reasoning travels (chat.response.reasoning)", () => {
  const context = (family: FamilyDescriptor) => ({
    descriptor: family,
    modelId: MODEL,
    created: 1_700_000_000,
    metrics: { invocationLatency: 12, firstByteLatency: 5 },
  });
  const reasoning = composeReasoning(USER_TEXT);

  it.each(carriages)(
    "%s: the emulator's answer and stream read back as reasoning and text",
    (_name, carriage) => {
      const family = variantFamily({ reasoning: carriage });
      const view = readNativeChatView(encode(family, conversation), family);
      for (const chunkCount of [undefined, 2, 9]) {
        const plan = planChat(view, {
          modelId: MODEL,
          reasoning: true,
          ...(chunkCount ? { chunkCount } : {}),
        });
        const body = buildNativeChatResponse(plan, context(family), view.lastUserText);
        const message = readPointer(body, "/choices/0/message");
        const decoded = openai.messages.decode(message, body, family.chat!.response);
        expect(decoded.text).toBe(plan.text);
        expect(decoded.reasoning).toEqual([{ type: "thinking", thinking: reasoning }]);
        if (carriage.field) expect(readPointer(body, `/choices/0/message/${carriage.field}`)).toBe(reasoning);
        else
          expect(readPointer(body, "/choices/0/message/content")).toBe(
            `${carriage.tags!.open}${reasoning}${carriage.tags!.close}${plan.text}`,
          );

        const decoder = openai.stream.createDecoder(family.chat!.stream!, family.chat!.response);
        const chunks = buildNativeChatStream(plan, context(family), view.lastUserText);
        expect(joinEvents(chunks.flatMap((chunk) => decoder(chunk)))).toEqual({ reasoning, text: plan.text });
      }
    },
  );

  it("without a carriage the text is the answer as sent, tags and all (no model's tags are stripped for another)", () => {
    const family = variantFamily({});
    const message = { role: "assistant", content: "<reasoning>r</reasoning>answer", reasoning_content: "x" };
    expect(openai.messages.decode(message, {}, family.chat!.response)).toEqual({
      text: "<reasoning>r</reasoning>answer",
      toolCalls: [],
      reasoning: [],
    });
    const decoder = openai.stream.createDecoder(family.chat!.stream!, family.chat!.response);
    const events = decoder({
      choices: [{ index: 0, delta: { content: "<think>r</think>a" }, finish_reason: "stop" }],
    });
    expect(joinEvents(events)).toEqual({ reasoning: "", text: "<think>r</think>a" });
  });

  it("a tool call after reasoning in tags: the content holds only the reasoning", () => {
    const family = variantFamily({ reasoning: { tags: { open: "<reasoning>", close: "</reasoning>" } } });
    // test/fixtures/openai-gpt-oss/tools.json: content "<reasoning>…</reasoning>" beside tool_calls.
    const message = {
      role: "assistant",
      content: "<reasoning>Need to call get_weather for Paris.</reasoning>",
      tool_calls: [
        {
          id: "call_5f2c9a",
          type: "function",
          function: { name: "get_weather", arguments: '{"city":"Paris"}' },
        },
      ],
    };
    expect(openai.messages.decode(message, {}, family.chat!.response)).toEqual({
      text: "",
      toolCalls: [{ id: "call_5f2c9a", name: "get_weather", arguments: '{"city":"Paris"}' }],
      reasoning: [{ type: "thinking", thinking: "Need to call get_weather for Paris." }],
    });
  });
});

describe("reasoning tags cut anywhere across stream chunks", () => {
  const tagPairs = carriages.flatMap(([, carriage]) => (carriage.tags ? [carriage.tags] : []));
  /** Cuts a text at the given positions. */
  const cut = (text: string, positions: number[]) => {
    const points = [...new Set(positions.map((position) => position % (text.length + 1)))].sort(
      (a, b) => a - b,
    );
    const pieces: string[] = [];
    let start = 0;
    for (const point of points) {
      pieces.push(text.slice(start, point));
      start = point;
    }
    pieces.push(text.slice(start));
    return pieces.filter((piece) => piece !== "");
  };
  const run = (tags: (typeof tagPairs)[number], pieces: string[]) => {
    const splitter = new ReasoningSplitter(tags);
    return joinEvents([...pieces.flatMap((piece) => splitter.push(piece)), ...splitter.flush()]);
  };

  it("recovers the reasoning and the answer whatever the cuts", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...tagPairs),
        fc.string(),
        fc.string(),
        fc.array(fc.nat(), { maxLength: 8 }),
        (tags, reasoning, answer, positions) => {
          fc.pre(
            !reasoning.includes(tags.close) && !`${reasoning}${tags.close}`.slice(0, -1).includes(tags.close),
          );
          const pieces = cut(`${tags.open}${reasoning}${tags.close}${answer}`, positions);
          expect(run(tags, pieces)).toEqual({ reasoning, text: answer });
        },
      ),
    );
  });

  it("passes text that does not open with the tag through unchanged", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...tagPairs),
        fc.string(),
        fc.array(fc.nat(), { maxLength: 8 }),
        (tags, text, positions) => {
          fc.pre(!text.trimStart().startsWith(tags.open));
          expect(run(tags, cut(text, positions))).toEqual({ reasoning: "", text });
        },
      ),
    );
  });
});

describe("params a model requires (required: true)", () => {
  const table: ParamTable = {
    max_tokens: { to: "/max_tokens", required: true, reason: "the model has no default output length" },
    temperature: { to: "/temperature" },
  };
  const apply = (request: Record<string, unknown>) => {
    const body: Record<string, unknown> = {};
    applyParams(request, body, {
      kind: "chat",
      entry: undefined,
      model: MODEL,
      table,
      providerParams: {},
      passthroughBase: "",
      dropParams: true,
      warn: () => {},
    });
    return body;
  };

  it.each([
    ["absent", { temperature: 0.5 }],
    ["null", { max_tokens: null }],
  ])(
    "%s: refused before anything is written, naming the param and the model (even under drop_params)",
    (_case, request) => {
      let caught: unknown;
      try {
        apply(request);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(RequestValidationError);
      expect(caught).toMatchObject({
        param: "max_tokens",
        model: MODEL,
        code: "missing_required_parameter",
        message: `max_tokens is required by ${MODEL}: the model has no default output length`,
      });
    },
  );

  it("given: mapped as usual", () => {
    expect(apply({ max_tokens: 64, temperature: 0.5 })).toEqual({ max_tokens: 64, temperature: 0.5 });
  });
});
