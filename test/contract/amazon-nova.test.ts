import { afterEach, describe, expect, it } from "vitest";
import type { FunctionTool } from "../../runtime/types.js";
import { collectStream, loadFixture, type Replay, replay } from "./fixture-replay.js";

const family = "amazon-nova";
let server: Replay | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const weatherTool: FunctionTool = {
  type: "function",
  function: {
    name: "get_current_weather",
    description: "Get the current weather in a given location.",
    parameters: {
      type: "object",
      properties: { location: { type: "string", description: "The name of the city" } },
      required: ["location"],
    },
  },
};

const weatherQuestion =
  "What is the weather in Seattle and San Francisco today? Please expect one tool call for Seattle and one for San Francisco";

/**
 * Several recordings used the older `max_new_tokens` name, which Bedrock still honours;
 * the adapter writes the documented `maxTokens`.
 */
function withMaxTokens(request: unknown, maxTokens: number, extra: Record<string, unknown> = {}) {
  const body = structuredClone(request) as { inferenceConfig: Record<string, unknown> };
  delete body.inferenceConfig.max_new_tokens;
  body.inferenceConfig.maxTokens = maxTokens;
  return { ...body, inferenceConfig: { ...body.inferenceConfig, ...extra } };
}

describe("amazon-nova contract", () => {
  it("chat with system, top_k and a guardrail: the recorded body; an intervention is content_filter", async () => {
    const fixture = loadFixture(family, "chat-guardrail");
    server = await replay(fixture);
    const result = await server.bedrock.chat.completions.create({
      model: "bedrock/invoke/amazon.nova-lite-v1:0",
      messages: [
        { role: "system", content: "tell me a very two sentence story." },
        { role: "user", content: "A camping trip" },
      ],
      max_tokens: 500,
      top_p: 0.9,
      top_k: 20,
      temperature: 0.7,
      guardrailConfig: { guardrailIdentifier: "v9kpg6yrwhs2", guardrailVersion: "DRAFT", trace: "enabled" },
    });
    expect(server.received[0]).toEqual(fixture.request);
    expect(result.choices[0]?.message.content).toBe(
      "We set off into the dense forest, excited for a weekend of adventure. As we pitched our tent, the beauty of the forest surrounded us, and {Account Number} was etched into the trunk of a nearby tree.",
    );
    expect(result.choices[0]?.finish_reason).toBe("content_filter");
    // The intervened body has no outputTokens; Bedrock's header carries the count.
    expect(result.usage).toMatchObject({ prompt_tokens: 30, completion_tokens: 51 });
  });

  it("chat through a cross-region profile: the profile id goes on the wire", async () => {
    const fixture = loadFixture(family, "chat-cross-region");
    server = await replay(fixture);
    const result = await server.bedrock.chat.completions.create({
      model: "bedrock/invoke/us.amazon.nova-lite-v1:0",
      messages: [{ role: "user", content: "Tell me a joke about OpenTelemetry" }],
      max_tokens: 500,
      top_p: 0.9,
      top_k: 20,
      temperature: 0.7,
    });
    expect(server.modelIds[0]).toBe("us.amazon.nova-lite-v1:0");
    // The recording left out the optional schemaVersion the adapter always writes.
    expect(server.received[0]).toEqual({ ...(fixture.request as object), schemaVersion: "messages-v1" });
    expect(result.choices[0]?.message.content).toBe(
      'Sure, here\'s a joke for you:\n\nWhy did the OpenTelemetry developer bring a ladder to work?\n\nBecause they heard the company was going to great lengths to trace their performance issues to the "root cause"!\n\nHope that brought a smile to your face!',
    );
    expect(result.choices[0]?.finish_reason).toBe("stop");
    expect(result.usage).toMatchObject({ prompt_tokens: 7, completion_tokens: 53, total_tokens: 60 });
  });

  it("chat with history: alternating messages and a system list", async () => {
    const fixture = loadFixture(family, "chat-multi-turn");
    server = await replay(fixture);
    const result = await server.bedrock.chat.completions.create({
      model: "bedrock/invoke/amazon.nova-micro-v1:0",
      messages: [
        { role: "system", content: "You are a friendly model" },
        { role: "user", content: "Say this is a test" },
        { role: "assistant", content: "This is a test" },
        { role: "user", content: "Say again this is a test" },
      ],
      max_tokens: 10,
    });
    expect(server.received[0]).toEqual(withMaxTokens(fixture.request, 10));
    expect(result.choices[0]?.message.content).toBe("Again, this is a test. If you need");
    expect(result.choices[0]?.finish_reason).toBe("length");
    expect(result.usage).toMatchObject({ prompt_tokens: 25, completion_tokens: 10 });
  });

  it("tools: toolConfig out, two toolUse blocks back as tool_calls", async () => {
    const fixture = loadFixture(family, "tools");
    server = await replay(fixture);
    const result = await server.bedrock.chat.completions.create({
      model: "bedrock/invoke/amazon.nova-micro-v1:0",
      messages: [{ role: "user", content: weatherQuestion }],
      tools: [weatherTool],
      max_tokens: 1000,
    });
    expect(server.received[0]).toEqual(withMaxTokens(fixture.request, 1000));
    const message = result.choices[0]?.message;
    expect(message?.content).toBe(
      "<thinking> To provide the current weather in both Seattle and San Francisco, I will use the `get_current_weather` tool for each city separately. I will start with Seattle and then proceed to San Francisco.</thinking>\n",
    );
    expect(message?.tool_calls).toEqual([
      {
        id: "a385bacb-2011-4f60-b0d3-1455602f4438",
        type: "function",
        function: { name: "get_current_weather", arguments: '{"location":"Seattle"}' },
      },
      {
        id: "9b02c6fa-4676-4ab5-b2e4-015e86994df7",
        type: "function",
        function: { name: "get_current_weather", arguments: '{"location":"San Francisco"}' },
      },
    ]);
    expect(result.choices[0]?.finish_reason).toBe("tool_calls");
    expect(result.usage).toMatchObject({ prompt_tokens: 427, completion_tokens: 162 });
  });

  it("tool results: toolResult json blocks in one user turn", async () => {
    const fixture = loadFixture(family, "tools-result");
    server = await replay(fixture);
    const result = await server.bedrock.chat.completions.create({
      model: "bedrock/invoke/amazon.nova-micro-v1:0",
      messages: [
        { role: "user", content: weatherQuestion },
        {
          role: "assistant",
          content:
            "<thinking> To provide the current weather in both Seattle and San Francisco, I will use the `get_current_weather` tool for each city separately. I will start with Seattle and then proceed to San Francisco.</thinking>\n",
          tool_calls: [
            {
              id: "a385bacb-2011-4f60-b0d3-1455602f4438",
              type: "function",
              function: { name: "get_current_weather", arguments: '{"location": "Seattle"}' },
            },
            {
              id: "9b02c6fa-4676-4ab5-b2e4-015e86994df7",
              type: "function",
              function: { name: "get_current_weather", arguments: '{"location": "San Francisco"}' },
            },
          ],
        },
        {
          role: "tool",
          tool_call_id: "a385bacb-2011-4f60-b0d3-1455602f4438",
          content: '{"weather": "50 degrees and raining"}',
        },
        {
          role: "tool",
          tool_call_id: "9b02c6fa-4676-4ab5-b2e4-015e86994df7",
          content: '{"weather": "70 degrees and sunny"}',
        },
      ],
      tools: [weatherTool],
      max_tokens: 1000,
    });
    expect(server.received[0]).toEqual(withMaxTokens(fixture.request, 1000));
    expect(result.choices[0]?.message.content).toBe(
      "<thinking> I have received the weather information for both Seattle and San Francisco. Now I will compile this information and present it to the User.</thinking>\n\nThe current weather in Seattle is 50 degrees and it is raining. In San Francisco, the weather is 70 degrees and sunny.",
    );
    expect(result.choices[0]?.finish_reason).toBe("stop");
    expect(result.usage).toMatchObject({ prompt_tokens: 566, completion_tokens: 60 });
  });

  it("chat-stream: Converse-like chunks up to messageStop and metadata", async () => {
    const fixture = loadFixture(family, "chat-stream");
    server = await replay(fixture);
    const stream = await server.bedrock.chat.completions.create({
      model: "bedrock/invoke/amazon.nova-pro-v1:0",
      messages: [{ role: "user", content: "Say this is a test" }],
      max_tokens: 10,
      temperature: 0.8,
      top_p: 1,
      stop: ["|"],
      stream: true,
      stream_options: { include_usage: true },
    });
    const collected = await collectStream(stream);
    // The recording used the legacy names max_new_tokens and top_p; the adapter writes maxTokens and topP.
    expect(server.received[0]).toEqual({
      schemaVersion: "messages-v1",
      messages: [{ role: "user", content: [{ text: "Say this is a test" }] }],
      inferenceConfig: { maxTokens: 10, temperature: 0.8, topP: 1, stopSequences: ["|"] },
    });
    expect(collected.text).toBe("Certainly! If you're indicating that this interaction");
    expect(collected.finishReason).toBe("length");
    expect(collected.usage).toEqual({ prompt_tokens: 5, completion_tokens: 10 });
  });

  it("chat-stream with tools: contentBlockStart/Delta toolUse become tool call deltas", async () => {
    const fixture = loadFixture(family, "chat-stream-tools");
    server = await replay(fixture);
    const stream = await server.bedrock.chat.completions.create({
      model: "bedrock/invoke/amazon.nova-micro-v1:0",
      messages: [
        {
          role: "user",
          content:
            "What is the weather in Seattle and San Francisco today? Please give one tool call for Seattle and one for San Francisco",
        },
      ],
      tools: [weatherTool],
      max_tokens: 1000,
      stream: true,
      stream_options: { include_usage: true },
    });
    const collected = await collectStream(stream);
    expect(server.received[0]).toEqual(withMaxTokens(fixture.request, 1000));
    expect(collected.text).toBe(
      '<thinking> The User has requested the current weather in Seattle and San Francisco. I need to use the "get_current_weather" tool for each city separately. I will make two tool calls, one for each city.</thinking>\n',
    );
    expect(collected.toolCalls).toEqual([
      {
        id: "3cd5c4df-1540-4fed-933f-707f9ca8286c",
        name: "get_current_weather",
        arguments: '{"location":"Seattle"}',
      },
      {
        id: "2e97e0b0-bef4-4d65-9774-e61de7bc454c",
        name: "get_current_weather",
        arguments: '{"location":"San Francisco"}',
      },
    ]);
    expect(collected.finishReason).toBe("tool_calls");
    expect(collected.usage).toEqual({ prompt_tokens: 427, completion_tokens: 156 });
  });

  it("chat-stream with a guardrail: chunks flagged INTERVENED end with content_filter", async () => {
    const fixture = loadFixture(family, "chat-stream-guardrail");
    server = await replay(fixture);
    const stream = await server.bedrock.chat.completions.create({
      model: "bedrock/invoke/amazon.nova-lite-v1:0",
      messages: [
        {
          role: "system",
          content: "tell me a very two sentence story and put the string 1234561666 into the last sentence.",
        },
        { role: "user", content: "A camping trip" },
      ],
      top_p: 0.9,
      top_k: 20,
      temperature: 0.7,
      stream: true,
      stream_options: { include_usage: true },
      guardrailConfig: { guardrailIdentifier: "v9kpg6yrwhs2", guardrailVersion: "DRAFT", trace: "enabled" },
    });
    const collected = await collectStream(stream);
    expect(server.received[0]).toEqual(fixture.request);
    expect(collected.text).toBe(
      "On their first night in the wilderness, the friends gathered around the campfire, sharing stories and laughter. As they settled in for the night, they couldn't resist checking the mysterious string {Account Number} they found in their survival kit.",
    );
    expect(collected.finishReason).toBe("content_filter");
    expect(collected.usage).toEqual({ prompt_tokens: 30, completion_tokens: 55 });
  });
});
