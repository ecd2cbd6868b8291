/**
 * MiniMax M2 through Converse (test/fixtures/minimax: a copy of the real exchange
 * test/recordings/converse/pydantic-ai_test_bedrock_native_output_minimax.json): the model reasons unasked.
 */
import { describe, expect, it } from "vitest";
import { replayConverse } from "./converse-families.js";
import { loadFixture } from "./fixture-replay.js";

describe("minimax contract", () => {
  it("Converse: the user turn sent; reasoning and text (its leading blank lines kept) read back", async () => {
    const fixture = loadFixture("minimax", "converse-reasoning");
    const question = "What is the capital of France? Give me the city name, country, and population.";
    const { result, sent, operation } = await replayConverse(fixture, {
      model: "minimax.minimax-m2",
      request: { messages: [{ role: "user", content: question }], max_tokens: 512 },
    });
    expect(operation).toBe("converse");
    expect(sent.messages).toEqual((fixture.request as { messages: unknown }).messages);
    expect(sent.inferenceConfig).toEqual({ maxTokens: 512 });
    expect(result.choices[0]!.message.content).toBe(
      '{\n\n\n  "city": "Paris",\n  "country": "France",\n  "population": 2110000\n}',
    );
    expect(result.choices[0]!.message.reasoning_content).toMatch(/^I need to answer the user's question/);
    expect(result.choices[0]!.finish_reason).toBe("stop");
    expect(result.usage).toMatchObject({ prompt_tokens: 40, completion_tokens: 302 });
  });

  it("is not callable on InvokeModel (no body for MiniMax is documented or recorded)", async () => {
    const fixture = loadFixture("minimax", "converse-reasoning");
    await expect(
      replayConverse(fixture, {
        model: "bedrock/invoke/minimax.minimax-m2.5",
        request: { messages: [{ role: "user", content: "Hi" }] },
      }),
    ).rejects.toThrow("minimax.minimax-m2.5 does not support the invoke route (it supports: converse)");
  });
});
