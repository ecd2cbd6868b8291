/**
 * Kimi K2 Thinking through the runtime, the real AWS SDK and the emulator: the recorded Converse tool call
 * (test/fixtures/moonshot-kimi, a copy of test/recordings/converse/pydantic-ai_test_bedrock_moonshotai_tool_call-1.json),
 * and the InvokeModel body of LiteLLM's Moonshot transformation (string content, no stop sequences).
 */
import { afterEach, describe, expect, it } from "vitest";
import { loadFixture, type Replay, replay } from "./fixture-replay.js";
import { buildBody } from "./invoke-fixture.js";

let server: Replay | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const temperatureTool = {
  type: "function" as const,
  function: {
    name: "get_temperature",
    description: "Get the current temperature in a city.",
    parameters: {
      additionalProperties: false,
      properties: { city: { type: "string" } },
      required: ["city"],
      type: "object",
    },
  },
};

describe("moonshot-kimi contract", () => {
  it("Converse: system, tools; reasoning then the tool call read back", async () => {
    const fixture = loadFixture("moonshot-kimi", "converse-tools");
    server = await replay(fixture);
    const result = await server.bedrock.chat.completions.create({
      model: "moonshot.kimi-k2-thinking",
      messages: [
        { role: "system", content: "You are a helpful chatbot. Use tools when helpful." },
        { role: "user", content: "What is the temperature in London? Use the tool." },
      ],
      tools: [temperatureTool],
      tool_choice: "auto",
    });
    const sent = server.received[0]! as Record<string, { tools?: unknown; toolChoice?: unknown }>;
    const recorded = fixture.request! as typeof sent;
    expect(sent.messages).toEqual(recorded.messages);
    expect(sent.system).toEqual(recorded.system);
    expect(sent.toolConfig!.tools).toEqual(recorded.toolConfig!.tools);
    // "auto" is Converse's default: it is not sent for a model without tool choice in the catalog.
    expect(sent.toolConfig!.toolChoice).toBeUndefined();
    expect(result.choices[0]).toMatchObject({
      message: {
        content: null,
        tool_calls: [
          {
            id: "functions.get_temperature:0",
            type: "function",
            function: { name: "get_temperature", arguments: '{"city":"London"}' },
          },
        ],
      },
      finish_reason: "tool_calls",
    });
    expect(result.choices[0]!.message.reasoning_content).toMatch(
      /^ The user is asking for the current temperature/,
    );
    expect(result.usage).toMatchObject({ prompt_tokens: 92, completion_tokens: 75 });
  });

  it("refuses stop sequences before any call, on both routes (Bedrock takes none for this model)", async () => {
    const fixture = loadFixture("moonshot-kimi", "converse-tools");
    server = await replay(fixture);
    for (const model of ["moonshot.kimi-k2-thinking", "bedrock/invoke/moonshot.kimi-k2-thinking"]) {
      await expect(
        server.bedrock.chat.completions.create({
          model: model as "moonshot.kimi-k2-thinking",
          messages: [{ role: "user", content: "Hi" }],
          stop: ["END"],
        }),
      ).rejects.toThrow(/stop/);
    }
    expect(server.received).toEqual([]);
  });

  it("InvokeModel: message content as strings, temperature within 0 to 1", async () => {
    const body = await buildBody("moonshot.kimi-k2-thinking", {
      messages: [
        { role: "system", content: [{ type: "text", text: "Be brief." }] },
        { role: "user", content: [{ type: "text", text: "Hi" }] },
      ],
      max_tokens: 100,
      temperature: 0.6,
    });
    expect(body).toEqual({
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: "Hi" },
      ],
      max_tokens: 100,
      temperature: 0.6,
    });
    await expect(
      buildBody("moonshot.kimi-k2-thinking", {
        messages: [{ role: "user", content: "Hi" }],
        temperature: 1.5,
      }),
    ).rejects.toThrow(/temperature/);
  });
});
