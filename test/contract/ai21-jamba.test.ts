import { afterEach, describe, expect, it } from "vitest";
import { collectStream, loadFixture, type Replay, replay } from "./fixture-replay.js";

const family = "ai21-jamba";
let server: Replay | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe("ai21-jamba contract", () => {
  it("chat: OpenAI-like messages out, choices[0] back", async () => {
    const fixture = loadFixture(family, "chat");
    server = await replay(fixture);
    const result = await server.bedrock.chat.completions.create({
      model: "bedrock/invoke/ai21.jamba-1-5-large-v1:0",
      messages: [
        { role: "system", content: "You are a concise assistant." },
        { role: "user", content: "Tell me a joke" },
      ],
      max_tokens: 100,
      temperature: 0.7,
      top_p: 0.9,
    });
    expect(server.received[0]).toEqual(fixture.request);
    expect(result.id).toBe("chatcmpl-0f6c2d43a1b94c2e8d1e2b7a4c9e5f10");
    expect(result.choices[0]?.message.content).toBe(
      "Why don't skeletons fight each other? They don't have the guts.",
    );
    expect(result.choices[0]?.finish_reason).toBe("stop");
    expect(result.usage).toMatchObject({ prompt_tokens: 22, completion_tokens: 16, total_tokens: 38 });
  });

  it("chat: the recorded Jamba 1.5 Mini response", async () => {
    const fixture = loadFixture(family, "chat-response-log");
    server = await replay(fixture);
    const result = await server.bedrock.chat.completions.create({
      model: "bedrock/invoke/ai21.jamba-1-5-mini-v1:0",
      messages: [{ role: "user", content: "Tell me a joke" }],
    });
    expect(server.received[0]).toEqual({ messages: [{ role: "user", content: "Tell me a joke" }] });
    expect(result.choices[0]?.message.content).toBe(
      " Why don't skeletons fight each other?\n\nThey don't have the guts.",
    );
    expect(result.choices[0]?.finish_reason).toBe("stop");
    expect(result.usage).toMatchObject({ prompt_tokens: 15, completion_tokens: 21 });
  });

  it("chat-stream: delta chunks, then the finish reason and Bedrock's metrics", async () => {
    const fixture = loadFixture(family, "chat-stream");
    server = await replay(fixture);
    const stream = await server.bedrock.chat.completions.create({
      model: "bedrock/invoke/ai21.jamba-1-5-mini-v1:0",
      messages: [{ role: "user", content: "Say this is a test" }],
      max_tokens: 10,
      stream: true,
      stream_options: { include_usage: true },
    });
    const collected = await collectStream(stream);
    expect(server.received[0]).toEqual(fixture.request);
    expect(collected.text).toBe("This is a test.");
    expect(collected.finishReason).toBe("stop");
    expect(collected.usage).toEqual({ prompt_tokens: 14, completion_tokens: 5 });
  });

  it("Jamba-Instruct rejects tools", async () => {
    const fixture = loadFixture(family, "chat");
    server = await replay(fixture);
    await expect(
      server.bedrock.chat.completions.create({
        model: "bedrock/invoke/ai21.jamba-instruct-v1:0",
        messages: [{ role: "user", content: "hi" }],
        tools: [
          { type: "function", function: { name: "noop", parameters: { type: "object", properties: {} } } },
        ],
      }),
    ).rejects.toThrow(/tool/i);
    expect(server.received).toHaveLength(0);
  });
});
