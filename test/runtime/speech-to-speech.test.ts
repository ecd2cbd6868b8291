/**
 * Speech-to-speech models (Amazon Nova Sonic, Nova 2 Sonic, Nova 2.5 Sonic) are in the catalog with their
 * operation, but Bedrock serves them only over InvokeModelWithBidirectionalStream, which bedrock-forge does not
 * speak: every call is refused before any request, with an error that says so. The emulator refuses the other
 * APIs for them and names the bidirectional stream it does not emulate.
 *
 * Sources: https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_InvokeModelWithBidirectionalStream.html
 * (POST /model/{modelId}/invoke-with-bidirectional-stream, in test/reference/bedrock-runtime-service-model.json);
 * Nova Sonic and Nova 2 Sonic support the Invoke API family but not Converse
 * (https://docs.aws.amazon.com/bedrock/latest/userguide/models-api-compatibility.html); Converse's refusal message
 * is the recorded one the emulator already sends for models without Converse.
 */
import { BedrockRuntimeClient, ConverseCommand, InvokeModelCommand } from "@aws-sdk/client-bedrock-runtime";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exampleCredentials, startEmulator } from "../../emulator/index.js";
import type { Emulator } from "../../emulator/types.js";
import { catalog } from "../../generated/catalog.js";
import { ModelNotSupportedError } from "../../runtime/errors.js";
import { createBedrock } from "../../runtime/index.js";
import { ModelRetiredError } from "../../runtime/lifecycle.js";
import { rawRequest } from "../emulator/helpers.js";

const sonic2 = "amazon.nova-2-sonic-v1:0";
const sonic25 = "amazon.nova-2-5-sonic";
const refusal = (id: string) =>
  `${id} is a speech-to-speech model that Bedrock serves only over InvokeModelWithBidirectionalStream, which bedrock-forge does not speak yet; nothing was sent`;

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

describe("speech-to-speech models in the catalog", () => {
  it.each([
    [sonic2, ["speech"]],
    [sonic25, ["speech", "text"]],
  ])("%s is listed with its operation, route, inputs and outputs", (id, inputs) => {
    expect(catalog[id as keyof typeof catalog]).toMatchObject({
      family: "amazon-nova-sonic",
      operations: ["speech-to-speech"],
      routes: ["bidirectional-stream"],
      inputModalities: inputs,
      outputModalities: ["speech", "text"],
    });
  });
});

describe("calls to a speech-to-speech model", () => {
  const messages = [{ role: "user" as const, content: "Hello" }];
  const calls: readonly [string, (model: string) => Promise<unknown>][] = [
    ["chat", (model) => bedrock.chat.completions.create({ model, messages } as never)],
    [
      "chat stream",
      async (model) => {
        const stream = await bedrock.chat.completions.create({ model, messages, stream: true } as never);
        for await (const _chunk of stream as unknown as AsyncIterable<unknown>) {
          // consumed only to surface an error
        }
      },
    ],
    ["responses", (model) => bedrock.responses.create({ model, input: "Hello" } as never)],
    ["messages", (model) => bedrock.messages.create({ model, messages, max_tokens: 16 } as never)],
    ["embeddings", (model) => bedrock.embeddings.create({ model, input: "Hello" } as never)],
    ["images", (model) => bedrock.images.generate({ model, prompt: "a lighthouse" } as never)],
    ["rerank", (model) => bedrock.rerank.create({ model, query: "q", documents: ["d"] } as never)],
  ];

  it.each(calls)("%s: refused before any request, saying the stream is not spoken", async (_name, call) => {
    for (const model of [sonic2, sonic25]) {
      const before = emulator.requests.length;
      const error = await call(model).then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(ModelNotSupportedError.isInstance(error), String(error)).toBe(true);
      expect((error as Error).message).toBe(refusal(model));
      expect(emulator.requests.length).toBe(before);
    }
  });

  it("Nova Sonic (v1) is past its end of life: the lifecycle refusal names its successor first", async () => {
    const error = await bedrock.chat.completions
      .create({ model: "amazon.nova-sonic-v1:0", messages, allowRetired: false } as never)
      .then(
        () => undefined,
        (caught: unknown) => caught,
      );
    expect(ModelRetiredError.isInstance(error), String(error)).toBe(true);
    expect((error as Error).message).toContain(sonic2);
  });
});

describe("the emulator and a speech-to-speech model", () => {
  const client = () =>
    new BedrockRuntimeClient({
      region: "us-east-1",
      endpoint: emulator.url,
      credentials: exampleCredentials,
      maxAttempts: 1,
    });

  it("refuses InvokeModel, naming the bidirectional stream", async () => {
    const error = await client()
      .send(
        new InvokeModelCommand({
          modelId: sonic2,
          contentType: "application/json",
          body: JSON.stringify({}),
        }),
      )
      .then(
        () => undefined,
        (caught: unknown) => caught,
      );
    expect(error).toMatchObject({
      name: "ValidationException",
      message: `bedrock-forge emulator: ${sonic2} is served over InvokeModelWithBidirectionalStream only (speech-to-speech), not InvokeModel`,
    });
  });

  it("refuses Converse as Bedrock refuses models without it", async () => {
    const error = await client()
      .send(
        new ConverseCommand({ modelId: sonic25, messages: [{ role: "user", content: [{ text: "Hi" }] }] }),
      )
      .then(
        () => undefined,
        (caught: unknown) => caught,
      );
    expect(error).toMatchObject({
      name: "ValidationException",
      message:
        "This action doesn't support the model that you provided. Try again with a supported text or chat model.",
    });
  });

  it("answers the bidirectional stream's path with an error that says it is not emulated", async () => {
    const path = `/model/${encodeURIComponent(sonic2)}/invoke-with-bidirectional-stream`;
    const response = await rawRequest(emulator, path, { body: "" });
    expect(response.status).toBe(404);
    expect(response.headers["x-amzn-errortype"]).toMatch(/^UnknownOperationException:/);
    expect(JSON.parse(response.body.toString("utf8")).message).toBe(
      `bedrock-forge emulator: InvokeModelWithBidirectionalStream (POST ${path}) is not emulated: bedrock-forge does not speak the bidirectional stream of speech-to-speech models yet`,
    );
  });
});
