/**
 * Nemotron Nano 12B v2 VL through Converse (test/fixtures/nvidia-nemotron: a copy of the real exchange
 * test/recordings/converse/pydantic-ai_test_bedrock_native_output_nvidia.json).
 */
import { describe, expect, it } from "vitest";
import { replayConverse } from "./converse-families.js";
import { loadFixture } from "./fixture-replay.js";

describe("nvidia-nemotron contract", () => {
  it("Converse: the user turn and sampling sent; the text and token counts read back", async () => {
    const fixture = loadFixture("nvidia-nemotron", "converse");
    const question = "What is the capital of France? Give me the city name, country, and population.";
    const { result, sent } = await replayConverse(fixture, {
      model: "nvidia.nemotron-nano-12b-v2",
      request: { messages: [{ role: "user", content: question }], temperature: 0.2, top_p: 0.9 },
    });
    expect(sent.messages).toEqual((fixture.request as { messages: unknown }).messages);
    expect(sent.inferenceConfig).toEqual({ temperature: 0.2, topP: 0.9 });
    expect(result.choices[0]).toMatchObject({
      message: { content: '{\n  "city": "Paris",\n  "country": "France",\n  "population": 2148000\n}' },
      finish_reason: "stop",
    });
    expect(result.usage).toMatchObject({ prompt_tokens: 33, completion_tokens: 30, total_tokens: 63 });
  });
});
