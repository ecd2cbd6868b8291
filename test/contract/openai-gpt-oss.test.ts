import { describe, expect, it } from "vitest";
import { descriptor } from "../../generated/families/openai-gpt-oss.js";
import { openai } from "../../runtime/codecs/openai/index.js";
import { splitReasoning } from "../../runtime/codecs/openai/reasoning.js";
import { buildBody, loadFixture, parseFixture, streamFixture } from "./invoke-fixture.js";

describe("openai-gpt-oss fixtures", () => {
  it("chat: builds a Chat Completions body and moves <reasoning> out of the content", async () => {
    const fixture = loadFixture("openai-gpt-oss", "chat");
    const body = await buildBody("openai.gpt-oss-120b-1:0", {
      messages: [
        { role: "system", content: "You are a helpful assistant." },
        { role: "user", content: "Hello! How are you today?" },
      ],
      max_completion_tokens: 150,
      temperature: 0.7,
      top_p: 0.9,
    });
    expect(body).toEqual(fixture.request);
    const completion = await parseFixture("openai.gpt-oss-120b-1:0", fixture);
    expect(completion.id).toBe("chatcmpl-7e0d2c3b-5f4a-4a8e-9b1c-2d3e4f5a6b7c");
    expect(completion.choices[0]).toMatchObject({
      message: {
        content: "Hello! I'm doing well, thank you. How can I help you today?",
        reasoning_content: "The user greets me; reply politely.",
      },
      finish_reason: "stop",
    });
    expect(completion.usage).toMatchObject({ prompt_tokens: 86, completion_tokens: 41, total_tokens: 127 });
  });

  it("tools: writes OpenAI tools and reads tool_calls", async () => {
    const fixture = loadFixture("openai-gpt-oss", "tools");
    const body = await buildBody("openai.gpt-oss-20b-1:0", {
      messages: [{ role: "user", content: "What is the weather in Paris?" }],
      tools: [
        {
          type: "function",
          function: {
            name: "get_weather",
            description: "Get the current weather for a city.",
            parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
          },
        },
      ],
      tool_choice: "auto",
      max_completion_tokens: 200,
    });
    expect(body).toEqual(fixture.request);
    const completion = await parseFixture("openai.gpt-oss-20b-1:0", fixture);
    expect(completion.choices[0]).toMatchObject({
      message: {
        content: null,
        reasoning_content: "Need to call get_weather for Paris.",
        tool_calls: [
          {
            id: "call_5f2c9a",
            type: "function",
            function: { name: "get_weather", arguments: '{"city":"Paris"}' },
          },
        ],
      },
      finish_reason: "tool_calls",
    });
    expect(completion.usage).toMatchObject({ prompt_tokens: 140, completion_tokens: 35 });
  });

  it("chat-stream: splits reasoning from content across chunks, usage from the metrics", async () => {
    const fixture = loadFixture("openai-gpt-oss", "chat-stream");
    const body = await buildBody("openai.gpt-oss-120b-1:0", {
      messages: [{ role: "user", content: "Say hi." }],
      max_tokens: 50,
    });
    expect(body).toEqual(fixture.request);
    const result = await streamFixture("openai.gpt-oss-120b-1:0", fixture);
    expect(result).toMatchObject({
      text: "Hi there!",
      reasoning: "Greet back.",
      finishReason: "stop",
      promptTokens: 12,
      completionTokens: 9,
    });
  });

  it("maps reasoning_effort, with minimal as low", async () => {
    const body = await buildBody("openai.gpt-oss-20b-1:0", {
      messages: [{ role: "user", content: "hi" }],
      reasoning_effort: "minimal",
    });
    expect(body.reasoning_effort).toBe("low");
  });
});

/** gpt-oss's chat mapping: its spec says the reasoning comes in `<reasoning>` tags. */
const chat = descriptor.chat!;
const tags = chat.response.reasoning!.tags!;

describe("openai codecs", () => {
  it("splits a leading reasoning block", () => {
    expect(tags).toEqual({ open: "<reasoning>", close: "</reasoning>" });
    expect(splitReasoning("<reasoning>think</reasoning>answer", tags)).toEqual({
      reasoning: "think",
      text: "answer",
    });
    expect(splitReasoning("plain answer", tags)).toEqual({ reasoning: "", text: "plain answer" });
  });

  it("reads reasoning tags split across chunks", () => {
    const decode = openai.stream.createDecoder(chat.stream!, chat.response);
    const pieces = ["<reas", "oning>a", "b</rea", "soning>c", "d"];
    const events = pieces.flatMap((content) => decode({ choices: [{ index: 0, delta: { content } }] }));
    events.push(...decode({ choices: [{ index: 0, delta: {}, finish_reason: "stop" }] }));
    const reasoning = events.flatMap((event) => (event.kind === "reasoning" ? [event.text] : [])).join("");
    const text = events.flatMap((event) => (event.kind === "text" ? [event.text] : [])).join("");
    expect({ reasoning, text }).toEqual({ reasoning: "ab", text: "cd" });
    expect(events.at(-1)).toEqual({ kind: "finish", reason: "stop" });
  });

  it("streams tool calls by index: one start per call, then argument deltas", () => {
    const decode = openai.stream.createDecoder(chat.stream!, chat.response);
    const events = [
      ...decode({
        id: "c1",
        choices: [
          {
            index: 0,
            delta: {
              tool_calls: [{ index: 0, id: "t1", type: "function", function: { name: "f", arguments: "" } }],
            },
          },
        ],
      }),
      ...decode({
        choices: [{ index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: '{"a":' } }] } }],
      }),
      ...decode({
        choices: [{ index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: "1}" } }] } }],
      }),
      ...decode({
        choices: [{ index: 0, delta: {}, finish_reason: "tool_calls" }],
        usage: { prompt_tokens: 3, completion_tokens: 4 },
      }),
    ];
    expect(events).toEqual([
      { kind: "start", id: "c1" },
      { kind: "tool_start", block: 0, id: "t1", name: "f" },
      { kind: "tool_delta", block: 0, arguments: '{"a":' },
      { kind: "tool_delta", block: 0, arguments: "1}" },
      { kind: "usage", promptTokens: 3, completionTokens: 4 },
      { kind: "finish", reason: "tool_calls" },
    ]);
  });

  it("sends assistant tool calls with null content and tool results by id", () => {
    const body: Record<string, unknown> = {};
    openai.messages.encode(
      {
        system: [],
        turns: [
          { role: "user", content: [{ kind: "text", text: "weather?" }] },
          {
            role: "assistant",
            content: [{ kind: "tool_call", id: "t1", name: "w", arguments: "{}", input: {} }],
          },
          {
            role: "tool",
            content: [{ kind: "tool_result", toolCallId: "t1", content: [{ kind: "text", text: "sunny" }] }],
          },
        ],
        tools: [],
        toolChoice: undefined,
        responseFormat: undefined,
        prefill: false,
      },
      body,
      {
        model: { id: "openai.gpt-oss-20b-1:0" } as never,
        mapping: { codec: "openai", messages: "/messages", params: {} } as never,
      },
    );
    expect(body.messages).toEqual([
      { role: "user", content: "weather?" },
      {
        role: "assistant",
        content: null,
        tool_calls: [{ id: "t1", type: "function", function: { name: "w", arguments: "{}" } }],
      },
      { role: "tool", tool_call_id: "t1", content: "sunny" },
    ]);
  });
});
