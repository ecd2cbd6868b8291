import { describe, expect, it } from "vitest";
import { buildBody, loadFixture, parseFixture, streamFixture } from "./invoke-fixture.js";

describe("anthropic-claude-text fixtures", () => {
  it("chat: the recorded Claude Instant call, usage from the token-count headers", async () => {
    const fixture = loadFixture("anthropic-claude-text", "chat");
    const body = await buildBody("anthropic.claude-instant-v1", {
      messages: [{ role: "user", content: "What makes you better than Chat-GPT or LLAMA?" }],
      temperature: 0.9,
      top_p: 1,
      top_k: 250,
      max_tokens: 50,
      stop: ["\n\nHuman:"],
    });
    expect(body).toEqual(fixture.request);
    const completion = await parseFixture("anthropic.claude-instant-v1", fixture);
    expect(completion.choices[0]).toMatchObject({
      message: {
        content:
          " I'm an AI assistant created by Anthropic to be helpful, harmless, and honest. I don't compare myself to other systems.",
      },
      finish_reason: "stop",
    });
    expect(completion.usage).toMatchObject({ prompt_tokens: 23, completion_tokens: 32, total_tokens: 55 });
  });

  it("chat-stream-prefill: an assistant pre-fill continues the last Assistant turn", async () => {
    const fixture = loadFixture("anthropic-claude-text", "chat-stream-prefill");
    const body = await buildBody("anthropic.claude-instant-v1", {
      messages: [
        { role: "user", content: "%s" },
        { role: "assistant", content: "What makes you better than Chat-GPT or LLAMA?" },
      ],
      temperature: 0.9,
      top_p: 1,
      top_k: 250,
      max_tokens: 50,
      stop: "\n\nHuman:",
    });
    expect(body).toEqual(fixture.request);
    const result = await streamFixture("anthropic.claude-instant-v1", fixture);
    expect(result).toMatchObject({ text: "", finishReason: "stop", promptTokens: 25, completionTokens: 4 });
  });

  it("writes system text before the first Human turn (Claude 2.1 style)", async () => {
    const body = await buildBody("anthropic.claude-v2:1", {
      messages: [
        { role: "system", content: "You are terse." },
        { role: "user", content: "Hi" },
        { role: "assistant", content: "Hello." },
        { role: "user", content: "Bye" },
      ],
    });
    expect(body).toEqual({
      prompt: "You are terse.\n\nHuman: Hi\n\nAssistant: Hello.\n\nHuman: Bye\n\nAssistant:",
      max_tokens_to_sample: 4096,
    });
  });
});
