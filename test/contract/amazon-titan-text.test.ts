import { afterEach, describe, expect, it } from "vitest";
import { collectStream, loadFixture, type Replay, replay } from "./fixture-replay.js";

const family = "amazon-titan-text";
let server: Replay | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** The recordings sent raw prompts; the adapter writes AWS's documented "User: …\nBot:" form. */
function withPrompt(request: unknown, inputText: string) {
  return { ...(request as object), inputText };
}

describe("amazon-titan-text contract", () => {
  it("chat (Lite): builds the recorded body and reads results[0]", async () => {
    const fixture = loadFixture(family, "chat");
    server = await replay(fixture);
    const result = await server.bedrock.chat.completions.create({
      model: "bedrock/invoke/amazon.titan-text-lite-v1",
      messages: [{ role: "user", content: "Say this is a test" }],
      max_tokens: 10,
      temperature: 0.8,
      top_p: 1,
      stop: ["|"],
    });
    expect(server.received[0]).toEqual(withPrompt(fixture.request, "User: Say this is a test\nBot:"));
    expect(server.modelIds[0]).toBe("amazon.titan-text-lite-v1");
    expect(result.choices[0]?.message.content).toBe(" comment\nHello! I am writing this as a");
    expect(result.choices[0]?.finish_reason).toBe("length");
    expect(result.usage).toMatchObject({ prompt_tokens: 5, completion_tokens: 10, total_tokens: 15 });
  });

  it("chat (Express): system text goes before the turns", async () => {
    const fixture = loadFixture(family, "chat-express");
    server = await replay(fixture);
    const result = await server.bedrock.chat.completions.create({
      model: "bedrock/invoke/amazon.titan-text-express-v1",
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: "Say this is a test" },
      ],
      max_tokens: 10,
      temperature: 0.8,
      top_p: 1,
      stop: "|",
    });
    expect(server.received[0]).toEqual(
      withPrompt(fixture.request, "Be brief.\nUser: Say this is a test\nBot:"),
    );
    expect(result.choices[0]?.message.content).toBe("\nHello! I am a computer program designed to");
    expect(result.choices[0]?.finish_reason).toBe("length");
    expect(result.usage.prompt_tokens).toBe(5);
    expect(result.usage.completion_tokens).toBe(10);
  });

  it("chat with a guardrail: an intervention is a content_filter finish", async () => {
    const fixture = loadFixture(family, "chat-guardrail");
    server = await replay(fixture);
    const result = await server.bedrock.chat.completions.create({
      model: "bedrock/invoke/amazon.titan-text-express-v1",
      messages: [{ role: "user", content: "Tell me a joke about opentelemetry" }],
      max_tokens: 512,
      temperature: 0.5,
      guardrailConfig: { guardrailIdentifier: "5zwrmdlsra2e", guardrailVersion: "DRAFT", trace: "enabled" },
    });
    expect(server.received[0]).toEqual(
      withPrompt(fixture.request, "User: Tell me a joke about opentelemetry\nBot:"),
    );
    expect(result.choices[0]?.message.content).toContain("{Account Number}");
    expect(result.choices[0]?.finish_reason).toBe("content_filter");
    expect(result.usage).toMatchObject({ prompt_tokens: 28, completion_tokens: 197 });
  });

  it("chat-stream: reads the flat chunk and Bedrock's invocation metrics", async () => {
    const fixture = loadFixture(family, "chat-stream");
    server = await replay(fixture);
    const stream = await server.bedrock.chat.completions.create({
      model: "bedrock/invoke/amazon.titan-text-lite-v1",
      messages: [{ role: "user", content: "Hello, How are you today?" }],
      max_tokens: 10,
      temperature: 0.8,
      top_p: 1,
      stop: ["|"],
      stream: true,
      stream_options: { include_usage: true },
    });
    const collected = await collectStream(stream);
    expect(server.received[0]).toEqual(withPrompt(fixture.request, "User: Hello, How are you today?\nBot:"));
    expect(collected.text).toBe(" Hello there! I'm doing well. Thank you");
    expect(collected.finishReason).toBe("length");
    expect(collected.usage).toEqual({ prompt_tokens: 13, completion_tokens: 10 });
  });

  it("chat-stream with a guardrail: a blocked input ends with content_filter", async () => {
    const fixture = loadFixture(family, "chat-stream-guardrail");
    server = await replay(fixture);
    const stream = await server.bedrock.chat.completions.create({
      model: "bedrock/invoke/amazon.titan-text-express-v1",
      messages: [{ role: "user", content: "How do I play tennis in Japan?" }],
      max_tokens: 1000,
      temperature: 0.5,
      stream: true,
      stream_options: { include_usage: true },
      guardrailConfig: { guardrailIdentifier: "5zwrmdlsra2e", guardrailVersion: "DRAFT", trace: "enabled" },
    });
    const collected = await collectStream(stream);
    expect(server.received[0]).toEqual(
      withPrompt(fixture.request, "User: How do I play tennis in Japan?\nBot:"),
    );
    expect(collected.text).toBe("Input blocked");
    expect(collected.finishReason).toBe("content_filter");
    expect(collected.usage).toEqual({ prompt_tokens: 6, completion_tokens: 3 });
  });
});
