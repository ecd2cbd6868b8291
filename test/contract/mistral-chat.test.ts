import { describe, expect, it } from "vitest";
import type { ChatResponseMapping } from "../../generated/spec-types.js";
import { mistralChat } from "../../runtime/codecs/mistral-chat/index.js";
import { buildBody, loadFixture, parseFixture, streamFixture } from "./invoke-fixture.js";

describe("mistral-chat fixtures", () => {
  it("chat: builds the documented messages body and reads choices[0]", async () => {
    const fixture = loadFixture("mistral-chat", "chat");
    const body = await buildBody("mistral.mistral-large-2407-v1:0", {
      messages: [
        { role: "system", content: "You are a Star Trek trivia master." },
        { role: "user", content: "Best StarFleet captain?" },
      ],
      max_tokens: 100,
      temperature: 0.7,
      top_p: 1,
    });
    expect(body).toEqual(fixture.request);
    const completion = await parseFixture("mistral.mistral-large-2407-v1:0", fixture);
    expect(completion.choices[0]).toMatchObject({
      message: { role: "assistant", content: "Captain Jean-Luc Picard." },
      finish_reason: "stop",
    });
    expect(completion.choices[0]!.message.tool_calls).toBeUndefined();
    expect(completion.usage).toMatchObject({ prompt_tokens: 24, completion_tokens: 9, total_tokens: 33 });
  });

  it("tools: writes tools and tool_choice, reads the tool call", async () => {
    const fixture = loadFixture("mistral-chat", "tools");
    const body = await buildBody("mistral.mistral-large-2407-v1:0", {
      messages: [{ role: "user", content: "What is the most popular song on WZPZ?" }],
      tools: [
        {
          type: "function",
          function: {
            name: "top_song",
            description: "Get the most popular song played on a radio station.",
            parameters: {
              type: "object",
              properties: {
                sign: {
                  type: "string",
                  description:
                    "The call sign for the radio station for which you want the most popular song. Example calls signs are WZPZ and WKRP.",
                },
              },
              required: ["sign"],
            },
          },
        },
      ],
      tool_choice: "auto",
      max_tokens: 200,
    });
    expect(body).toEqual(fixture.request);
    const completion = await parseFixture("mistral.mistral-large-2407-v1:0", fixture);
    expect(completion.choices[0]).toMatchObject({
      message: {
        content: null,
        tool_calls: [
          {
            id: "v6RMMiRlT7ygYkT4uULjtg",
            type: "function",
            function: { name: "top_song", arguments: '{"sign": "WZPZ"}' },
          },
        ],
      },
      finish_reason: "tool_calls",
    });
    expect(completion.usage).toMatchObject({ prompt_tokens: 112, completion_tokens: 26 });
  });

  it("chat-stream: reads message content from every chunk and usage from the metrics", async () => {
    const fixture = loadFixture("mistral-chat", "chat-stream");
    const body = await buildBody("us.mistral.pixtral-large-2502-v1:0", {
      messages: [{ role: "user", content: "Best StarFleet captain?" }],
      max_tokens: 50,
    });
    expect(body).toEqual(fixture.request);
    const result = await streamFixture("us.mistral.pixtral-large-2502-v1:0", fixture);
    expect(result).toMatchObject({
      text: "Captain Picard.",
      finishReason: "stop",
      promptTokens: 13,
      completionTokens: 4,
    });
  });
});

/** The response mapping of specs/mistral-chat.yaml (the codec reads nothing else from it). */
const mistralResponse: ChatResponseMapping = {
  content: "/choices/0/message",
  finish_reason: {
    from: "/choices/0/stop_reason",
    map: { stop: "stop", length: "length", tool_calls: "tool_calls" },
  },
  usage: {
    prompt_tokens: { header: "x-amzn-bedrock-input-token-count" },
    completion_tokens: { header: "x-amzn-bedrock-output-token-count" },
  },
};

describe("mistral-chat codec", () => {
  const context = {
    model: { id: "mistral.pixtral-large-2502-v1:0" } as never,
    mapping: {
      codec: "mistral-chat",
      messages: "/messages",
      tools: "/tools",
      tool_choice: "/tool_choice",
      params: {},
    } as never,
  };
  const tool = (name: string) => ({
    type: "function" as const,
    function: { name, parameters: { type: "object" } },
  });

  it("sends a tool conversation with assistant tool_calls and tool results", () => {
    const body: Record<string, unknown> = {};
    mistralChat.messages.encode(
      {
        system: ["Be brief."],
        turns: [
          { role: "user", content: [{ kind: "text", text: "Song on WZPZ?" }] },
          {
            role: "assistant",
            content: [
              {
                kind: "tool_call",
                id: "abc",
                name: "top_song",
                arguments: '{"sign":"WZPZ"}',
                input: { sign: "WZPZ" },
              },
            ],
          },
          {
            role: "tool",
            content: [
              {
                kind: "tool_result",
                toolCallId: "abc",
                content: [{ kind: "text", text: "Elemental Hotel" }],
              },
            ],
          },
        ],
        tools: [tool("top_song")],
        toolChoice: "required",
        responseFormat: undefined,
        prefill: false,
      },
      body,
      context,
    );
    expect(body).toEqual({
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: "Song on WZPZ?" },
        {
          role: "assistant",
          content: "",
          tool_calls: [{ id: "abc", function: { name: "top_song", arguments: '{"sign":"WZPZ"}' } }],
        },
        { role: "tool", tool_call_id: "abc", content: "Elemental Hotel" },
      ],
      tools: [{ type: "function", function: { name: "top_song", parameters: { type: "object" } } }],
      tool_choice: "any",
    });
  });

  it("forces a named tool by offering only that tool with tool_choice any", () => {
    const body: Record<string, unknown> = {};
    mistralChat.messages.encode(
      {
        system: [],
        turns: [{ role: "user", content: [{ kind: "text", text: "hi" }] }],
        tools: [tool("a"), tool("b")],
        toolChoice: { type: "function", function: { name: "b" } },
        responseFormat: undefined,
        prefill: false,
      },
      body,
      context,
    );
    expect(body.tools).toEqual([tool("b")]);
    expect(body.tool_choice).toBe("any");
  });

  it("writes images as image_url data URLs", () => {
    const body: Record<string, unknown> = {};
    mistralChat.messages.encode(
      {
        system: [],
        turns: [
          {
            role: "user",
            content: [
              { kind: "text", text: "What is this?" },
              {
                kind: "image",
                mediaType: "image/png",
                format: "png",
                base64: "iVBORw0KGgo=",
                bytes: new Uint8Array(),
              },
            ],
          },
        ],
        tools: [],
        toolChoice: undefined,
        responseFormat: undefined,
        prefill: false,
      },
      body,
      context,
    );
    expect(body.messages).toEqual([
      {
        role: "user",
        content: [
          { type: "text", text: "What is this?" },
          { type: "image_url", image_url: { url: "data:image/png;base64,iVBORw0KGgo=" } },
        ],
      },
    ]);
  });

  it("decodes object arguments as JSON text", () => {
    const decoded = mistralChat.messages.decode(
      {
        role: "assistant",
        content: "",
        tool_calls: [{ id: "x", function: { name: "f", arguments: { a: 1 } } }],
      },
      {},
      mistralResponse,
    );
    expect(decoded).toEqual({
      text: "",
      toolCalls: [{ id: "x", name: "f", arguments: '{"a":1}' }],
      reasoning: [],
    });
  });
});
