/**
 * Kimi K3 on InvokeModel through the runtime, the real AWS SDK and the emulator: a stream and an answer with the
 * reasoning in a `reasoning_content` field (test/fixtures/moonshotai-kimi: the chunks and answer of a public Go
 * test of Bedrock's Kimi K3, verbatim; see each fixture's source).
 */
import { afterEach, describe, expect, it } from "vitest";
import { loadFixture, type Replay, replay } from "./fixture-replay.js";

let server: Replay | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe("moonshotai-kimi contract", () => {
  it("stream: reasoning deltas, text, a tool call, tool_calls, and the usage chunk asked for", async () => {
    const fixture = loadFixture("moonshotai-kimi", "chat-stream");
    server = await replay(fixture);
    const stream = await server.bedrock.chat.completions.create({
      model: "bedrock/invoke/global.moonshotai.kimi-k3",
      messages: [{ role: "user", content: "What is the weather in Oslo?" }],
      max_tokens: 1024,
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
      stream: true,
      stream_options: { include_usage: true },
    });
    let reasoning = "";
    let text = "";
    let finish: string | null = null;
    let usage: { prompt_tokens: number; completion_tokens: number } | undefined;
    const calls: { id?: string; name?: string; arguments: string }[] = [];
    for await (const chunk of stream) {
      for (const choice of chunk.choices) {
        reasoning += choice.delta.reasoning_content ?? "";
        text += choice.delta.content ?? "";
        for (const call of choice.delta.tool_calls ?? []) {
          calls[call.index] ??= { arguments: "" };
          if (call.id) calls[call.index]!.id = call.id;
          if (call.function?.name) calls[call.index]!.name = call.function.name;
          calls[call.index]!.arguments += call.function?.arguments ?? "";
        }
        finish = choice.finish_reason ?? finish;
      }
      if (chunk.usage) usage = chunk.usage;
    }
    expect(server.received[0]).toEqual(fixture.request);
    expect(server.modelIds[0]).toBe("global.moonshotai.kimi-k3");
    expect({ reasoning, text, finish }).toEqual({
      reasoning: "Checking the weather.",
      text: "Let me look.",
      finish: "tool_calls",
    });
    expect(calls).toEqual([{ id: "get_weather_0", name: "get_weather", arguments: '{"city":"Oslo"}' }]);
    expect(usage).toMatchObject({ prompt_tokens: 1200, completion_tokens: 40 });
  });

  it("answer: content and reasoning_content read apart", async () => {
    const fixture = loadFixture("moonshotai-kimi", "chat");
    server = await replay(fixture);
    const result = await server.bedrock.chat.completions.create({
      model: "bedrock/invoke/us.moonshotai.kimi-k3",
      messages: [{ role: "user", content: "ping" }],
      max_tokens: 256,
    });
    expect(server.received[0]).toEqual(fixture.request);
    expect(result.choices[0]).toMatchObject({
      message: { content: "pong", reasoning_content: "The user said ping." },
      finish_reason: "stop",
    });
    expect(result.usage).toMatchObject({ prompt_tokens: 50, completion_tokens: 5, total_tokens: 55 });
  });

  it("reasoning_effort low or high goes in the body; other levels are refused before any call", async () => {
    const fixture = loadFixture("moonshotai-kimi", "chat");
    server = await replay(fixture);
    await server.bedrock.chat.completions.create({
      model: "bedrock/invoke/us.moonshotai.kimi-k3",
      messages: [{ role: "user", content: "ping" }],
      reasoning_effort: "high",
    });
    expect(server.received[0]!.reasoning_effort).toBe("high");
    await expect(
      server.bedrock.chat.completions.create({
        model: "bedrock/invoke/us.moonshotai.kimi-k3",
        messages: [{ role: "user", content: "ping" }],
        reasoning_effort: "medium",
      }),
    ).rejects.toThrow(/reasoning_effort/);
    expect(server.received).toHaveLength(1);
  });
});
