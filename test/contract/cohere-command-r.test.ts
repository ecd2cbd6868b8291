import { afterEach, describe, expect, it } from "vitest";
import type { FunctionTool } from "../../runtime/types.js";
import { collectStream, loadFixture, type Replay, replay } from "./fixture-replay.js";

const family = "cohere-command-r";
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

describe("cohere-command-r contract", () => {
  it("chat: message, p and stop_sequences; MAX_TOKENS is length; usage from headers", async () => {
    const fixture = loadFixture(family, "chat");
    server = await replay(fixture);
    const result = await server.bedrock.chat.completions.create({
      model: "bedrock/invoke/cohere.command-r-v1:0",
      messages: [{ role: "user", content: "Say this is a test" }],
      max_tokens: 10,
      temperature: 0.8,
      top_p: 0.99,
      stop: ["|"],
    });
    expect(server.received[0]).toEqual(fixture.request);
    expect(result.id).toBe("379ed018/aa2df2bf-edc8-483f-8cd0-d22d04ba34ba");
    expect(result.choices[0]?.message.content).toBe("This is a test. How are you doing today");
    expect(result.choices[0]?.finish_reason).toBe("length");
    expect(result.usage).toMatchObject({ prompt_tokens: 5, completion_tokens: 10 });
  });

  it("chat: STOP_SEQUENCE is stop", async () => {
    const fixture = loadFixture(family, "chat-stop-sequence");
    server = await replay(fixture);
    const result = await server.bedrock.chat.completions.create({
      model: "bedrock/invoke/cohere.command-r-v1:0",
      messages: [{ role: "user", content: "Say this is a test" }],
      max_tokens: 10,
      temperature: 0.8,
      top_p: 0.9,
      stop: ["|"],
    });
    expect(server.received[0]).toEqual(fixture.request);
    expect(result.choices[0]?.message.content).toBe("This is a test.<");
    expect(result.choices[0]?.finish_reason).toBe("stop");
    expect(result.usage).toMatchObject({ prompt_tokens: 5, completion_tokens: 5 });
  });

  it("chat-stream: text-generation events, then stream-end with the finish reason and metrics", async () => {
    const fixture = loadFixture(family, "chat-stream");
    server = await replay(fixture);
    const stream = await server.bedrock.chat.completions.create({
      model: "bedrock/invoke/cohere.command-r-v1:0",
      messages: [{ role: "user", content: "Say this is a test" }],
      max_tokens: 10,
      temperature: 0.8,
      top_p: 0.99,
      stop: ["|"],
      stream: true,
      stream_options: { include_usage: true },
    });
    const collected = await collectStream(stream);
    expect(server.received[0]).toEqual(fixture.request);
    expect(collected.text).toBe("This is indeed a test. Hopefully, it's");
    expect(collected.finishReason).toBe("length");
    expect(collected.usage).toEqual({ prompt_tokens: 5, completion_tokens: 10 });
  });

  it("tools: preamble and parameter_definitions out, tool_calls back", async () => {
    const fixture = loadFixture(family, "tools");
    server = await replay(fixture);
    const result = await server.bedrock.chat.completions.create({
      model: "bedrock/invoke/cohere.command-r-plus-v1:0",
      messages: [
        { role: "system", content: "You are a weather assistant." },
        { role: "user", content: "What is the weather in Seattle?" },
      ],
      tools: [weatherTool],
      max_tokens: 200,
    });
    expect(server.received[0]).toEqual(fixture.request);
    expect(result.choices[0]?.message.content).toBe("I will look up the current weather in Seattle.");
    expect(result.choices[0]?.message.tool_calls).toEqual([
      {
        id: "call_a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d_0",
        type: "function",
        function: { name: "get_current_weather", arguments: '{"location":"Seattle"}' },
      },
    ]);
    expect(result.choices[0]?.finish_reason).toBe("tool_calls");
    expect(result.usage).toMatchObject({ prompt_tokens: 46, completion_tokens: 21 });
  });

  it("tool results: history with the CHATBOT tool call, tool_results and an empty message", async () => {
    const fixture = loadFixture(family, "tools-result");
    server = await replay(fixture);
    const result = await server.bedrock.chat.completions.create({
      model: "bedrock/invoke/cohere.command-r-plus-v1:0",
      messages: [
        { role: "system", content: "You are a weather assistant." },
        { role: "user", content: "What is the weather in Seattle?" },
        {
          role: "assistant",
          content: "I will look up the current weather in Seattle.",
          tool_calls: [
            {
              id: "call_1",
              type: "function",
              function: { name: "get_current_weather", arguments: '{"location":"Seattle"}' },
            },
          ],
        },
        { role: "tool", tool_call_id: "call_1", content: '{"weather": "50 degrees and raining"}' },
      ],
      tools: [weatherTool],
      max_tokens: 200,
    });
    expect(server.received[0]).toEqual(fixture.request);
    expect(result.choices[0]?.message.content).toBe("It is 50 degrees and raining in Seattle.");
    expect(result.choices[0]?.message.tool_calls).toBeUndefined();
    expect(result.choices[0]?.finish_reason).toBe("stop");
    expect(result.usage).toMatchObject({ prompt_tokens: 88, completion_tokens: 12 });
  });

  it("rejects a conversation that ends with the assistant: Command R has no pre-fill", async () => {
    const fixture = loadFixture(family, "chat");
    server = await replay(fixture);
    await expect(
      server.bedrock.chat.completions.create({
        model: "bedrock/invoke/cohere.command-r-v1:0",
        messages: [
          { role: "user", content: "Say this is a test" },
          { role: "assistant", content: "This" },
        ],
      }),
    ).rejects.toThrow(/assistant/);
    expect(server.received).toHaveLength(0);
  });
});
