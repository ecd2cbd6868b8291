import { describe, expect, it } from "vitest";
import { buildBody, loadFixture, parseFixture, streamFixture } from "./invoke-fixture.js";

describe("meta-llama4 fixtures", () => {
  it("chat (us. profile)", async () => {
    const fixture = loadFixture("meta-llama4", "chat");
    const body = await buildBody("us.meta.llama4-maverick-17b-instruct-v1:0", {
      messages: [
        { role: "system", content: "Answer in one sentence." },
        { role: "user", content: "What is Amazon Bedrock?" },
      ],
      max_tokens: 256,
      temperature: 0.5,
      top_p: 0.9,
    });
    expect(body).toEqual(fixture.request);
    const completion = await parseFixture("us.meta.llama4-maverick-17b-instruct-v1:0", fixture);
    expect(completion.choices[0]).toMatchObject({
      message: {
        content:
          "Amazon Bedrock is a managed AWS service that offers foundation models through a single API.",
      },
      finish_reason: "stop",
    });
    expect(completion.usage).toMatchObject({ prompt_tokens: 31, completion_tokens: 21 });
  });

  it("chat-stream", async () => {
    const fixture = loadFixture("meta-llama4", "chat-stream");
    const body = await buildBody("us.meta.llama4-scout-17b-instruct-v1:0", {
      messages: [{ role: "user", content: "Count to three." }],
      max_tokens: 5,
    });
    expect(body).toEqual(fixture.request);
    const result = await streamFixture("us.meta.llama4-scout-17b-instruct-v1:0", fixture);
    expect(result).toMatchObject({
      text: "1, 2, 3.",
      finishReason: "length",
      promptTokens: 14,
      completionTokens: 5,
    });
  });
});
