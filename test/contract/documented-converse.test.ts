/**
 * Families with no recorded exchange, called through Converse only: Z.ai GLM, Google Gemma 3, xAI Grok and
 * DeepSeek V3.2. Each fixture has the Converse API's documented shapes
 * (https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_Converse.html) with illustrative text:
 * the runtime must send the catalog's params in Converse's places and read the documented answer back.
 */
import { describe, expect, it } from "vitest";
import { replayConverse } from "./converse-families.js";
import { loadFixture } from "./fixture-replay.js";

const cases = [
  ["zai-glm", "zai.glm-4.7", "Jupiter is the largest planet in the Solar System.", [12, 11]],
  ["google-gemma", "google.gemma-3-12b-it", "Jupiter.", [13, 3]],
  ["xai-grok", "us.xai.grok-4.7", "Jupiter is the largest planet.", [14, 7]],
  ["deepseek-v3", "deepseek.v3.2", "The largest planet is Jupiter.", [11, 7]],
] as const;

describe("Converse-only families without recordings", () => {
  it.each(cases)(
    "%s (%s): sends the documented body, reads the documented answer",
    async (family, model, text, usage) => {
      const fixture = loadFixture(family, "converse");
      const { result, sent, operation, modelId } = await replayConverse(fixture, {
        model,
        request: {
          messages: [{ role: "user", content: "Name the largest planet." }],
          max_tokens: 256,
          temperature: 0.5,
        },
      });
      expect(operation).toBe("converse");
      expect(modelId).toBe(model);
      expect(sent.messages).toEqual((fixture.request as { messages: unknown }).messages);
      expect(sent.inferenceConfig).toEqual({ maxTokens: 256, temperature: 0.5 });
      expect(result.choices[0]).toMatchObject({ message: { content: text }, finish_reason: "stop" });
      expect(result.usage).toMatchObject({ prompt_tokens: usage[0], completion_tokens: usage[1] });
    },
  );

  it("xai.grok-4.7 by its bare id is sent through the region's us. profile (Bedrock serves it through profiles only)", async () => {
    const fixture = loadFixture("xai-grok", "converse");
    const { modelId } = await replayConverse(fixture, {
      model: "xai.grok-4.7",
      request: { messages: [{ role: "user", content: "Name the largest planet." }] },
    });
    expect(modelId).toBe("us.xai.grok-4.7");
  });

  it("zai.glm-5.3 has no price yet: the result reports no cost rather than a wrong one", async () => {
    const fixture = loadFixture("zai-glm", "converse");
    const { result } = await replayConverse(fixture, {
      model: "us.zai.glm-5.3",
      request: { messages: [{ role: "user", content: "Name the largest planet." }] },
    });
    expect(result.usage.cost).toBeNull();
  });
});
