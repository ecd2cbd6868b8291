/**
 * Model ids at run time: an id outside the catalog gets the nearest catalog ids when Bedrock calls
 * it invalid (Bedrock's ValidationException "The provided model identifier is invalid.", as recorded in
 * test/recordings/errors/otel-py_test_invoke_model_with_invalid_model.json and replayed here from
 * newrelic_converse_Model-does-not-exist..json), and when bedrock-forge itself refuses it (operations
 * that need a catalog model, InvokeModel); LiteLLM's imported-model routes (https://docs.litellm.ai/docs/providers/bedrock_imported)
 * invoke the bare ARN, and unknown routes are refused before any call instead of being sent as a model id.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Emulator, startEmulator } from "../../emulator/index.js";
import { describeUnknownModel, nearestCatalogIds } from "../../runtime/catalog-suggest.js";
import {
  type Bedrock,
  BedrockCallError,
  createBedrock,
  ModelNotSupportedError,
  uncheckedModel,
} from "../../runtime/index.js";
import { credentials, failure, recording } from "./live.js";

const hello = [{ role: "user" as const, content: "Hello ids" }];
const converseRecording = "errors/newrelic_converse_Model-does-not-exist..json";
const replay = (name: string) => ({ headers: { "x-bedrock-forge-fixture": name } });

let emulator: Emulator;
let bedrock: Bedrock;

beforeAll(async () => {
  emulator = await startEmulator({
    mode: "hybrid",
    fixtures: [recording(converseRecording)],
  });
  bedrock = createBedrock({ region: "us-east-1", endpoint: emulator.url, credentials, num_retries: 0 });
});

afterAll(async () => {
  await emulator?.close();
});

describe("nearest catalog ids", () => {
  it.each([
    ["anthropic.claude-3-haiku-20240307-v1:O", "anthropic.claude-3-haiku-20240307-v1:0"],
    ["anthropic.claude-3-haiku-20240307", "anthropic.claude-3-haiku-20240307-v1:0"],
    ["us.anthropic.claude-3-haiku-20240307-v1:1", "us.anthropic.claude-3-haiku-20240307-v1:0"],
    ["meta.llama3-8b-instruct-v1", "meta.llama3-8b-instruct-v1:0"],
    ["amazon.titan-embed-text-v3:0", "amazon.titan-embed-text-v2:0"],
    ["amazon.titan-embed-text-v2", "amazon.titan-embed-text-v2:0"],
  ])("%s → %s first", (typed, meant) => {
    expect(nearestCatalogIds(typed)[0]).toBe(meant);
  });

  it("says what it cannot guess, and names the command that lists the catalog", () => {
    expect(describeUnknownModel("zzzz")).toBe(
      "zzzz is not in bedrock-forge's catalog. `bedrock-forge models` lists the ids it knows.",
    );
    expect(describeUnknownModel("arn:aws:bedrock:us-east-1:123456789012:custom-model/x")).not.toMatch(
      /did you mean/,
    );
  });
});

describe("Bedrock's invalid model identifier, for an id outside the catalog", () => {
  it.each([
    ["Converse (recorded answer)", "anthropic.claude-3-haiku-20240307-v1:O", replay(converseRecording)],
    ["Converse (the emulator's own check)", "anthropic.claude-3-haiku-20240307-v1:O", {}],
  ])(
    "%s: the error adds the nearest catalog ids and `bedrock-forge models`",
    async (_how, model, options) => {
      const error = await failure(
        bedrock.chat.completions.create({ model: uncheckedModel(model), messages: hello }, options),
      );
      expect(BedrockCallError.isInstance(error)).toBe(true);
      expect(error).toMatchObject({ status: 400, awsErrorName: "ValidationException" });
      expect(error.message).toContain("The provided model identifier is invalid.");
      expect(error.message).toContain("did you mean anthropic.claude-3-haiku-20240307-v1:0");
      expect(error.message).toContain("`bedrock-forge models`");
      expect(error.requestId).toBeTruthy();
      expect(emulator.requests.at(-1)?.source === "fixture").toBe("headers" in options);
    },
  );

  it("for a stream and for CountTokens too", async () => {
    const model = uncheckedModel("anthropic.claude-3-haiku-20240307-v1:O");
    const streamed = await failure(bedrock.chat.completions.create({ model, messages: hello, stream: true }));
    expect(streamed.message).toContain("did you mean anthropic.claude-3-haiku-20240307-v1:0");
    const counted = await failure(bedrock.countTokens({ model, messages: hello }));
    expect(counted.message).toContain("did you mean anthropic.claude-3-haiku-20240307-v1:0");
  });

  it("other errors of an unlisted id stay as Bedrock sent them", async () => {
    const error = await failure(
      bedrock.chat.completions.create(
        { model: uncheckedModel("anthropic.claude-3-haiku-20240307-v1:O"), messages: hello },
        { headers: { "x-bedrock-forge-fault": "throttle" } },
      ),
    );
    expect(error.message).not.toMatch(/did you mean/);
  });
});

describe("bedrock-forge's own refusals", () => {
  it("an embeddings call with an id outside the catalog names the nearest ids, before any call", async () => {
    const before = emulator.requests.length;
    const error = await failure(
      bedrock.embeddings.create({ model: uncheckedModel("amazon.titan-embed-text-v2"), input: "x" }),
    );
    expect(ModelNotSupportedError.isInstance(error)).toBe(true);
    expect(error.message).toContain("did you mean amazon.titan-embed-text-v2:0, ");
    expect(error.message).toContain("`bedrock-forge models`");
    expect(emulator.requests.length).toBe(before);
  });

  it("InvokeModel of an id outside the catalog (no adapter) names the nearest ids, before any call", async () => {
    const before = emulator.requests.length;
    const error = await failure(
      bedrock.chat.completions.create({
        model: uncheckedModel("bedrock/invoke/meta.llama3-8b-instruct-v1"),
        messages: hello,
      }),
    );
    expect(error.message).toContain("did you mean meta.llama3-8b-instruct-v1:0");
    expect(error.message).toContain("bedrock/converse/meta.llama3-8b-instruct-v1");
    expect(emulator.requests.length).toBe(before);
  });

  it.each(["llama", "deepseek_r1", "qwen3", "qwen2", "openai", "moonshot"] as const)(
    "LiteLLM's bedrock/%s/<arn> imported-model route invokes the bare ARN (InvokeModel, never Converse)",
    async (route) => {
      const arn = "arn:aws:bedrock:us-east-1:123456789012:imported-model/r4c4kewx2s0n";
      const before = emulator.requests.length;
      // This emulator was not told of the imported model: Bedrock's invalid-model answer comes back.
      const error = await failure(
        bedrock.chat.completions.create({ model: `bedrock/${route}/${arn}`, messages: hello }),
      );
      expect(BedrockCallError.isInstance(error)).toBe(true);
      expect(emulator.requests.slice(before)).toMatchObject([{ operation: "invoke", modelId: arn }]);
    },
  );

  it("an unknown route is refused, never sent to Converse as a model id", async () => {
    const before = emulator.requests.length;
    const error = await failure(
      bedrock.chat.completions.create({
        model: uncheckedModel("bedrock/conversee/anthropic.claude-3-haiku-20240307-v1:0"),
        messages: hello,
      }),
    );
    expect(ModelNotSupportedError.isInstance(error)).toBe(true);
    expect(error.message).toContain("conversee/ is not a route");
    expect(emulator.requests.length).toBe(before);
  });

  it("uncheckedModel is the id itself at run time, and refuses an empty one", async () => {
    expect(uncheckedModel("vendor.model-v1:0")).toBe("vendor.model-v1:0");
    expect(() => uncheckedModel("  ")).toThrow(/uncheckedModel needs a model id/);
  });
});
