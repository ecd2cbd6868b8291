/**
 * Audio input for models that listen (Mistral Voxtral): OpenAI's `input_audio` content part becomes a
 * Converse `audio` block, through the real AWS SDK and the emulator; models that do not list audio among
 * their inputs refuse it before any call, and bad audio parts get errors naming the part.
 *
 * Wire facts and their sources:
 * - the part: `{type: "input_audio", input_audio: {data: <base64>, format}}`, OpenAI's
 *   ChatCompletionContentPartInputAudio (node_modules/openai/resources/chat/completions/completions.d.ts);
 * - the block: Converse's ContentBlock member `audio` = AudioBlock `{format, source: {bytes}}`, format one of
 *   the AudioFormat enum (test/reference/bedrock-runtime-service-model.json); the SDK sends the bytes as base64.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exampleCredentials, startEmulator } from "../../emulator/index.js";
import type { Emulator } from "../../emulator/types.js";
import { RequestValidationError } from "../../runtime/errors.js";
import { createBedrock } from "../../runtime/index.js";

const voxtral = "mistral.voxtral-mini-3b-2507";
/** Eight bytes standing in for a WAV file (the emulator does not decode audio). */
const audioBytes = Buffer.from("RIFF\u0000\u0001WAV", "latin1");
const audio = audioBytes.toString("base64");

let emulator: Emulator;
let bedrock: ReturnType<typeof createBedrock>;
beforeAll(async () => {
  emulator = await startEmulator({ mode: "synthesize" });
  bedrock = createBedrock({
    region: "us-east-1",
    endpoint: emulator.url,
    credentials: exampleCredentials,
    num_retries: 0,
  });
});
afterAll(() => emulator?.close());

const withAudio = (format: string, data = audio) => [
  {
    role: "user" as const,
    content: [
      { type: "text" as const, text: "Transcribe this recording." },
      { type: "input_audio" as const, input_audio: { data, format } },
    ],
  },
];

async function refusal(request: Record<string, unknown>): Promise<RequestValidationError> {
  const before = emulator.requests.length;
  const error = await bedrock.chat.completions.create(request as never).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(emulator.requests.length, "nothing is sent").toBe(before);
  expect(RequestValidationError.isInstance(error), String(error)).toBe(true);
  return error as RequestValidationError;
}

describe("audio input (input_audio parts)", () => {
  it("sends a Voxtral recording as a Converse audio block and reads the answer", async () => {
    const completion = await bedrock.chat.completions.create({
      model: voxtral,
      messages: withAudio("wav"),
      max_tokens: 64,
    });
    const sent = emulator.requests.at(-1)!;
    expect(sent.operation).toBe("converse");
    expect((sent.body as { messages: unknown[] }).messages).toEqual([
      {
        role: "user",
        content: [
          { text: "Transcribe this recording." },
          { audio: { format: "wav", source: { bytes: audio } } },
        ],
      },
    ]);
    expect(completion.choices[0]!.message.content).toContain("synthesized reply");
  });

  it.each(["mp3", "FLAC", "webm"])("takes the Converse audio format %s (lower-cased)", async (format) => {
    await bedrock.chat.completions.create({ model: voxtral, messages: withAudio(format), max_tokens: 8 });
    const body = emulator.requests.at(-1)!.body as {
      messages: { content: { audio?: { format: string } }[] }[];
    };
    expect(body.messages[0]!.content[1]!.audio!.format).toBe(format.toLowerCase());
  });

  it("is refused for a model that does not list audio among its inputs, naming the part", async () => {
    const error = await refusal({
      model: "mistral.mistral-large-3-675b-instruct",
      messages: withAudio("wav"),
    });
    expect(error.message).toBe(
      "messages[0].content[1]: mistral.mistral-large-3-675b-instruct does not take audio input (models that do list audio among their inputs)",
    );
    expect(error).toMatchObject({ param: "messages[0].content[1]" });
  });

  it.each([
    ["aiff", audio, 'messages[0].content[1].input_audio.format "aiff" is not an audio format Bedrock takes'],
    ["wav", "", "messages[0].content[1]: the audio data is empty"],
  ])("refuses format %s with data %j before any call", async (format, data, message) => {
    const error = await refusal({ model: voxtral, messages: withAudio(format, data) });
    expect(error.message.startsWith(message), error.message).toBe(true);
  });

  it("refuses audio in a tool result (Converse tool results carry no audio)", async () => {
    const error = await refusal({
      model: "mistral.voxtral-small-24b-2507",
      messages: [
        { role: "user", content: "Play it." },
        {
          role: "assistant",
          content: null,
          tool_calls: [{ id: "t1", type: "function", function: { name: "record", arguments: "{}" } }],
        },
        { role: "tool", tool_call_id: "t1", content: withAudio("wav")[0]!.content },
      ],
      tools: [{ type: "function", function: { name: "record", parameters: { type: "object" } } }],
    });
    expect(error.message).toBe("messages[2]: a tool result carries text, images and documents, not audio");
  });
});
