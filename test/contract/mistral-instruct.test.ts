import { describe, expect, it } from "vitest";
import { buildBody, loadFixture, parseFixture, streamFixture } from "./invoke-fixture.js";

describe("mistral-instruct fixtures", () => {
  it("chat: the documented multi-turn [INST] prompt", async () => {
    const fixture = loadFixture("mistral-instruct", "chat");
    const body = await buildBody("mistral.mixtral-8x7b-instruct-v0:1", {
      messages: [
        { role: "user", content: "What is your favourite condiment?" },
        {
          role: "assistant",
          content:
            "Well, I'm quite partial to a good squeeze of fresh lemon juice. It adds just the right amount of zesty flavour to whatever I'm cooking up in the kitchen!",
        },
        { role: "user", content: "Do you have mayonnaise recipes?" },
      ],
      max_tokens: 20,
      temperature: 0.5,
      top_p: 0.9,
      top_k: 50,
      stop: ["</s>"],
    });
    expect(body).toEqual(fixture.request);
    const completion = await parseFixture("mistral.mixtral-8x7b-instruct-v0:1", fixture);
    expect(completion.choices[0]).toMatchObject({
      message: { content: " Yes, here is a simple homemade mayonnaise recipe: whisk one egg yolk" },
      finish_reason: "length",
    });
    expect(completion.usage).toMatchObject({ prompt_tokens: 57, completion_tokens: 20 });
  });

  it("chat-stream", async () => {
    const fixture = loadFixture("mistral-instruct", "chat-stream");
    const body = await buildBody("mistral.mistral-7b-instruct-v0:2", {
      messages: [{ role: "user", content: "What is 212 degrees Fahrenheit converted to Celsius?" }],
      max_tokens: 7,
    });
    expect(body).toEqual(fixture.request);
    const result = await streamFixture("mistral.mistral-7b-instruct-v0:2", fixture);
    expect(result).toMatchObject({
      text: " To convert 212°F, subtract 32",
      finishReason: "length",
      promptTokens: 25,
      completionTokens: 7,
    });
  });

  it("writes system text at the start of the first user turn", async () => {
    const body = await buildBody("mistral.mistral-7b-instruct-v0:2", {
      messages: [
        { role: "system", content: "Answer in French." },
        { role: "user", content: "Hello" },
      ],
    });
    expect(body).toEqual({ prompt: "<s>[INST] Answer in French.\n\nHello [/INST]" });
  });
});
