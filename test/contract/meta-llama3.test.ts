import { describe, expect, it } from "vitest";
import { buildBody, loadFixture, parseFixture, streamFixture } from "./invoke-fixture.js";

describe("meta-llama3 fixtures", () => {
  it("chat", async () => {
    const fixture = loadFixture("meta-llama3", "chat");
    const body = await buildBody("meta.llama3-8b-instruct-v1:0", {
      messages: [
        { role: "system", content: "You are a concise assistant." },
        { role: "user", content: "Describe the purpose of a 'hello world' program in one line." },
      ],
      temperature: 0.5,
    });
    expect(body).toEqual(fixture.request);
    const completion = await parseFixture("meta.llama3-8b-instruct-v1:0", fixture);
    expect(completion.choices[0]).toMatchObject({
      message: {
        content: "A 'hello world' program shows the minimal syntax needed to print output in a language.",
      },
      finish_reason: "stop",
    });
    expect(completion.usage).toMatchObject({ prompt_tokens: 38, completion_tokens: 19 });
  });

  it("chat-stream", async () => {
    const fixture = loadFixture("meta-llama3", "chat-stream");
    const body = await buildBody("meta.llama3-70b-instruct-v1:0", {
      messages: [{ role: "user", content: "Name a primary color." }],
      max_tokens: 64,
    });
    expect(body).toEqual(fixture.request);
    const result = await streamFixture("meta.llama3-70b-instruct-v1:0", fixture);
    expect(result).toMatchObject({
      text: "Red.",
      finishReason: "stop",
      promptTokens: 16,
      completionTokens: 3,
    });
  });

  it("the recorded raw-prompt Llama 3.1 response parses", async () => {
    const fixture = {
      ...loadFixture("meta-llama3", "chat"),
      response: {
        generation: " and you are a test subject. You are not",
        prompt_token_count: 5,
        generation_token_count: 10,
        stop_reason: "length",
      },
    };
    const completion = await parseFixture("meta.llama3-1-70b-instruct-v1:0", fixture);
    expect(completion.choices[0]).toMatchObject({
      message: { content: " and you are a test subject. You are not" },
      finish_reason: "length",
    });
  });
});
