/**
 * TwelveLabs Pegasus 1.2 through the runtime, the real AWS SDK and the emulator (test/fixtures/twelvelabs-pegasus,
 * built from the documented request and response fields of
 * https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-pegasus.html): the prompt in inputPrompt,
 * the video as the mediaSource param (as LiteLLM's Pegasus transformation takes it), token counts from the
 * X-Amzn-Bedrock-*-Token-Count headers.
 */
import { afterEach, describe, expect, it } from "vitest";
import { RequestValidationError } from "../../runtime/errors.js";
import { collectStream, loadFixture, type Replay, replay } from "./fixture-replay.js";

let server: Replay | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const video = {
  s3Location: { uri: "s3://amzn-s3-demo-bucket/videos/walk.mp4", bucketOwner: "111122223333" },
};

describe("twelvelabs-pegasus contract", () => {
  it("chat: inputPrompt, mediaSource, temperature and maxOutputTokens; message and finishReason back", async () => {
    const fixture = loadFixture("twelvelabs-pegasus", "chat");
    server = await replay(fixture);
    const result = await server.bedrock.chat.completions.create({
      model: "twelvelabs.pegasus-1-2-v1:0",
      messages: [{ role: "user", content: "Describe what happens in this video." }],
      mediaSource: video,
      temperature: 0.2,
      max_tokens: 512,
    });
    expect(server.received[0]).toEqual(fixture.request);
    expect(result.choices[0]).toMatchObject({
      message: {
        role: "assistant",
        content: "A person walks a dog along a beach at sunset; the dog chases a ball into the waves.",
      },
      finish_reason: "stop",
    });
    expect(result.usage).toMatchObject({ prompt_tokens: 1840, completion_tokens: 23 });
    // Pegasus is priced per second of video, which the catalog cannot express: no cost rather than a wrong one.
    expect(result.usage.cost).toBeNull();
  });

  it("stream: message deltas, the finish reason and the invocation metrics", async () => {
    const fixture = loadFixture("twelvelabs-pegasus", "chat-stream");
    server = await replay(fixture);
    const stream = await server.bedrock.chat.completions.create({
      model: "us.twelvelabs.pegasus-1-2-v1:0",
      messages: [{ role: "user", content: "Describe what happens in this video." }],
      mediaSource: { base64String: "AAAAGGZ0eXBtcDQy" },
      stream: true,
      stream_options: { include_usage: true },
    });
    const collected = await collectStream(stream);
    expect(server.received[0]).toEqual(fixture.request);
    expect(collected).toMatchObject({
      text: "A person walks a dog along a beach.",
      finishReason: "stop",
      usage: { prompt_tokens: 1840, completion_tokens: 9 },
    });
  });

  it("refuses a call without a video before anything is sent, naming the param and the model", async () => {
    const fixture = loadFixture("twelvelabs-pegasus", "chat");
    server = await replay(fixture);
    const error = await server.bedrock.chat.completions
      // @ts-expect-error the types require mediaSource too: this is the check for callers without them
      .create({
        model: "twelvelabs.pegasus-1-2-v1:0",
        messages: [{ role: "user", content: "Describe what happens in this video." }],
      })
      .then(
        () => undefined,
        (caught: unknown) => caught,
      );
    expect(RequestValidationError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({
      param: "mediaSource",
      model: "twelvelabs.pegasus-1-2-v1:0",
      message:
        "mediaSource is required by twelvelabs.pegasus-1-2-v1:0: Pegasus analyses a video; give it as mediaSource ({base64String} or {s3Location})",
    });
    expect(server.received).toEqual([]);
  });

  it.each([
    ["response_format", { type: "json_object" }, /responseFormat/],
    ["top_p", 0.5, /temperature only/],
    ["max_tokens", 4097, /max_tokens/],
  ])("refuses %s before any call", async (name, value, message) => {
    const fixture = loadFixture("twelvelabs-pegasus", "chat");
    server = await replay(fixture);
    await expect(
      server.bedrock.chat.completions.create({
        model: "twelvelabs.pegasus-1-2-v1:0",
        messages: [{ role: "user", content: "Describe it." }],
        mediaSource: video,
        [name]: value,
      } as never),
    ).rejects.toThrow(message);
    expect(server.received).toEqual([]);
  });

  it("takes structured output as responseFormat {jsonSchema}", async () => {
    const fixture = loadFixture("twelvelabs-pegasus", "chat");
    server = await replay(fixture);
    const jsonSchema = { type: "object", properties: { summary: { type: "string" } } };
    await server.bedrock.chat.completions.create({
      model: "twelvelabs.pegasus-1-2-v1:0",
      messages: [{ role: "user", content: "Summarize." }],
      mediaSource: video,
      responseFormat: { jsonSchema },
    });
    expect(server.received[0]).toEqual({
      inputPrompt: "Summarize.",
      mediaSource: video,
      responseFormat: { jsonSchema },
    });
  });
});
