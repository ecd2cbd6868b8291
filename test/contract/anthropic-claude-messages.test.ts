import { describe, expect, it } from "vitest";
import { buildBody, loadFixture, parseFixture, streamFixture } from "./invoke-fixture.js";

const weatherTool = {
  type: "function" as const,
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

describe("anthropic-claude-messages fixtures", () => {
  it("chat: the recorded Claude 3 Sonnet call (us. profile)", async () => {
    const fixture = loadFixture("anthropic-claude-messages", "chat");
    const body = await buildBody("us.anthropic.claude-3-sonnet-20240229-v1:0", {
      messages: [{ role: "user", content: "summarize the plot to the lord of the rings in a dozen words" }],
      max_tokens: 50,
      temperature: 0,
    });
    expect(body).toEqual(fixture.request);
    const completion = await parseFixture("us.anthropic.claude-3-sonnet-20240229-v1:0", fixture);
    expect(completion.id).toBe("msg_01E6sPP1ksqicYCaBrkvzna8");
    expect(completion.choices[0]).toMatchObject({
      message: { content: "Hobbits embark on epic quest to destroy powerful ring, battling dark forces." },
      finish_reason: "stop",
    });
    expect(completion.usage).toMatchObject({ prompt_tokens: 21, completion_tokens: 22, total_tokens: 43 });
  });

  it("chat-stream: the recorded stream", async () => {
    const fixture = loadFixture("anthropic-claude-messages", "chat-stream");
    const result = await streamFixture("anthropic.claude-3-sonnet-20240229-v1:0", fixture);
    expect(result).toMatchObject({
      text: "Hobbits embark on epic quest to destroy powerful ring, battling dark forces.",
      finishReason: "stop",
      promptTokens: 21,
      completionTokens: 22,
    });
  });

  it("tools: two parallel tool calls from Claude 3.5 Sonnet", async () => {
    const fixture = loadFixture("anthropic-claude-messages", "tools");
    const body = await buildBody("us.anthropic.claude-3-5-sonnet-20240620-v1:0", {
      messages: [
        {
          role: "user",
          content:
            "What is the weather in Seattle and San Francisco today? Please expect one tool call for Seattle and one for San Francisco",
        },
      ],
      tools: [weatherTool],
      max_tokens: 1000,
    });
    // The recording writes the text part as {text, type}; key order does not matter to Claude.
    expect(body).toEqual(fixture.request);
    const completion = await parseFixture("us.anthropic.claude-3-5-sonnet-20240620-v1:0", fixture);
    expect(completion.choices[0]).toMatchObject({
      message: {
        content:
          "Certainly! I'll check the current weather for both Seattle and San Francisco using the available tool. I'll make two separate calls to the get_current_weather function, one for each city.",
        tool_calls: [
          {
            id: "toolu_bdrk_01Y5MJKoHE4VJ5ZrhcVfM1gP",
            type: "function",
            function: { name: "get_current_weather", arguments: '{"location":"Seattle"}' },
          },
          {
            id: "toolu_bdrk_014yQPSMntXHRmzGYxCbmBHE",
            type: "function",
            function: { name: "get_current_weather", arguments: '{"location":"San Francisco"}' },
          },
        ],
      },
      finish_reason: "tool_calls",
    });
    expect(completion.usage).toMatchObject({ prompt_tokens: 392, completion_tokens: 135 });
  });

  it("tools-stream: tool calls assembled from input_json deltas", async () => {
    const fixture = loadFixture("anthropic-claude-messages", "tools-stream");
    const result = await streamFixture("us.anthropic.claude-3-5-sonnet-20240620-v1:0", fixture);
    expect(result.finishReason).toBe("tool_calls");
    expect(result.text).toBe(
      "Certainly! I'll use the get_current_weather function to check the weather for both Seattle and San Francisco. I'll make two separate function calls within the same block for these cities.",
    );
    expect(result.toolCalls.map((call) => [call.name, JSON.parse(call.arguments)])).toEqual([
      ["get_current_weather", { location: "Seattle" }],
      ["get_current_weather", { location: "San Francisco" }],
    ]);
    expect(result.promptTokens).toBe(392);
  });

  it("prompt-cache: cache write tokens from the recorded Claude 3.5 Haiku response", async () => {
    const fixture = loadFixture("anthropic-claude-messages", "prompt-cache");
    const completion = await parseFixture("anthropic.claude-3-5-haiku-20241022-v1:0", fixture);
    expect(completion.choices[0]!.finish_reason).toBe("length");
    // OpenAI's prompt_tokens counts every input token, cached and cache-written ones included.
    expect(completion.usage).toMatchObject({
      prompt_tokens: 18135,
      completion_tokens: 50,
      prompt_tokens_details: { cached_tokens: 0, cache_write_tokens: 18131 },
    });
  });
});

describe("Claude 2 through the Messages API", () => {
  // The catalog serves anthropic.claude-v2 with the Text Completions family; AWS also documents the
  // Messages API for Claude 2.x, and this recording shows Bedrock answering it. Its body parses as Messages.
  it("claude-v2-messages: the recorded Messages response parses", async () => {
    const fixture = loadFixture("anthropic-claude-messages", "claude-v2-messages");
    const completion = await parseFixture("anthropic.claude-3-haiku-20240307-v1:0", fixture);
    expect(completion.id).toBe("msg_bdrk_01QBSj9wkkgvNKMZZxMa6J77");
    expect(completion.choices[0]).toMatchObject({
      message: { content: 'Okay, I just said "This is a test' },
      finish_reason: "length",
    });
    expect(completion.usage).toMatchObject({ prompt_tokens: 14, completion_tokens: 10 });
  });

  it("builds the same body for a Messages-family model", async () => {
    const fixture = loadFixture("anthropic-claude-messages", "claude-v2-messages");
    const body = await buildBody("anthropic.claude-3-haiku-20240307-v1:0", {
      messages: [{ role: "user", content: "Say this is a test" }],
      max_tokens: 10,
      temperature: 0.8,
      top_p: 1,
      stop: ["|"],
    });
    expect(body).toEqual(fixture.request);
  });
});
