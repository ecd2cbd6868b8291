/**
 * A proxy deployment on the mantle route (`model: bedrock/mantle/openai.gpt-5.5`) needs no code of the proxy's
 * own: the official OpenAI client gets a chat completion and an SSE stream that the runtime fetched from
 * bedrock-mantle (here the emulator's `/openai/v1/chat/completions`, which the proxy's `aws_bedrock_runtime_endpoint`
 * also serves), with usage and cost from the catalog's price (GPT 5.5: 5.50 / 33.00 USD per million tokens).
 */
import type OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, paramsFor, startHarness } from "./helpers.js";

describe("proxy deployment on the mantle route", () => {
  let harness: Harness;
  let client: OpenAI;

  beforeAll(async () => {
    harness = await startHarness((emulator) => ({
      model_list: [{ model_name: "gpt", litellm_params: paramsFor(emulator, "mantle/openai.gpt-5.5") }],
    }));
    client = harness.client();
  });

  afterAll(async () => {
    await harness?.close();
  });

  it("answers a chat completion through bedrock-mantle, with its cost", async () => {
    const data = await client.chat.completions.create({
      model: "gpt",
      messages: [{ role: "user", content: "Hello through mantle" }],
    });
    expect(data.choices[0]!.message.content).toBe('This is a synthesized reply to "Hello through mantle".');
    const sent = harness.emulator.requests.at(-1)!;
    expect(sent.path).toBe("/openai/v1/chat/completions");
    expect(sent.body).toEqual({
      model: "openai.gpt-5.5",
      messages: [{ role: "user", content: "Hello through mantle" }],
    });
    const usage = data.usage as unknown as { prompt_tokens: number; completion_tokens: number; cost: number };
    expect(usage.cost).toBeCloseTo((usage.prompt_tokens * 5.5 + usage.completion_tokens * 33) / 1e6, 12);
  });

  it("streams it as SSE", async () => {
    const stream = await client.chat.completions.create({
      model: "gpt",
      messages: [{ role: "user", content: "Stream through mantle" }],
      stream: true,
    });
    let text = "";
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? "";
    expect(text).toBe('This is a synthesized reply to "Stream through mantle".');
    expect(harness.emulator.requests.at(-1)!.path).toBe("/openai/v1/chat/completions");
  });
});
