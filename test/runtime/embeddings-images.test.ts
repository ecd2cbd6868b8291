/**
 * Embeddings and image generation through the public API, the real AWS SDK and the emulator: how
 * inputs are split into calls per family (checked in the emulator's request log), params on the wire,
 * base64 encodings, image inputs, sizes and aspect ratios, and usage and cost from the catalog prices
 * (written here from the specs' price tables).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Emulator, type EmulatorRequest, startEmulator } from "../../emulator/index.js";
import { readPngSize } from "../../emulator/synthesize/png.js";
import {
  type Bedrock,
  ContentFilterError,
  type CreateEmbeddingResponse,
  createBedrock,
  RequestValidationError,
  uncheckedModel,
} from "../../runtime/index.js";
import { credentials, failure, lastBody, pngBase64, pngDataUrl } from "./live.js";

const TITAN_V2 = "amazon.titan-embed-text-v2:0";
const TITAN_G1 = "amazon.titan-embed-text-v1";
const COHERE = "cohere.embed-english-v3";
const TITAN_MULTIMODAL = "amazon.titan-embed-image-v1";
const NOVA_EMBED = "amazon.nova-2-multimodal-embeddings-v1:0";
const TITAN_IMAGE = "amazon.titan-image-generator-v2:0";
const NOVA_CANVAS = "amazon.nova-canvas-v1:0";
const SDXL = "stability.stable-diffusion-xl-v1";
const STABLE_CORE = "stability.stable-image-core-v1:1";

let emulator: Emulator;
let bedrock: Bedrock;
const warnings: string[] = [];

beforeAll(async () => {
  emulator = await startEmulator({ mode: "synthesize" });
  bedrock = createBedrock({
    region: "us-east-1",
    endpoint: emulator.url,
    credentials,
    num_retries: 0,
    onWarning: (message) => warnings.push(message),
  });
});

afterAll(async () => {
  await emulator?.close();
});

async function embed(body: Record<string, unknown>, options?: { headers?: Record<string, string> }) {
  const before = emulator.requests.length;
  const result = (await bedrock.embeddings.create(body as never, options)) as CreateEmbeddingResponse;
  return { result, requests: emulator.requests.slice(before) };
}

/** Refused before any call. */
async function refused(run: () => Promise<unknown>) {
  const before = emulator.requests.length;
  const error = await failure(run());
  expect(RequestValidationError.isInstance(error), String(error)).toBe(true);
  expect(emulator.requests.length).toBe(before);
  return error;
}

/** The largest number of requests in flight at once while `run` runs (sampled every millisecond). */
async function maxInFlight<T>(run: () => Promise<T>): Promise<{ value: T; max: number }> {
  const before = emulator.requests.length;
  let max = 0;
  const timer = setInterval(() => {
    const open = emulator.requests
      .slice(before)
      .filter((request: EmulatorRequest) => !request.completed && !request.clientClosed).length;
    max = Math.max(max, open);
  }, 1);
  try {
    return { value: await run(), max };
  } finally {
    clearInterval(timer);
  }
}

describe("embeddings", () => {
  it("one input: one call, the native body, the vector, usage and cost", async () => {
    const { result, requests } = await embed({ model: TITAN_V2, input: "The quick brown fox" });
    expect(requests).toHaveLength(1);
    expect(requests[0]!.body).toEqual({ inputText: "The quick brown fox" });
    expect(result.object).toBe("list");
    expect(result.model).toBe(TITAN_V2);
    expect(result.data).toHaveLength(1);
    expect(result.data[0]).toMatchObject({ object: "embedding", index: 0 });
    expect(result.data[0]!.embedding).toHaveLength(1024);
    expect(result.usage.prompt_tokens).toBeGreaterThan(0);
    expect(result.usage.total_tokens).toBe(result.usage.prompt_tokens);
    // $0.02 per million tokens.
    expect(result.usage.cost).toBeCloseTo((result.usage.prompt_tokens * 0.02) / 1e6, 15);
  });

  it("Titan: one text per call, sent concurrently within the bound, results in input order", async () => {
    const inputs = Array.from({ length: 12 }, (_, index) => `text number ${index}`);
    const latency = { headers: { "x-bedrock-forge-latency-ms": "25" } };
    const { value, max } = await maxInFlight(() =>
      embed({ model: TITAN_V2, input: inputs, concurrency: 3 }, latency),
    );
    const { result, requests } = value;
    expect(requests).toHaveLength(12);
    expect(requests.map((request) => (request.body as { inputText: string }).inputText).sort()).toEqual(
      [...inputs].sort(),
    );
    expect(max).toBeGreaterThanOrEqual(2);
    expect(max).toBeLessThanOrEqual(3);
    expect(result.data.map((item) => item.index)).toEqual(inputs.map((_, index) => index));
    // The same text gives the same vector alone and in a batch.
    const single = await embed({ model: TITAN_V2, input: inputs[7] });
    expect(result.data[7]!.embedding).toEqual(single.result.data[0]!.embedding);
    expect(result.data[6]!.embedding).not.toEqual(result.data[7]!.embedding);
    // Usage adds up over the calls.
    const tokens = requests.length * single.result.usage.prompt_tokens;
    expect(result.usage.prompt_tokens).toBe(tokens);
  });

  it("Titan: the default bound is 8 calls in flight", async () => {
    const inputs = Array.from({ length: 20 }, (_, index) => `bounded ${index}`);
    const { value, max } = await maxInFlight(() =>
      embed({ model: TITAN_V2, input: inputs }, { headers: { "x-bedrock-forge-latency-ms": "25" } }),
    );
    expect(value.requests).toHaveLength(20);
    expect(max).toBeGreaterThanOrEqual(4);
    expect(max).toBeLessThanOrEqual(8);
  });

  it("Cohere: up to 96 texts per call, so 200 inputs make 3 calls (96, 96, 8), in order", async () => {
    const inputs = Array.from({ length: 200 }, (_, index) => `document ${index}`);
    const { result, requests } = await embed({ model: COHERE, input: inputs });
    expect(requests.map((request) => (request.body as { texts: string[] }).texts.length)).toEqual([
      96, 96, 8,
    ]);
    const sent = requests.flatMap((request) => (request.body as { texts: string[] }).texts);
    expect(sent).toEqual(inputs);
    expect(requests[0]!.body).toMatchObject({ input_type: "search_document" });
    expect(result.data).toHaveLength(200);
    expect(result.data.map((item) => item.index)).toEqual(inputs.map((_, index) => index));
    expect(result.data[199]!.embedding).toHaveLength(1024);
    expect(result.usage.prompt_tokens).toBeGreaterThan(0);
    // $0.10 per million tokens.
    expect(result.usage.cost).toBeCloseTo((result.usage.prompt_tokens * 0.1) / 1e6, 15);
  });

  it("dimensions: an allowed value reaches the wire and sizes the vectors; others are refused", async () => {
    const { result } = await embed({ model: TITAN_V2, input: "short", dimensions: 256 });
    expect(lastBody(emulator)).toEqual({ inputText: "short", dimensions: 256 });
    expect(result.data[0]!.embedding).toHaveLength(256);
    const error = await refused(() =>
      bedrock.embeddings.create({ model: TITAN_V2, input: "short", dimensions: 300 }),
    );
    expect(error.param).toBe("dimensions");
    expect(error.message).toMatch(/256, 512, 1024/);
    expect(error.message).toMatch(TITAN_V2);
  });

  it("dimensions a model cannot change are dropped with a warning where its only size is asked", async () => {
    warnings.length = 0;
    const { result } = await embed({ model: TITAN_G1, input: "legacy", dimensions: 1536 });
    expect(lastBody(emulator)).toEqual({ inputText: "legacy" });
    expect(result.data[0]!.embedding).toHaveLength(1536);
    expect(warnings.join("\n")).toMatch(/dimensions/);
  });

  it("encoding_format base64 decodes to the same float32 values", async () => {
    const floats = await embed({
      model: TITAN_V2,
      input: ["alpha", "beta"],
      dimensions: 256,
      encoding_format: "float",
    });
    const encoded = await embed({
      model: TITAN_V2,
      input: ["alpha", "beta"],
      dimensions: 256,
      encoding_format: "base64",
    });
    // Both ask Titan V2 for floats (LiteLLM sends float as embeddingTypes ["float"]).
    expect(encoded.requests.map((request) => request.body)).toEqual(
      floats.requests.map((request) => request.body),
    );
    expect(encoded.requests[0]!.body).toMatchObject({ embeddingTypes: ["float"] });
    for (const index of [0, 1]) {
      const text = encoded.result.data[index]!.embedding;
      expect(typeof text).toBe("string");
      const bytes = Buffer.from(text as string, "base64");
      const decoded = Array.from(new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4));
      expect(decoded).toEqual((floats.result.data[index]!.embedding as number[]).map(Math.fround));
    }
    await refused(() =>
      bedrock.embeddings.create({ model: TITAN_V2, input: "x", encoding_format: "hex" as never }),
    );
  });

  it("input_type: Cohere's field as given, Nova's mapped to its embedding purpose; unknown values refused", async () => {
    await embed({ model: COHERE, input: ["what is a fox?"], input_type: "search_query" });
    expect(lastBody(emulator)).toMatchObject({ texts: ["what is a fox?"], input_type: "search_query" });
    await embed({ model: NOVA_EMBED, input: "what is a fox?", input_type: "search_query", dimensions: 256 });
    expect(lastBody(emulator)).toMatchObject({
      schemaVersion: "nova-multimodal-embed-v1",
      taskType: "SINGLE_EMBEDDING",
      singleEmbeddingParams: { embeddingPurpose: "GENERIC_RETRIEVAL", embeddingDimension: 256 },
    });
    const error = await refused(() =>
      bedrock.embeddings.create({ model: COHERE, input: "x", input_type: "bogus" } as never),
    );
    expect(error.param).toBe("input_type");
  });

  it("an image input for a multimodal model: bytes on the wire, text beside them, the image priced", async () => {
    const { result, requests } = await embed({
      model: TITAN_MULTIMODAL,
      input: [{ type: "image_url", image_url: { url: pngDataUrl }, text: "a tiny picture" }, "only text"],
      dimensions: 384,
    });
    expect(requests).toHaveLength(2);
    expect(requests[0]!.body).toEqual({
      inputImage: pngBase64,
      inputText: "a tiny picture",
      embeddingConfig: { outputEmbeddingLength: 384 },
    });
    expect(requests[1]!.body).toEqual({
      inputText: "only text",
      embeddingConfig: { outputEmbeddingLength: 384 },
    });
    expect(result.data.map((item) => (item.embedding as number[]).length)).toEqual([384, 384]);
    // $0.80 per million tokens and $0.00006 per image.
    expect(result.usage.cost).toBeCloseTo((result.usage.prompt_tokens * 0.8) / 1e6 + 0.00006, 15);
  });

  it("image inputs are refused for text-only models and unless given as data URLs", async () => {
    const image = { type: "image_url", image_url: { url: pngDataUrl } };
    expect(
      (await refused(() => bedrock.embeddings.create({ model: TITAN_V2, input: [image] } as never))).message,
    ).toMatch(/multimodal/);
    await refused(() =>
      bedrock.embeddings.create({
        model: TITAN_MULTIMODAL,
        input: [{ type: "image_url", image_url: "https://example.com/cat.png" }],
      } as never),
    );
    await refused(() => bedrock.embeddings.create({ model: TITAN_V2, input: [] }));
    await refused(() => bedrock.embeddings.create({ model: TITAN_V2, input: ["ok", ""] }));
  });
});

describe("images", () => {
  async function generate(body: Record<string, unknown>) {
    const before = emulator.requests.length;
    // biome-ignore lint/suspicious/noExplicitAny: bodies across image families
    const result = await bedrock.images.generate(body as any);
    return { result, requests: emulator.requests.slice(before) };
  }
  const pngSize = (b64: string) => readPngSize(Buffer.from(b64, "base64"));

  it("size to width and height; data[].b64_json decodes to a PNG of that size; cost per image", async () => {
    const { result, requests } = await generate({
      model: TITAN_IMAGE,
      prompt: "a lighthouse",
      size: "768x1152",
    });
    expect(requests).toHaveLength(1);
    expect(requests[0]!.body).toMatchObject({
      taskType: "TEXT_IMAGE",
      textToImageParams: { text: "a lighthouse" },
      imageGenerationConfig: { width: 768, height: 1152 },
    });
    expect(result.data).toHaveLength(1);
    expect(pngSize(result.data[0]!.b64_json)).toEqual({ width: 768, height: 1152 });
    expect(result.model).toBe(TITAN_IMAGE);
    // Up to 1408x1408, standard quality: $0.01 per image.
    expect(result.usage).toEqual({ images: 1, cost: 0.01 });
  });

  it("an unsupported size is a clear error listing the sizes; a malformed one too", async () => {
    const error = await refused(() =>
      bedrock.images.generate({ model: TITAN_IMAGE, prompt: "x", size: "1000x1000" }),
    );
    expect(error.param).toBe("size");
    expect(error.message).toMatch(/1000x1000 is not supported by amazon\.titan-image-generator-v2:0/);
    expect(error.message).toMatch(/1024x1024/);
    await refused(() => bedrock.images.generate({ model: TITAN_IMAGE, prompt: "x", size: "large" }));
  });

  it.each([
    ["1920x1080", "16:9"],
    ["1024x1024", "1:1"],
    ["800x1200", "2:3"],
    ["1080x1920", "9:16"],
    ["2560x1080", "21:9"],
  ])("ratio families: %s → the nearest aspect ratio %s", async (size, ratio) => {
    const { result } = await generate({ model: STABLE_CORE, prompt: "a lighthouse", size });
    expect(lastBody(emulator)).toMatchObject({ prompt: "a lighthouse", aspect_ratio: ratio });
    expect(lastBody(emulator).width).toBeUndefined();
    const [w, h] = ratio.split(":").map(Number) as [number, number];
    const png = pngSize(result.data[0]!.b64_json)!;
    expect(png.width / png.height).toBeCloseTo(w / h, 1);
    // Stable Image Core: $0.04 per image.
    expect(result.usage.cost).toBe(0.04);
  });

  it("n: several images in one call where the family takes a count, refused above the model's limit", async () => {
    const { result, requests } = await generate({
      model: TITAN_IMAGE,
      prompt: "boats",
      n: 3,
      size: "512x512",
    });
    expect(requests).toHaveLength(1);
    expect(requests[0]!.body).toMatchObject({ imageGenerationConfig: { numberOfImages: 3 } });
    expect(result.data).toHaveLength(3);
    for (const image of result.data) expect(pngSize(image.b64_json)).toEqual({ width: 512, height: 512 });
    // 512x512 standard: $0.008 per image.
    expect(result.usage).toEqual({ images: 3, cost: 0.024 });
    const error = await refused(() => bedrock.images.generate({ model: TITAN_IMAGE, prompt: "x", n: 6 }));
    expect(error.param).toBe("n");
    await refused(() => bedrock.images.generate({ model: SDXL, prompt: "x", n: 2 }));
  });

  it("quality hd is sent as premium and priced as premium", async () => {
    const { result } = await generate({
      model: TITAN_IMAGE,
      prompt: "boats",
      size: "512x512",
      quality: "hd",
      n: 2,
    });
    expect(lastBody(emulator).imageGenerationConfig).toMatchObject({ quality: "premium", numberOfImages: 2 });
    // 512x512 premium: $0.01 per image.
    expect(result.usage).toEqual({ images: 2, cost: 0.02 });
    const canvas = await generate({ model: NOVA_CANVAS, prompt: "boats", quality: "hd" });
    // Nova Canvas up to 1024x1024 premium: $0.06.
    expect(canvas.result.usage.cost).toBe(0.06);
    await refused(() => bedrock.images.generate({ model: TITAN_IMAGE, prompt: "x", quality: "ultra" }));
  });

  it("seed and negative prompt in each family's shape", async () => {
    await generate({
      model: TITAN_IMAGE,
      prompt: "a cat",
      negative_prompt: "dogs",
      seed: 42,
      size: "512x512",
    });
    expect(lastBody(emulator)).toMatchObject({
      textToImageParams: { text: "a cat", negativeText: "dogs" },
      imageGenerationConfig: { seed: 42 },
    });
    const { result } = await generate({ model: SDXL, prompt: "a cat", negative_prompt: "dogs", seed: 7 });
    expect(lastBody(emulator)).toMatchObject({
      text_prompts: [
        { text: "a cat", weight: 1 },
        { text: "dogs", weight: -1 },
      ],
      seed: 7,
      width: 1024,
      height: 1024,
    });
    expect(result.data[0]!.seed).toBe(7);
    expect(pngSize(result.data[0]!.b64_json)).toEqual({ width: 1024, height: 1024 });
    await generate({ model: STABLE_CORE, prompt: "a cat", negative_prompt: "dogs", seed: 9 });
    expect(lastBody(emulator)).toMatchObject({ prompt: "a cat", negative_prompt: "dogs", seed: 9 });
  });

  it("style where the family has one (Nova Canvas)", async () => {
    await generate({ model: NOVA_CANVAS, prompt: "a cat", style: "PHOTOREALISM" });
    expect(lastBody(emulator).textToImageParams).toEqual({ text: "a cat", style: "PHOTOREALISM" });
  });

  // Nova Canvas task types and LiteLLM's imageGenerationConfig: shapes from
  // https://docs.aws.amazon.com/nova/latest/userguide/image-gen-req-resp-structure.html, the merge rules from
  // BerriAI/litellm litellm/llms/bedrock/image/amazon_nova_canvas_transformation.py (transform_request_body).
  it("Nova Canvas COLOR_GUIDED_GENERATION: prompt and negative prompt in colorGuidedGenerationParams", async () => {
    await generate({
      model: NOVA_CANVAS,
      prompt: "a cat",
      negative_prompt: "dogs",
      taskType: "COLOR_GUIDED_GENERATION",
      imageGenerationConfig: { colorGuidedGenerationParams: { colors: ["#FF0000", "#00FF00"] } },
      size: "512x512",
      n: 2,
    });
    expect(lastBody(emulator)).toEqual({
      taskType: "COLOR_GUIDED_GENERATION",
      colorGuidedGenerationParams: { text: "a cat", negativeText: "dogs", colors: ["#FF0000", "#00FF00"] },
      imageGenerationConfig: { width: 512, height: 512, numberOfImages: 2 },
    });
    // Without a taskType the task is TEXT_IMAGE.
    await generate({ model: NOVA_CANVAS, prompt: "a cat" });
    expect(lastBody(emulator)).toMatchObject({
      taskType: "TEXT_IMAGE",
      textToImageParams: { text: "a cat" },
    });
  });

  it("Nova Canvas imageGenerationConfig: its fields fill the body, mapped params win, the task object is lifted out", async () => {
    const { result, requests } = await generate({
      model: NOVA_CANVAS,
      prompt: "a cat",
      quality: "standard",
      imageGenerationConfig: {
        cfgScale: 7,
        quality: "premium",
        width: 2048,
        height: 2048,
        numberOfImages: 2,
        textToImageParams: { negativeText: "blurry" },
      },
    });
    expect(requests).toHaveLength(1);
    expect(requests[0]!.body).toEqual({
      taskType: "TEXT_IMAGE",
      textToImageParams: { text: "a cat", negativeText: "blurry" },
      imageGenerationConfig: {
        cfgScale: 7,
        quality: "standard",
        width: 2048,
        height: 2048,
        numberOfImages: 2,
      },
    });
    expect(result.data).toHaveLength(2);
    // Priced by what was sent: up to 2048x2048 standard, $0.06 per image.
    expect(result.usage).toEqual({ images: 2, cost: 0.12 });
    // A size given as `size` wins over the config's width and height; the config's quality is priced.
    const sized = await generate({
      model: NOVA_CANVAS,
      prompt: "a cat",
      size: "512x512",
      imageGenerationConfig: { width: 2048, height: 2048, quality: "premium" },
    });
    expect(lastBody(emulator).imageGenerationConfig).toEqual({ width: 512, height: 512, quality: "premium" });
    // Up to 1024x1024 premium: $0.06.
    expect(sized.result.usage.cost).toBe(0.06);
    // The caller's task object wins over the prompt written there, as LiteLLM spreads it.
    await generate({
      model: NOVA_CANVAS,
      prompt: "a cat",
      imageGenerationConfig: { textToImageParams: { text: "a dog" } },
    });
    expect(lastBody(emulator).textToImageParams).toEqual({ text: "a dog" });
  });

  it("Nova Canvas task errors name what was wrong, before any call", async () => {
    const unknownTask = await refused(() =>
      bedrock.images.generate({ model: NOVA_CANVAS, prompt: "x", taskType: "INPAINTING" } as never),
    );
    expect(unknownTask.param).toBe("taskType");
    expect(unknownTask.message).toMatch(/one of COLOR_GUIDED_GENERATION, TEXT_IMAGE .*"INPAINTING"/);
    const notObject = await refused(() =>
      bedrock.images.generate({ model: NOVA_CANVAS, prompt: "x", imageGenerationConfig: "big" } as never),
    );
    expect(notObject.message).toMatch(/imageGenerationConfig must be an object/);
    const nestedNotObject = await refused(() =>
      bedrock.images.generate({
        model: NOVA_CANVAS,
        prompt: "x",
        imageGenerationConfig: { textToImageParams: "blurry" },
      } as never),
    );
    expect(nestedNotObject.message).toMatch(/imageGenerationConfig\.textToImageParams must be an object/);
    const otherTask = await refused(() =>
      bedrock.images.generate({
        model: NOVA_CANVAS,
        prompt: "x",
        imageGenerationConfig: { colorGuidedGenerationParams: { colors: ["#FFFFFF"] } },
      } as never),
    );
    expect(otherTask.message).toMatch(/belongs to the COLOR_GUIDED_GENERATION task/);
    const styleElsewhere = await refused(() =>
      bedrock.images.generate({
        model: NOVA_CANVAS,
        prompt: "x",
        style: "PHOTOREALISM",
        taskType: "COLOR_GUIDED_GENERATION",
        imageGenerationConfig: { colorGuidedGenerationParams: { colors: ["#FFFFFF"] } },
      } as never),
    );
    expect(styleElsewhere.param).toBe("style");
    expect(styleElsewhere.message).toMatch(/only for the TEXT_IMAGE task/);
  });

  it("SDXL sends the prompt on one line; Titan's negativeText param goes in textToImageParams", async () => {
    // BerriAI/litellm amazon_stability1_transformation.py replaces line breaks in the prompt with spaces.
    await generate({ model: SDXL, prompt: "a cat\non a\r\nmat", negative_prompt: "dogs" });
    expect(lastBody(emulator).text_prompts).toEqual([
      { text: "a cat on a mat", weight: 1 },
      { text: "dogs", weight: -1 },
    ]);
    // BerriAI/litellm amazon_titan_transformation.py (_transform_request): negativeText.
    await generate({ model: TITAN_IMAGE, prompt: "a cat", negativeText: "dogs" });
    expect(lastBody(emulator).textToImageParams).toEqual({ text: "a cat", negativeText: "dogs" });
    expect(lastBody(emulator).negativeText).toBeUndefined();
  });

  it("request errors: empty prompt, URL results, a chat model", async () => {
    await refused(() => bedrock.images.generate({ model: TITAN_IMAGE, prompt: " " }));
    await refused(() =>
      bedrock.images.generate({ model: TITAN_IMAGE, prompt: "x", response_format: "url" as never }),
    );
    await refused(() =>
      bedrock.images.generate({
        model: uncheckedModel("anthropic.claude-3-haiku-20240307-v1:0"),
        prompt: "x",
      }),
    );
  });

  it("a filtered image is a ContentFilterError, not an empty result", async () => {
    const isolated = await startEmulator({
      mode: "replay",
      fixtures: [
        {
          source:
            "written for bedrock-forge's runtime tests, in the shape of Titan Image's documented error field",
          operation: "invoke",
          modelId: TITAN_IMAGE,
          request: null,
          response: { images: [], error: "This request has been blocked by our content filters." },
        },
      ],
    });
    try {
      const client = createBedrock({ region: "us-east-1", endpoint: isolated.url, credentials });
      const error = await failure(client.images.generate({ model: TITAN_IMAGE, prompt: "x" }));
      expect(ContentFilterError.isInstance(error)).toBe(true);
      expect(error.message).toMatch(/content filters/);
    } finally {
      await isolated.close();
    }
  });
});
