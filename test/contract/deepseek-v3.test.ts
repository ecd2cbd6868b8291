/**
 * DeepSeek-V3.1 on InvokeModel: the OpenAI chat body public code sends for deepseek.v3-v1:0 (messages, max_tokens,
 * temperature, top_p; answers read as choices[0].message.content), and the reasoning read from
 * `reasoning_content` as DeepSeek's API carries it (https://api-docs.deepseek.com/guides/reasoning_model;
 * unverified on Bedrock). V3.2's Converse exchange is in documented-converse.test.ts.
 */
import { afterEach, describe, expect, it } from "vitest";
import { loadFixture, type Replay, replay } from "./fixture-replay.js";
import { buildBody } from "./invoke-fixture.js";

let server: Replay | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe("deepseek-v3 contract", () => {
  it("InvokeModel: the public code's body", async () => {
    const body = await buildBody("deepseek.v3-v1:0", {
      messages: [{ role: "user", content: "Summarize the following document." }],
      max_tokens: 800,
      temperature: 0.1,
      top_p: 0.9,
    });
    expect(body).toEqual({
      messages: [{ role: "user", content: "Summarize the following document." }],
      max_tokens: 800,
      temperature: 0.1,
      top_p: 0.9,
    });
  });

  it("InvokeModel through the emulator: reasoning_content and content read apart", async () => {
    // The answer is DeepSeek's documented chat completion shape; the emulator answers with it for the
    // runtime's request, which it checks against the family's native request schema.
    const fixture = loadFixture("deepseek-v3", "converse");
    server = await replay(fixture, {
      respond: (body) => ({
        id: "c1",
        object: "chat.completion",
        choices: [
          {
            index: 0,
            message: { role: "assistant", content: "4", reasoning_content: "2 + 2 = 4." },
            finish_reason: "stop",
          },
        ],
        usage: { prompt_tokens: (body.messages as unknown[]).length * 10, completion_tokens: 9 },
      }),
    });
    const result = await server.bedrock.chat.completions.create({
      model: "bedrock/invoke/deepseek.v3-v1:0",
      messages: [{ role: "user", content: "2 + 2?" }],
    });
    expect(server.emulator.requests.at(-1)?.operation).toBe("invoke");
    expect(result.choices[0]).toMatchObject({
      message: { content: "4", reasoning_content: "2 + 2 = 4." },
      finish_reason: "stop",
    });
    expect(result.usage).toMatchObject({ prompt_tokens: 10, completion_tokens: 9 });
  });
});
