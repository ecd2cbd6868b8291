/**
 * Writer Palmyra: the recorded Converse exchange of Palmyra X4 through the us. profile (test/fixtures/writer-palmyra,
 * a copy of test/recordings/converse/pydantic-ai_test_bedrock_writer_tool_result_followed_by_text_accepted.json),
 * and AWS's documented InvokeModel body, whose message content is an object `{"text": ...}`
 * (https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-palmyra-x5.html, request body field and
 * parameters table).
 */
import { describe, expect, it } from "vitest";
import { replayConverse } from "./converse-families.js";
import { loadFixture } from "./fixture-replay.js";
import { buildBody } from "./invoke-fixture.js";

describe("writer-palmyra contract", () => {
  it("Converse: a tool result then text, sent as recorded; the answer read back", async () => {
    const fixture = loadFixture("writer-palmyra", "converse-tool-result");
    const { result, sent, modelId } = await replayConverse(fixture, {
      model: "writer.palmyra-x4-v1:0",
      request: {
        messages: [
          { role: "user", content: "show me my expenses" },
          {
            role: "assistant",
            content: null,
            tool_calls: [{ id: "t1", type: "function", function: { name: "get_expenses", arguments: "{}" } }],
          },
          { role: "tool", tool_call_id: "t1", content: "ok" },
          { role: "assistant", content: "." },
          { role: "user", content: "Thanks. Now just say the word DONE." },
        ],
        tools: [
          {
            type: "function",
            function: {
              name: "get_expenses",
              parameters: { additionalProperties: false, properties: {}, type: "object" },
            },
          },
        ],
      },
    });
    const recorded = fixture.request as { messages: unknown; toolConfig: { tools: unknown } };
    // Palmyra X4 is served through profiles only: the bare id goes out as the region's us. profile.
    expect(modelId).toBe("us.writer.palmyra-x4-v1:0");
    expect(sent.messages).toEqual(recorded.messages);
    expect((sent.toolConfig as { tools: unknown }).tools).toEqual(recorded.toolConfig.tools);
    expect(result.choices[0]).toMatchObject({ message: { content: "DONE" }, finish_reason: "stop" });
    expect(result.usage).toMatchObject({ prompt_tokens: 88, completion_tokens: 1 });
  });

  it("InvokeModel: AWS's documented body, content as {text}", async () => {
    const body = await buildBody("us.writer.palmyra-x5-v1:0", {
      messages: [{ role: "user", content: "Explain quantum computing in simple terms" }],
    });
    expect(body).toEqual({
      messages: [{ role: "user", content: { text: "Explain quantum computing in simple terms" } }],
    });
  });

  it("InvokeModel: the documented params in place and range; min_tokens passed through; tools refused", async () => {
    const body = await buildBody("us.writer.palmyra-x4-v1:0", {
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: "Hi" },
      ],
      max_tokens: 8192,
      temperature: 2,
      top_p: 0.5,
      stop: "END",
      seed: 7,
      presence_penalty: -2,
      frequency_penalty: 2,
      min_tokens: 4,
    });
    expect(body).toEqual({
      messages: [
        { role: "system", content: { text: "Be brief." } },
        { role: "user", content: { text: "Hi" } },
      ],
      max_tokens: 8192,
      temperature: 2,
      top_p: 0.5,
      stop: ["END"],
      seed: 7,
      presence_penalty: -2,
      frequency_penalty: 2,
      min_tokens: 4,
    });
    await expect(
      buildBody("us.writer.palmyra-x4-v1:0", {
        messages: [{ role: "user", content: "Hi" }],
        max_tokens: 8193,
      }),
    ).rejects.toThrow(/max_tokens/);
    await expect(
      buildBody("us.writer.palmyra-x4-v1:0", {
        messages: [{ role: "user", content: "Hi" }],
        tools: [{ type: "function", function: { name: "f", parameters: { type: "object" } } }],
      }),
    ).rejects.toThrow(/converse route carries them/);
  });
});
