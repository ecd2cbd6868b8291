import { describe, expect, it } from "vitest";
import { buildBody, loadFixture, parseFixture, streamFixture } from "./invoke-fixture.js";

describe("deepseek-r1 fixtures", () => {
  it("chat: the DeepSeek template ending in <think>, text from choices[0]", async () => {
    const fixture = loadFixture("deepseek-r1", "chat");
    const body = await buildBody("us.deepseek.r1-v1:0", {
      messages: [{ role: "user", content: "Describe the purpose of a 'hello world' program in one line." }],
      max_tokens: 512,
      temperature: 0.5,
      top_p: 0.9,
    });
    expect(body).toEqual(fixture.request);
    const completion = await parseFixture("us.deepseek.r1-v1:0", fixture);
    expect(completion.choices[0]).toMatchObject({
      message: {
        content:
          "The user wants a one-line description of a hello world program.\n</think>\n\nA 'hello world' program demonstrates the minimal code needed to print output in a language.",
      },
      finish_reason: "stop",
    });
    expect(completion.usage).toMatchObject({ prompt_tokens: 20, completion_tokens: 48 });
  });

  it("chat-stream", async () => {
    const fixture = loadFixture("deepseek-r1", "chat-stream");
    const body = await buildBody("us.deepseek.r1-v1:0", {
      messages: [{ role: "user", content: "What is the capital of France?" }],
      max_tokens: 100,
    });
    expect(body).toEqual(fixture.request);
    const result = await streamFixture("us.deepseek.r1-v1:0", fixture);
    expect(result).toMatchObject({
      text: "Short answer.\n</think>\n\nParis.",
      finishReason: "stop",
      promptTokens: 12,
      completionTokens: 11,
    });
  });

  it("puts system text first and closes earlier answers with the end-of-sentence token", async () => {
    const body = await buildBody("us.deepseek.r1-v1:0", {
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: "1+1?" },
        { role: "assistant", content: "2" },
        { role: "user", content: "2+2?" },
      ],
    });
    expect(body.prompt).toBe(
      "<｜begin▁of▁sentence｜>Be brief.<｜User｜>1+1?<｜Assistant｜>2<｜end▁of▁sentence｜><｜User｜>2+2?<｜Assistant｜><think>\n",
    );
  });
});
