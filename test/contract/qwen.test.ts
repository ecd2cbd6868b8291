/**
 * Qwen3 through the runtime, the real AWS SDK and the emulator: the recorded Converse exchange with reasoning
 * switched on (test/fixtures/qwen, a copy of test/recordings/converse/pydantic-ai_test_bedrock_thinking_true_qwen_variant.json),
 * and the OpenAI chat body public code sends on InvokeModel.
 */
import { afterEach, describe, expect, it } from "vitest";
import { loadFixture, type Replay, replay } from "./fixture-replay.js";
import { buildBody } from "./invoke-fixture.js";

let server: Replay | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe("qwen contract", () => {
  it("Converse: reasoning_effort high is reasoning_config high; reasoning and text read back", async () => {
    const fixture = loadFixture("qwen", "converse-reasoning");
    server = await replay(fixture);
    const result = await server.bedrock.chat.completions.create({
      model: "qwen.qwen3-32b-v1:0",
      messages: [{ role: "user", content: "Reply with the single word: ok" }],
      reasoning_effort: "high",
    });
    const sent = server.received[0]!;
    expect(server.emulator.requests.at(-1)?.operation).toBe("converse");
    expect(sent.messages).toEqual(fixture.request!.messages);
    expect(sent.additionalModelRequestFields).toEqual({ reasoning_config: "high" });
    expect(result.choices[0]).toMatchObject({
      message: { role: "assistant", content: "\n\nok" },
      finish_reason: "stop",
    });
    expect(result.choices[0]!.message.reasoning_content).toMatch(/^\nOkay, the user wants me to reply/);
    expect(result.usage).toMatchObject({ prompt_tokens: 15, completion_tokens: 86, total_tokens: 101 });
  });

  it("Converse: other reasoning levels are refused before any call (only high was seen on Bedrock)", async () => {
    const fixture = loadFixture("qwen", "converse-reasoning");
    server = await replay(fixture);
    await expect(
      server.bedrock.chat.completions.create({
        model: "qwen.qwen3-32b-v1:0",
        messages: [{ role: "user", content: "Hi" }],
        reasoning_effort: "low",
      }),
    ).rejects.toThrow(/reasoning_effort/);
    expect(server.received).toEqual([]);
  });

  it("InvokeModel: the OpenAI chat body with string content, as public code sends it", async () => {
    // github.com/Legus-Yeung/rag-with-aws-bedrock-and-pinecone aws-chat.py (qwen.qwen3-coder-30b-a3b-v1:0).
    const body = await buildBody("qwen.qwen3-coder-30b-a3b-v1:0", {
      messages: [{ role: "user", content: "What are Legus's favorite foods and cuisines?" }],
      max_tokens: 512,
    });
    expect(body).toEqual({
      messages: [{ role: "user", content: "What are Legus's favorite foods and cuisines?" }],
      max_tokens: 512,
    });
  });
});
