import { afterEach, describe, expect, it } from "vitest";
import { loadFixture, type Replay, replay } from "./fixture-replay.js";

const family = "ai21-j2";
let server: Replay | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe("ai21-j2 contract", () => {
  it("chat: prompt, maxTokens, topP; completions[0] back; endoftext is stop", async () => {
    const fixture = loadFixture(family, "chat");
    server = await replay(fixture);
    const result = await server.bedrock.chat.completions.create({
      model: "ai21.j2-mid-v1",
      messages: [
        {
          role: "user",
          content:
            "Translate to spanish: 'Amazon Bedrock is the easiest way to build andscale generative AI applications with base models (FMs)'.",
        },
      ],
      max_tokens: 200,
      temperature: 0.5,
      top_p: 0.5,
    });
    expect(server.received[0]).toEqual(fixture.request);
    expect(result.choices[0]?.message.content).toBe(
      "\n'Amazon Bedrock es la manera más fácil de construir y escalado de aplicaciones generatives de AI con modelos base (FMs)'.",
    );
    expect(result.choices[0]?.finish_reason).toBe("stop");
    expect(result.usage).toMatchObject({ prompt_tokens: 26, completion_tokens: 42 });
  });

  it("chat: an empty stop list; finishReason length is length", async () => {
    const fixture = loadFixture(family, "chat-length");
    server = await replay(fixture);
    const result = await server.bedrock.chat.completions.create({
      model: "ai21.j2-mid-v1",
      messages: [{ role: "user", content: "Explain like I'm a five-year old: what is a neural network?" }],
      max_tokens: 10,
      temperature: 0.9,
      top_p: 1,
      stop: [],
    });
    expect(server.received[0]).toEqual(fixture.request);
    expect(result.choices[0]?.message.content).toBe(
      "\nA neural network is like a secret recipe that a computer uses to learn how to",
    );
    expect(result.choices[0]?.finish_reason).toBe("length");
    expect(result.usage).toMatchObject({ prompt_tokens: 10, completion_tokens: 10 });
  });

  it("presence_penalty becomes presencePenalty.scale", async () => {
    const fixture = loadFixture(family, "chat");
    server = await replay(fixture);
    await server.bedrock.chat.completions.create({
      model: "ai21.j2-ultra-v1",
      messages: [{ role: "user", content: "Hi" }],
      presence_penalty: 1.5,
    });
    expect(server.received[0]).toEqual({ prompt: "Hi", presencePenalty: { scale: 1.5 } });
  });
});
