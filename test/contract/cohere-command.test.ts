import { afterEach, describe, expect, it } from "vitest";
import { collectStream, loadFixture, type Replay, replay } from "./fixture-replay.js";

const family = "cohere-command";
let server: Replay | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe("cohere-command contract", () => {
  it("chat: a single user message is the prompt as written; usage from Bedrock's headers", async () => {
    const fixture = loadFixture(family, "chat");
    server = await replay(fixture);
    const result = await server.bedrock.chat.completions.create({
      model: "cohere.command-text-v14",
      messages: [{ role: "user", content: "Tell me a joke about opentelemetry" }],
      max_tokens: 200,
      temperature: 0.5,
      top_p: 0.5,
    });
    expect(server.received[0]).toEqual(fixture.request);
    expect(result.choices[0]?.message.content).toBe(
      ' What does an open-source project say to a cloud provider?\n\n"I trace at every opportunity!"\n\nWhy?\n\nBecause, open-source projects like Opentelemetry implement distributed tracing for observability, and cloud providers like AWS, Google Cloud, and Azure strongly encourage the use of observability to monitor and troubleshoot cloud-based applications!\n\nThis joke is a play on the term "trace", which has a dual meaning. The joke works if you don\'t get it, so feel free to ask for a clarification.',
    );
    expect(result.choices[0]?.finish_reason).toBe("stop");
    expect(result.usage).toMatchObject({ prompt_tokens: 9, completion_tokens: 112, total_tokens: 121 });
  });

  it("chat (Light): top_k and an empty stop list; MAX_TOKENS is length", async () => {
    const fixture = loadFixture(family, "chat-light");
    server = await replay(fixture);
    const result = await server.bedrock.chat.completions.create({
      model: "cohere.command-light-text-v14",
      messages: [
        { role: "user", content: "\n\nHuman: %s\n\nAssistant: Can you explain what a LLM chain is?" },
      ],
      max_tokens: 10,
      temperature: 0.9,
      top_p: 1,
      top_k: 0,
      stop: [],
    });
    // The recording also sent the defaults "stream": false and "num_generations": 1.
    const {
      stream: _stream,
      num_generations: _generations,
      ...built
    } = fixture.request as Record<string, unknown>;
    expect(server.received[0]).toEqual(built);
    expect(result.choices[0]?.message.content).toBe(" A Large Language Model (LLM) chain refers");
    expect(result.choices[0]?.finish_reason).toBe("length");
    expect(result.usage).toMatchObject({ prompt_tokens: 20, completion_tokens: 10 });
  });

  it("chat-stream: the stream request carries stream: true; chunks end with is_finished and metrics", async () => {
    const fixture = loadFixture(family, "chat-stream-multi-generation");
    server = await replay(fixture);
    const stream = await server.bedrock.chat.completions.create({
      model: "cohere.command-light-text-v14",
      messages: [
        { role: "user", content: "\n\nHuman: %s\n\nAssistant: Can you explain what a LLM chain is?" },
      ],
      max_tokens: 10,
      temperature: 0.9,
      top_p: 1,
      top_k: 0,
      stop: [],
      stream: true,
      stream_options: { include_usage: true },
    });
    const collected = await collectStream(stream);
    // The recording asked for two generations (num_generations: 2), which the adapter does not map.
    const { num_generations: _generations, ...built } = fixture.request as Record<string, unknown>;
    expect(server.received[0]).toEqual(built);
    expect(
      collected.text.startsWith(" In machine learning and natural language processing, Long Short"),
    ).toBe(true);
    expect(collected.finishReason).toBe("length");
    expect(collected.usage).toEqual({ prompt_tokens: 40, completion_tokens: 20 });
  });

  it("rejects n: one generation is read per call", async () => {
    const fixture = loadFixture(family, "chat");
    server = await replay(fixture);
    await expect(
      server.bedrock.chat.completions.create({
        model: "cohere.command-text-v14",
        messages: [{ role: "user", content: "hi" }],
        n: 2,
      }),
    ).rejects.toThrow(/n/);
    expect(server.received).toHaveLength(0);
  });
});
