import { describe, expect, it } from "vitest";
import { buildBody, loadFixture, parseFixture, streamFixture } from "./invoke-fixture.js";

describe("meta-llama2 fixtures", () => {
  it("chat-system: the recorded Llama 2 13B call with a <<SYS>> block in the first [INST]", async () => {
    const fixture = loadFixture("meta-llama2", "chat-system");
    const system =
      "You are a helpful, respectful and honest assistant. Always answer as helpfully as possible, while being safe.  Your\nanswers should not include any harmful, unethical, racist, sexist, toxic, dangerous, or illegal content. Please ensure\nthat your responses are socially unbiased and positive in nature.\n\nIf a question does not make any sense, or is not factually coherent, explain why instead of answering something not\ncorrect. If you don't know the answer to a question, please don't share false information.";
    const body = await buildBody("meta.llama2-13b-chat-v1", {
      messages: [
        { role: "system", content: system },
        { role: "user", content: "There's a llama in my garden  What should I do?" },
      ],
      max_tokens: 128,
      temperature: 0.1,
      top_p: 0.9,
    });
    expect(body).toEqual(fixture.request);
    const completion = await parseFixture("meta.llama2-13b-chat-v1", fixture);
    expect(completion.choices[0]!.finish_reason).toBe("length");
    expect(completion.choices[0]!.message.content).toMatch(/^ {2}Oh my gosh, a llama in your garden\?/);
    expect(completion.usage).toMatchObject({ prompt_tokens: 158, completion_tokens: 128 });
  });

  it("chat-stream", async () => {
    const fixture = loadFixture("meta-llama2", "chat-stream");
    const body = await buildBody("meta.llama2-70b-chat-v1", {
      messages: [{ role: "user", content: "What is the capital of France?" }],
      max_tokens: 128,
      temperature: 0.5,
      top_p: 0.9,
    });
    expect(body).toEqual(fixture.request);
    const result = await streamFixture("meta.llama2-70b-chat-v1", fixture);
    expect(result).toMatchObject({
      text: " The capital of France is Paris.",
      finishReason: "stop",
      promptTokens: 15,
      completionTokens: 8,
    });
  });

  it("multi-turn: closes assistant answers with </s> and opens the next turn with <s>[INST]", async () => {
    const body = await buildBody("meta.llama2-13b-chat-v1", {
      messages: [
        { role: "user", content: "Hi" },
        { role: "assistant", content: "Hello!" },
        { role: "user", content: "Bye" },
      ],
    });
    expect(body.prompt).toBe("<s>[INST] Hi [/INST] Hello! </s><s>[INST] Bye [/INST]");
  });
});
