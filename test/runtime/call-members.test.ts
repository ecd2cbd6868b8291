/**
 * guardrailConfig and requestMetadata: checked before any call against the Bedrock Runtime service model
 * (/work/shared/reference/bedrock-runtime-service-model.json: GuardrailConfiguration, GuardrailTrace,
 * GuardrailVersion; RequestMetadata max 16, RequestMetadataKeyString 1-256 and RequestMetadataValueString
 * 0-256 of [a-zA-Z0-9\s:_@$#=/+,-.]), and sent where Bedrock takes them: Converse's top-level member,
 * InvokeModel's X-Amzn-Bedrock-Request-Metadata header (InvokeModelRequest.requestMetadata, a JSON string).
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Emulator, startEmulator } from "../../emulator/index.js";
import { checkGuardrailConfig, readRequestMetadata } from "../../runtime/call-members.js";
import { type Bedrock, createBedrock, RequestValidationError } from "../../runtime/index.js";
import { credentials, lastBody } from "./live.js";

describe("checkGuardrailConfig", () => {
  it.each([
    ["a string", "gr-id", /must be an object/],
    ["a list", [{ guardrailIdentifier: "gr" }], /must be an object/],
    ["no identifier", { guardrailVersion: "1" }, /needs guardrailIdentifier/],
    [
      "a list identifier",
      { guardrailIdentifier: ["gr-id"], guardrailVersion: "1" },
      /needs guardrailIdentifier/,
    ],
    ["no version", { guardrailIdentifier: "gr" }, /needs guardrailVersion/],
    ["a numeric version", { guardrailIdentifier: "gr", guardrailVersion: 1 }, /needs guardrailVersion/],
    ["version 0", { guardrailIdentifier: "gr", guardrailVersion: "0" }, /needs guardrailVersion/],
    [
      "trace verbose",
      { guardrailIdentifier: "gr", guardrailVersion: "1", trace: "verbose" },
      /trace must be/,
    ],
    [
      "trace in capitals",
      { guardrailIdentifier: "gr", guardrailVersion: "1", trace: "ENABLED" },
      /trace must be/,
    ],
    [
      "a bad stream mode",
      { guardrailIdentifier: "gr", guardrailVersion: "1", streamProcessingMode: "batch" },
      /streamProcessingMode/,
    ],
    [
      "an unknown key",
      { guardrailIdentifier: "gr", guardrailVersion: "1", guardrailId: "x" },
      /unknown keys: guardrailId/,
    ],
  ])("refuses %s, naming guardrailConfig", (_what, value, message) => {
    let error: unknown;
    try {
      checkGuardrailConfig(value, "m");
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(RequestValidationError);
    expect((error as RequestValidationError).param).toBe("guardrailConfig");
    expect((error as Error).message).toMatch(/^guardrailConfig /);
    expect((error as Error).message).toMatch(message);
  });

  it.each([
    [{ guardrailIdentifier: "v9kpg6yrwhs2", guardrailVersion: "DRAFT" }],
    [
      {
        guardrailIdentifier: "gr",
        guardrailVersion: "12",
        trace: "enabled_full",
        streamProcessingMode: "async",
      },
    ],
    [
      {
        guardrailIdentifier: "arn:aws:bedrock:us-east-1:123456789012:guardrail/abc",
        guardrailVersion: "99999999",
      },
    ],
  ])("accepts %j", (value) => {
    expect(checkGuardrailConfig(value)).toBe(value);
  });
});

describe("readRequestMetadata", () => {
  const allowed = fc.stringMatching(/^[a-zA-Z0-9 :_@$#=/+,\-.]{1,256}$/);

  it("accepts any map of 1-16 pairs of Bedrock's characters and lengths, unchanged", () => {
    fc.assert(
      fc.property(
        fc.dictionary(allowed, fc.oneof(allowed, fc.constant("")), { minKeys: 1, maxKeys: 16 }),
        (map) => {
          expect(readRequestMetadata(map)).toBe(map);
        },
      ),
    );
  });

  it("refuses any key or value with a character outside Bedrock's class", () => {
    const outside = fc.constantFrom("'", '"', "!", "?", "*", "&", "%", "é", "<", "\\", ";");
    fc.assert(
      fc.property(allowed, outside, fc.boolean(), (text, bad, inKey) => {
        const map = inKey ? { [`${text.slice(0, 200)}${bad}`]: "v" } : { k: `${text.slice(0, 200)}${bad}` };
        expect(() => readRequestMetadata(map)).toThrow(/characters Bedrock refuses/);
      }),
    );
  });

  it.each([
    [
      "17 pairs",
      Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`k${i}`, "v"])),
      /maximum of 16 items \(got 17\)/,
    ],
    ["an empty key", { "": "v" }, /key length must be 1-256 characters \(got an empty key\)/],
    ["a 257-character key", { ["a".repeat(257)]: "v" }, /key length must be 1-256 characters \(got 257/],
    [
      "a 257-character value",
      { k: "a".repeat(257) },
      /value length of "k" must be at most 256 characters \(got 257\)/,
    ],
    ["a number value", { k: 1 }, /value of "k" must be a string/],
    ["a list", ["a"], /must be an object/],
  ])("refuses %s", (_what, value, message) => {
    expect(() => readRequestMetadata(value)).toThrow(message);
  });

  it("leaves an empty map out (the service model wants at least one pair)", () => {
    expect(readRequestMetadata({})).toBeUndefined();
    expect(readRequestMetadata(undefined)).toBeUndefined();
  });
});

describe("over the SDK and the emulator", () => {
  let emulator: Emulator;
  let bedrock: Bedrock;
  const metadata = { team: "search", "cost-center": "42" };

  beforeAll(async () => {
    emulator = await startEmulator({ mode: "synthesize" });
    bedrock = createBedrock({ region: "us-east-1", endpoint: emulator.url, credentials, num_retries: 0 });
  });
  afterAll(() => emulator.close());

  it("Converse and ConverseStream carry requestMetadata at the top level, never in additionalModelRequestFields", async () => {
    const model = "bedrock/converse/us.anthropic.claude-haiku-4-5-20251001-v1:0";
    const messages = [{ role: "user" as const, content: "Hi" }];
    await bedrock.chat.completions.create({ model, messages, requestMetadata: metadata, top_k: 3 });
    expect(lastBody(emulator).requestMetadata).toEqual(metadata);
    expect(lastBody(emulator).additionalModelRequestFields).toEqual({ top_k: 3 });
    const stream = await bedrock.chat.completions.create({
      model,
      messages,
      requestMetadata: metadata,
      stream: true,
    });
    for await (const _chunk of stream);
    expect(lastBody(emulator).requestMetadata).toEqual(metadata);
  });

  it.each([
    [
      "chat",
      () =>
        bedrock.chat.completions.create({
          model: "bedrock/invoke/anthropic.claude-3-haiku-20240307-v1:0",
          messages: [{ role: "user", content: "Hi" }],
          requestMetadata: metadata,
        }),
    ],
    [
      "a chat stream",
      async () => {
        const stream = await bedrock.chat.completions.create({
          model: "bedrock/invoke/amazon.nova-lite-v1:0",
          messages: [{ role: "user", content: "Hi" }],
          requestMetadata: metadata,
          stream: true,
        });
        for await (const _chunk of stream);
      },
    ],
    [
      "embeddings",
      () =>
        bedrock.embeddings.create({
          model: "amazon.titan-embed-text-v2:0",
          input: "Hi",
          requestMetadata: metadata,
        }),
    ],
  ])(
    "InvokeModel (%s) sends it in the X-Amzn-Bedrock-Request-Metadata header, not in the body",
    async (_what, call) => {
      await call();
      const request = emulator.requests.at(-1)!;
      expect(JSON.parse(request.headers["x-amzn-bedrock-request-metadata"] ?? "null")).toEqual(metadata);
      expect(lastBody(emulator)).not.toHaveProperty("requestMetadata");
    },
  );

  it("a malformed guardrailConfig or requestMetadata is refused before anything is sent", async () => {
    const before = emulator.requests.length;
    const model = "bedrock/us.amazon.nova-pro-v1:0";
    await expect(
      bedrock.chat.completions.create({
        model,
        messages: [{ role: "user", content: "Hi" }],
        guardrailConfig: { guardrailIdentifier: "gr", guardrailVersion: "1", trace: "verbose" as never },
      }),
    ).rejects.toThrow(/guardrailConfig trace must be one of enabled, disabled, enabled_full/);
    await expect(
      bedrock.chat.completions.create({
        model,
        messages: [{ role: "user", content: "Hi" }],
        requestMetadata: { name: "O'Brien" },
      }),
    ).rejects.toThrow(/requestMetadata pair "name" has characters Bedrock refuses/);
    expect(emulator.requests.length).toBe(before);
  });
});
