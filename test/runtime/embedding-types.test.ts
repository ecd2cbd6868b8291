/**
 * Embeddings: `encoding_format` to the native vector types, answers by type, image data URLs and closed
 * bodies, through the public API, the real AWS SDK and the emulator.
 *
 * Sources: LiteLLM's Bedrock embedding transformations (BerriAI/litellm litellm/llms/bedrock/embed/
 * amazon_titan_v2_transformation.py: float → embeddingTypes ["float"], answers read from embeddingsByType;
 * cohere_transformation.py: encoding_format → embedding_types as a list, base64 → float) and their tests
 * (tests/test_litellm/llms/bedrock/embed/test_bedrock_embedding.py); AWS's Titan Text Embeddings V2 page
 * (docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-titan-embed-text.html: `embeddingTypes`
 * float/binary, answered in `embeddingsByType`); Cohere Embed on Bedrock
 * (docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-embed.html: `embedding_types` float, int8,
 * uint8, binary, ubinary; `embeddings` keyed by type); openai-node's embeddings.create, which asks for base64
 * by default and decodes it as float32.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Emulator, type LoadedFixture, startEmulator } from "../../emulator/index.js";
import {
  type Bedrock,
  type CreateEmbeddingResponse,
  createBedrock,
  RequestValidationError,
  ResponseParseError,
} from "../../runtime/index.js";
import { credentials, failure, lastBody, pngBase64, pngDataUrl } from "./live.js";

const TITAN_V2 = "amazon.titan-embed-text-v2:0";
const TITAN_G1 = "amazon.titan-embed-text-v1";
const TITAN_MULTIMODAL = "amazon.titan-embed-image-v1";
const COHERE_V3 = "cohere.embed-english-v3";
const COHERE_V4 = "cohere.embed-v4:0";

function answer(name: string, response: unknown): LoadedFixture {
  return {
    name,
    fixture: {
      source: "test/runtime/embedding-types.test.ts",
      operation: "invoke",
      modelId: null,
      request: null,
      http: { status: 200, responseHeaders: { "x-amzn-bedrock-input-token-count": "4" } },
      response,
    },
  } as unknown as LoadedFixture;
}

let synthesizing: Emulator;
let replaying: Emulator;
let bedrock: Bedrock;
let replayed: Bedrock;
const warnings: string[] = [];

beforeAll(async () => {
  synthesizing = await startEmulator({ mode: "synthesize" });
  replaying = await startEmulator({
    mode: "replay",
    fixtures: [
      answer("titan-binary", {
        embedding: [0.5, -0.25],
        embeddingsByType: { binary: [1, 0], float: [0.5, -0.25] },
        inputTextTokenCount: 3,
      }),
      answer("cohere-typed-two-inputs", {
        id: "typed",
        response_type: "embeddings_by_type",
        embeddings: {
          float: [
            [0.1, 0.2],
            [0.3, 0.4],
          ],
          int8: [
            [1, 2],
            [3, 4],
          ],
        },
        texts: ["a", "b"],
      }),
      answer("cohere-floats-only", {
        id: "floats",
        response_type: "embeddings_by_type",
        embeddings: { float: [[0.5, 0.25]] },
        texts: ["a"],
      }),
      answer("cohere-short-int8", {
        id: "short",
        response_type: "embeddings_by_type",
        embeddings: { float: [[0.1], [0.2]], int8: [[1]] },
        texts: ["a", "b"],
      }),
    ],
  });
  const options = {
    region: "us-east-1",
    credentials,
    num_retries: 0,
    onWarning: (message: string) => warnings.push(message),
  };
  bedrock = createBedrock({ ...options, endpoint: synthesizing.url });
  replayed = createBedrock({ ...options, endpoint: replaying.url });
});

afterAll(async () => {
  await synthesizing?.close();
  await replaying?.close();
});

const embed = (body: Record<string, unknown>) =>
  bedrock.embeddings.create(body as never) as Promise<CreateEmbeddingResponse>;
const replay = (body: Record<string, unknown>, fixture: string) =>
  replayed.embeddings.create(body as never, {
    headers: { "x-bedrock-forge-fixture": fixture },
  }) as Promise<CreateEmbeddingResponse>;

/** Refused before any call, naming the param. */
async function refusedBeforeCall(body: Record<string, unknown>, param: string): Promise<Error> {
  const before = synthesizing.requests.length;
  const error = await failure(embed(body));
  expect(RequestValidationError.isInstance(error), String(error)).toBe(true);
  expect(error.param).toBe(param);
  expect(synthesizing.requests.length).toBe(before);
  return error;
}

describe("encoding_format → the model's vector types", () => {
  it.each([
    [TITAN_V2, "float", { embeddingTypes: ["float"] }],
    [TITAN_V2, "base64", { embeddingTypes: ["float"] }],
    [TITAN_V2, "binary", { embeddingTypes: ["binary"] }],
    [TITAN_V2, ["float", "binary"], { embeddingTypes: ["float", "binary"] }],
    [COHERE_V3, "float", { embedding_types: ["float"] }],
    [COHERE_V3, "base64", { embedding_types: ["float"] }],
    [COHERE_V3, "ubinary", { embedding_types: ["ubinary"] }],
    [COHERE_V4, ["int8", "base64"], { embedding_types: ["int8", "float"] }],
  ])("%s, %j → %j", async (model, encoding_format, expected) => {
    await embed({ model, input: ["hello"], encoding_format }).catch(() => undefined);
    expect(lastBody(synthesizing)).toMatchObject(expected);
    expect(lastBody(synthesizing)).not.toHaveProperty("encoding_format");
  });

  it("leaves the types out when encoding_format is not given, and for models without types", async () => {
    await embed({ model: TITAN_V2, input: "hello" });
    expect(lastBody(synthesizing)).toEqual({ inputText: "hello" });
    const result = await embed({ model: TITAN_G1, input: "hello", encoding_format: "base64" });
    expect(lastBody(synthesizing)).toEqual({ inputText: "hello" });
    expect(typeof result.data[0]!.embedding).toBe("string");
  });

  it("a caller's own embedding_types wins over encoding_format", async () => {
    await embed({
      model: COHERE_V3,
      input: ["x"],
      encoding_format: "float",
      embedding_types: ["int8"],
    }).catch(() => undefined);
    expect(lastBody(synthesizing)).toMatchObject({ embedding_types: ["int8"] });
  });

  it.each([
    [
      TITAN_V2,
      "int8",
      /"int8" is not supported by amazon\.titan-embed-text-v2:0: use "float", "base64", "binary"/,
    ],
    [TITAN_G1, "binary", /use "float", "base64"$/],
    [COHERE_V3, "hex", /use "float", "base64", "int8", "uint8", "binary", "ubinary" \(or a list of them\)/],
    [COHERE_V3, [], /must not be an empty list/],
  ])("%s refuses encoding_format %j", async (model, encoding_format, message) => {
    const error = await refusedBeforeCall({ model, input: ["x"], encoding_format }, "encoding_format");
    expect(error.message).toMatch(message);
  });
});

describe("answers by type", () => {
  it("Titan V2 binary: the binary vector, with its type", async () => {
    const result = await replay({ model: TITAN_V2, input: "hi", encoding_format: "binary" }, "titan-binary");
    expect(result.data).toEqual([{ object: "embedding", index: 0, embedding: [1, 0], type: "binary" }]);
  });

  it("Cohere: one entry per type and input, type by type, each in input order", async () => {
    const result = await replay(
      { model: COHERE_V4, input: ["a", "b"], encoding_format: ["float", "int8"] },
      "cohere-typed-two-inputs",
    );
    expect(result.data).toEqual([
      { object: "embedding", index: 0, embedding: [0.1, 0.2], type: "float" },
      { object: "embedding", index: 1, embedding: [0.3, 0.4], type: "float" },
      { object: "embedding", index: 0, embedding: [1, 2], type: "int8" },
      { object: "embedding", index: 1, embedding: [3, 4], type: "int8" },
    ]);
  });

  it("Cohere: base64 encodes the float vectors only; the int8 ones stay numbers", async () => {
    const result = await replay(
      { model: COHERE_V4, input: ["a", "b"], encoding_format: ["base64", "int8"] },
      "cohere-typed-two-inputs",
    );
    const floats = result.data.filter((entry) => entry.type === "float");
    const bytes = Buffer.from(floats[1]!.embedding as string, "base64");
    expect(Array.from(new Float32Array(bytes.buffer, bytes.byteOffset, 2))).toEqual([
      Math.fround(0.3),
      Math.fround(0.4),
    ]);
    expect(result.data.filter((entry) => entry.type === "int8").map((entry) => entry.embedding)).toEqual([
      [1, 2],
      [3, 4],
    ]);
  });

  it("a floats-only answer by type is plain OpenAI floats (base64 when asked, as openai-node asks)", async () => {
    const plain = await replay({ model: COHERE_V4, input: ["a"] }, "cohere-floats-only");
    expect(plain.data).toEqual([{ object: "embedding", index: 0, embedding: [0.5, 0.25] }]);
    const encoded = await replay(
      { model: COHERE_V4, input: ["a"], encoding_format: "base64" },
      "cohere-floats-only",
    );
    expect(encoded.data[0]!.embedding).toBe(
      Buffer.from(new Float32Array([0.5, 0.25]).buffer).toString("base64"),
    );
  });

  it("a type answered with too few vectors is a ResponseParseError naming it", async () => {
    const error = await failure(
      replay(
        { model: COHERE_V4, input: ["a", "b"], encoding_format: ["float", "int8"] },
        "cohere-short-int8",
      ),
    );
    expect(ResponseParseError.isInstance(error)).toBe(true);
    expect(error.message).toMatch(/returned 1 int8 vectors for 2 inputs/);
  });
});

describe("image data URLs and closed bodies", () => {
  it("a data-URL string for Titan Multimodal is the image (base64 without its prefix), counted in usage", async () => {
    const result = await embed({ model: TITAN_MULTIMODAL, input: [pngDataUrl, "a red apple"] });
    expect(synthesizing.requests.slice(-2).map((request) => request.body)).toEqual([
      { inputImage: pngBase64 },
      { inputText: "a red apple" },
    ]);
    expect(result.usage.prompt_tokens_details).toEqual({ image_count: 1 });
  });

  it("a data-URL string for a text-only model is text", async () => {
    await embed({ model: TITAN_V2, input: pngDataUrl });
    expect(lastBody(synthesizing)).toEqual({ inputText: pngDataUrl });
  });

  it("LiteLLM's cache_control_injection_points never reaches an embedding body", async () => {
    await embed({
      model: TITAN_V2,
      input: "hello",
      cache_control_injection_points: [{ location: "message", role: "user" }],
    });
    expect(lastBody(synthesizing)).toEqual({ inputText: "hello" });
  });

  it("an undeclared param is refused before the call, naming what the model takes", async () => {
    const error = await refusedBeforeCall({ model: TITAN_V2, input: "hello", colour: "blue" }, "colour");
    expect(error.message).toMatch(/colour is not a param of amazon\.titan-embed-text-v2:0/);
    expect(error.message).toMatch(/dimensions.*embeddingTypes.*normalize/);
  });

  it("under drop_params an undeclared param is dropped with a warning", async () => {
    warnings.length = 0;
    await embed({ model: COHERE_V3, input: ["hello"], colour_scheme: "blue", drop_params: true });
    expect(lastBody(synthesizing)).not.toHaveProperty("colour_scheme");
    expect(warnings.join("\n")).toMatch(/dropping colour_scheme for cohere\.embed-english-v3/);
  });

  it("declared provider params still reach the body", async () => {
    await embed({ model: COHERE_V3, input: ["hello"], truncate: "END" });
    expect(lastBody(synthesizing)).toMatchObject({ truncate: "END" });
  });
});
