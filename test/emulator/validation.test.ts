import {
  ConverseCommand,
  ConverseStreamCommand,
  CountTokensCommand,
  InvokeModelCommand,
  InvokeModelWithResponseStreamCommand,
} from "@aws-sdk/client-bedrock-runtime";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator } from "../../emulator/server.js";
import type { Emulator } from "../../emulator/types.js";
import { catalog } from "../../generated/index.js";
import type { CatalogEntry } from "../../runtime/descriptor.js";
import { json, modelPath, rawRequest, rejectionOf, sdkClient } from "./helpers.js";

const HAIKU = "anthropic.claude-3-haiku-20240307-v1:0";
const LLAMA = "meta.llama3-8b-instruct-v1:0";
const claude = (extra: Record<string, unknown>) =>
  JSON.stringify({
    anthropic_version: "bedrock-2023-05-31",
    max_tokens: 10,
    messages: [{ role: "user", content: "hi" }],
    ...extra,
  });

describe("request validation", () => {
  let emulator: Emulator;
  beforeAll(async () => {
    emulator = await startEmulator({
      mode: "synthesize",
      models: { "arn:aws:bedrock:us-east-1:123456789012:provisioned-model/abcdef123456": HAIKU },
    });
  });
  afterAll(() => emulator.close());

  async function invokeError(modelId: string, body: string) {
    const client = sdkClient(emulator, "http1");
    try {
      return await rejectionOf(
        client.send(new InvokeModelCommand({ modelId, body, contentType: "application/json" })),
      );
    } finally {
      client.destroy();
    }
  }

  // Claude 3 models answer with the failure of Claude's text-completion form first and no separators
  // (real: https://github.com/fumito-ito/AnthropicSwiftSDK/issues/19, https://github.com/diffbot/code-gpt-docs/issues/300).
  it.each([
    [
      "an extraneous key",
      claude({ foo: 1 }),
      'Malformed input request: #: subject must not be valid against schema {"required":["messages"]}#: extraneous key [foo] is not permitted, please reformat your input and try again.',
    ],
    [
      "a value above the maximum",
      claude({ temperature: 1.5 }),
      'Malformed input request: #: subject must not be valid against schema {"required":["messages"]}#/temperature: 1.5 is not less or equal to 1, please reformat your input and try again.',
    ],
    [
      "a value below the minimum",
      claude({ max_tokens: 0 }),
      'Malformed input request: #: subject must not be valid against schema {"required":["messages"]}#/max_tokens: 0 is not greater or equal to 1, please reformat your input and try again.',
    ],
    [
      "a wrong type",
      claude({ max_tokens: "ten" }),
      'Malformed input request: #: subject must not be valid against schema {"required":["messages"]}#/max_tokens: expected type: Integer, found: String, please reformat your input and try again.',
    ],
    [
      "a missing required key",
      JSON.stringify({
        anthropic_version: "bedrock-2023-05-31",
        messages: [{ role: "user", content: "hi" }],
      }),
      'Malformed input request: #: subject must not be valid against schema {"required":["messages"]}#: required key [max_tokens] not found, please reformat your input and try again.',
    ],
    [
      "an enum violation in a nested list",
      claude({ messages: [{ role: "robot", content: "hi" }] }),
      'Malformed input request: #: subject must not be valid against schema {"required":["messages"]}#/messages/0/role: robot is not a valid enum value, please reformat your input and try again.',
    ],
    [
      "an empty list",
      claude({ messages: [] }),
      'Malformed input request: #: subject must not be valid against schema {"required":["messages"]}#/messages: expected minimum item count: 1, found: 0, please reformat your input and try again.',
    ],
    [
      "several problems at once",
      JSON.stringify({
        anthropic_version: "bedrock-2023-05-31",
        stream: true,
        model: "x",
        messages: [{ role: "user", content: "hi" }],
      }),
      'Malformed input request: #: subject must not be valid against schema {"required":["messages"]}#: required key [max_tokens] not found#: extraneous key [stream] is not permitted#: extraneous key [model] is not permitted, please reformat your input and try again.',
    ],
  ])("InvokeModel body with %s", async (_case, body, message) => {
    const error = await invokeError(HAIKU, body);
    expect(error.name).toBe("ValidationException");
    expect(error.$metadata?.httpStatusCode).toBe(400);
    expect(error.message).toBe(message);
  });

  it("validates flat families too (their spec's schema)", async () => {
    const error = await invokeError(LLAMA, JSON.stringify({ prompt: "hi", max_gen_len: 99999, top_k: 3 }));
    expect(error.message).toBe(
      "Malformed input request: #: extraneous key [top_k] is not permitted, #/max_gen_len: 99999 is not less or equal to 2048, please reformat your input and try again.",
    );
  });

  it("Nova Canvas bodies: each task type takes its own params object and no other's", async () => {
    // Task shapes from https://docs.aws.amazon.com/nova/latest/userguide/image-gen-req-resp-structure.html
    const canvas = "amazon.nova-canvas-v1:0";
    const colors = { text: "cat", colors: ["#FFFFFF"] };
    const rejected = [
      [
        { taskType: "COLOR_GUIDED_GENERATION", colorGuidedGenerationParams: { text: "cat" } },
        /required key \[colors\]/,
      ],
      [
        {
          taskType: "COLOR_GUIDED_GENERATION",
          colorGuidedGenerationParams: { text: "cat", colors: ["white"] },
        },
        /does not match pattern/,
      ],
      [
        {
          taskType: "COLOR_GUIDED_GENERATION",
          colorGuidedGenerationParams: colors,
          textToImageParams: { text: "cat" },
        },
        /no subschema matched/,
      ],
      [{ taskType: "TEXT_IMAGE", colorGuidedGenerationParams: colors }, /no subschema matched/],
    ] as const;
    for (const [body, message] of rejected) {
      const error = await invokeError(canvas, JSON.stringify(body));
      expect(error.name, JSON.stringify(body)).toBe("ValidationException");
      expect(error.message).toMatch(message);
    }
    const client = sdkClient(emulator, "http1");
    try {
      const ok = await client.send(
        new InvokeModelCommand({
          modelId: canvas,
          body: JSON.stringify({
            taskType: "COLOR_GUIDED_GENERATION",
            colorGuidedGenerationParams: colors,
            imageGenerationConfig: { width: 512, height: 512, numberOfImages: 2 },
          }),
          contentType: "application/json",
        }),
      );
      expect(JSON.parse(new TextDecoder().decode(ok.body)).images).toHaveLength(2);
    } finally {
      client.destroy();
    }
  });

  it("unknown models get the recorded message, on every operation", async () => {
    const client = sdkClient(emulator, "h2");
    const messages = [{ role: "user" as const, content: [{ text: "hi" }] }];
    const errors = [
      await rejectionOf(
        client.send(
          new InvokeModelCommand({ modelId: "does-not-exist", body: "{}", contentType: "application/json" }),
        ),
      ),
      await rejectionOf(
        client.send(
          new InvokeModelWithResponseStreamCommand({
            modelId: "does-not-exist",
            body: "{}",
            contentType: "application/json",
          }),
        ),
      ),
      await rejectionOf(
        client.send(new ConverseCommand({ modelId: "us.does-not-exist-model-v1:0", messages })),
      ),
      await rejectionOf(
        client.send(new ConverseStreamCommand({ modelId: "eu.meta.llama3-8b-instruct-v1:0", messages })),
      ),
    ];
    for (const error of errors) {
      expect(error.name).toBe("ValidationException");
      expect(error.message).toBe("The provided model identifier is invalid.");
    }
    client.destroy();
  });

  // A Claude model the catalog marks profile-only (the catalog decides which ones are).
  const profileOnly = (Object.values(catalog) as CatalogEntry[]).find(
    (entry) =>
      entry.profileOnly && entry.family === "anthropic-claude-messages" && entry.routes.includes("invoke"),
  );

  it.runIf(profileOnly)("profile-only models need an inference profile, as Bedrock answers", async () => {
    const entry = profileOnly!;
    const error = await invokeError(entry.id, claude({}));
    expect(error.message).toBe(
      `Invocation of model ID ${entry.id} with on-demand throughput isn’t supported. Retry your request with the ID or ARN of an inference profile that contains this model.`,
    );
    const client = sdkClient(emulator, "http1");
    const ok = await client.send(
      new InvokeModelCommand({
        modelId: `${entry.profiles[0]}.${entry.id}`,
        body: claude({}),
        contentType: "application/json",
      }),
    );
    expect(ok.$metadata.httpStatusCode).toBe(200);
    client.destroy();
  });

  it("registered provisioned-model ARNs resolve to their base model", async () => {
    const client = sdkClient(emulator, "http1");
    const ok = await client.send(
      new InvokeModelCommand({
        modelId: "arn:aws:bedrock:us-east-1:123456789012:provisioned-model/abcdef123456",
        body: claude({}),
        contentType: "application/json",
      }),
    );
    expect(JSON.parse(new TextDecoder().decode(ok.body)).type).toBe("message");
    client.destroy();
  });

  it("operations a model does not support", async () => {
    const client = sdkClient(emulator, "http1");
    const messages = [{ role: "user" as const, content: [{ text: "hi" }] }];
    const converseOnEmbeddings = await rejectionOf(
      client.send(new ConverseCommand({ modelId: "amazon.titan-embed-text-v2:0", messages })),
    );
    expect(converseOnEmbeddings.message).toBe(
      "This action doesn't support the model that you provided. Try again with a supported text or chat model.",
    );
    const streamOnEmbeddings = await rejectionOf(
      client.send(
        new InvokeModelWithResponseStreamCommand({
          modelId: "amazon.titan-embed-text-v2:0",
          body: JSON.stringify({ inputText: "x" }),
          contentType: "application/json",
        }),
      ),
    );
    expect(streamOnEmbeddings.message).toBe("The model is unsupported for streaming.");
    const countOnProfile = await rejectionOf(
      client.send(new CountTokensCommand({ modelId: `us.${HAIKU}`, input: { converse: { messages } } })),
    );
    expect(countOnProfile.message).toBe("The provided model doesn't support counting tokens.");
    client.destroy();
  });

  it.each([
    [
      { messages: [{ role: "user", content: [{ text: "hi" }] }], inferenceConfig: { temperature: 1.5 } },
      "1 validation error detected: Value '1.5' at 'inferenceConfig.temperature' failed to satisfy constraint: Member must have value less than or equal to 1",
    ],
    [
      {
        messages: [{ role: "robot", content: [{ text: "hi" }] }, { role: "user" }],
        inferenceConfig: { maxTokens: 0 },
      },
      "3 validation errors detected: Value 'robot' at 'messages.1.member.role' failed to satisfy constraint: Member must satisfy enum value set: [user, assistant, system]; Value null at 'messages.2.member.content' failed to satisfy constraint: Member must not be null; Value '0' at 'inferenceConfig.maxTokens' failed to satisfy constraint: Member must have value greater than or equal to 1",
    ],
  ])("Converse bodies are checked against the service model: %j", async (body, message) => {
    const response = await rawRequest(emulator, modelPath(LLAMA, "converse"), { body: JSON.stringify(body) });
    expect(response.status).toBe(400);
    expect(response.headers["x-amzn-errortype"]).toMatch(/^ValidationException:/);
    expect(json(response).message).toBe(message);
  });

  it("Converse type errors are serialization errors; unknown members are named", async () => {
    const wrongType = await rawRequest(emulator, modelPath(LLAMA, "converse"), {
      body: JSON.stringify({
        messages: [{ role: "user", content: [{ text: "hi" }] }],
        inferenceConfig: { maxTokens: "many" },
      }),
    });
    expect(wrongType.status).toBe(400);
    expect(wrongType.headers["x-amzn-errortype"]).toMatch(/^SerializationException:/);
    expect(json(wrongType).message).toBe("STRING can not be converted to an Integer");
    const unknown = await rawRequest(emulator, modelPath(LLAMA, "converse"), {
      body: JSON.stringify({
        messages: [{ role: "user", content: [{ text: "hi" }] }],
        inferenceConfig: { max_tokens: 5 },
      }),
    });
    expect(unknown.status).toBe(400);
    expect(json(unknown).message).toMatch(/unknown member 'inferenceConfig\.max_tokens'/);
  });

  it("validation can be turned off", async () => {
    const lenient = await startEmulator({ mode: "synthesize", validate: false });
    try {
      const response = await rawRequest(lenient, modelPath(HAIKU, "invoke"), { body: claude({ foo: 1 }) });
      expect(response.status).toBe(200);
    } finally {
      await lenient.close();
    }
  });
});
