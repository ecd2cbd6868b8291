import { afterEach, describe, expect, it } from "vitest";
import { loadFixture, type Replay, replay } from "./fixture-replay.js";

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

  it("chat with n: 2 asks for num_generations 2; every generation is a choice", async () => {
    const fixture = loadFixture(family, "chat-multi-generation");
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
      n: 2,
    });
    // The recording also sent the default "stream": false.
    const { stream: _stream, ...built } = fixture.request as Record<string, unknown>;
    expect(server.received[0]).toEqual(built);
    expect(
      result.choices.map((choice) => [choice.index, choice.message.content, choice.finish_reason]),
    ).toEqual([
      [0, " A large language model (LLM) chain can", "length"],
      [1, " Sure! A Long Short-Term Memory (L", "length"],
    ]);
    expect(result.choices[1]?.message.role).toBe("assistant");
    expect(result.usage).toMatchObject({ prompt_tokens: 40, completion_tokens: 20 });
  });

  it("chat-stream with n: 2: the generations' interleaved chunks become choices 0 and 1", async () => {
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
      n: 2,
      stream: true,
      stream_options: { include_usage: true },
    });
    const texts: string[] = [];
    const finishes: (string | null)[] = [];
    const roles: number[] = [];
    let usage: unknown;
    for await (const chunk of stream) {
      for (const choice of chunk.choices) {
        texts[choice.index] = (texts[choice.index] ?? "") + (choice.delta.content ?? "");
        if (choice.delta.role) roles.push(choice.index);
        if (choice.finish_reason) finishes[choice.index] = choice.finish_reason;
      }
      if (chunk.usage) usage = chunk.usage;
    }
    expect(server.received[0]).toEqual(fixture.request);
    const expected = (index: number) =>
      fixture
        .events!.map((event) => event.chunk as { index?: number; text?: string })
        .filter((chunk) => chunk.index === index)
        .map((chunk) => chunk.text)
        .join("");
    expect(texts).toEqual([expected(0), expected(1)]);
    expect(texts[0]?.startsWith(" In machine learning and natural language processing, Long Short")).toBe(
      true,
    );
    // The final is_finished chunk (MAX_TOKENS, no index) closes both generations.
    expect(finishes).toEqual(["length", "length"]);
    expect(roles).toEqual([0, 1]);
    expect(usage).toMatchObject({ prompt_tokens: 40, completion_tokens: 20 });
  });

  it("n above 5 (the native body's most) is refused before the call", async () => {
    const fixture = loadFixture(family, "chat");
    server = await replay(fixture);
    await expect(
      server.bedrock.chat.completions.create({
        model: "cohere.command-text-v14",
        messages: [{ role: "user", content: "hi" }],
        n: 6,
      }),
    ).rejects.toThrow(/n=6 is out of range for cohere.command-text-v14: it must be between 1 and 5/);
    expect(server.received).toHaveLength(0);
  });
});
