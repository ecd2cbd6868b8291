/**
 * `images.edit` through the public API, the real AWS SDK and the emulator (synthesizing): every image-edit
 * model answers a PNG; input images in every accepted form; the refusals a bad request gets before any
 * call (checked against the emulator's request log), each naming the param; warnings; `n`; and the
 * emulator's own strictness on native bodies Bedrock would refuse.
 */
import { BedrockRuntimeClient, InvokeModelCommand } from "@aws-sdk/client-bedrock-runtime";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Emulator, startEmulator } from "../../emulator/index.js";
import { encodePng, readPngSize } from "../../emulator/synthesize/png.js";
import { catalog } from "../../generated/catalog.js";
import { detectImageFormat } from "../../runtime/images-edit.js";
import { type Bedrock, createBedrock, RequestValidationError, uncheckedModel } from "../../runtime/index.js";
import { credentials, failure } from "./live.js";

const INPAINT = "stability.stable-image-inpaint-v1:0";
const OUTPAINT = "stability.stable-outpaint-v1:0";
const SEARCH_REPLACE = "stability.stable-image-search-replace-v1:0";
const FAST_UPSCALE = "stability.stable-fast-upscale-v1:0";
const STYLE_GUIDE = "stability.stable-image-style-guide-v1:0";
const STYLE_TRANSFER = "stability.stable-style-transfer-v1:0";
const CREATIVE_UPSCALE = "stability.stable-creative-upscale-v1:0";

const photo = encodePng(40, 24, 5);
const photoBase64 = photo.toString("base64");
/** The first bytes of a JPEG (SOI and an APP0 marker) and of a WebP (RIFF….WEBP) file: enough to be taken. */
const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46]);
const webp = Buffer.concat([Buffer.from("RIFF"), Buffer.from([4, 0, 0, 0]), Buffer.from("WEBPVP8 ")]);

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

/** The native bodies of the calls an edit made, and its result. */
async function edit(body: Record<string, unknown>) {
  const before = emulator.requests.length;
  const result = await bedrock.images.edit(body as never);
  const requests = emulator.requests.slice(before);
  return { result, bodies: requests.map((request) => request.body as Record<string, unknown>), requests };
}

/** Refused before any call, with a request error naming `param`. */
async function refused(body: Record<string, unknown>, param: string, message: RegExp) {
  const before = emulator.requests.length;
  const error = await failure(bedrock.images.edit(body as never));
  expect(RequestValidationError.isInstance(error), String(error)).toBe(true);
  expect(error.param).toBe(param);
  expect(error.message).toMatch(message);
  expect(emulator.requests.length).toBe(before);
}

/** The least each family needs, written from its spec: input images, and its required fields. */
const minimal: Readonly<Record<string, Record<string, unknown>>> = {
  "stability-inpaint": { prompt: "a door" },
  "stability-erase-object": {},
  "stability-outpaint": { up: 16 },
  "stability-remove-background": {},
  "stability-search-replace": { prompt: "a dog", search_prompt: "cat" },
  "stability-search-recolor": { prompt: "red", select_prompt: "car" },
  "stability-fast-upscale": {},
  "stability-conservative-upscale": { prompt: "a photo" },
  "stability-creative-upscale": { prompt: "a photo" },
  "stability-image-control": { prompt: "a house" },
  "stability-style-guide": { prompt: "a castle" },
  "stability-style-transfer": { image: [photo, photo] },
};

describe("images.edit against the emulator", () => {
  const editModels = Object.values(catalog).filter((entry) => entry.operations.includes("images-edit"));

  it("knows every image-edit family (a new one needs its minimal request here)", () => {
    expect([...new Set(editModels.map((entry) => entry.family))].sort()).toEqual(Object.keys(minimal).sort());
  });

  it.each(editModels.map((entry) => [entry.id, entry.family] as const))(
    "%s answers a PNG as large as the input, through its us. profile",
    async (id, family) => {
      const { result, requests } = await edit({ model: id, image: photo, ...minimal[family] });
      expect(requests.map((request) => request.modelId)).toEqual([`us.${id}`]);
      expect(result.data).toHaveLength(1);
      const size = readPngSize(Buffer.from(result.data[0]!.b64_json, "base64"));
      expect(size).toEqual({ width: 40, height: 24 });
      expect(result.usage).toEqual({ images: 1, cost: null });
      expect(result.model).toBe(id);
    },
  );

  it("takes the image as bytes, a Blob, base64, a data URL, JPEG and WebP bytes, and a fetched URL", async () => {
    const fetched: string[] = [];
    const fetchImage = async (url: string) => {
      fetched.push(url);
      return { bytes: new Uint8Array(photo), mediaType: "image/png" };
    };
    const forms: [unknown, string][] = [
      [photo, photoBase64],
      [new Uint8Array(photo), photoBase64],
      [new Blob([photo], { type: "image/png" }), photoBase64],
      [photoBase64, photoBase64],
      [`data:image/png;base64,${photoBase64}`, photoBase64],
      [jpeg, jpeg.toString("base64")],
      [webp.toString("base64"), webp.toString("base64")],
      ["https://example.com/photo.png", photoBase64],
    ];
    for (const [image, sent] of forms) {
      const { bodies } = await edit({ model: FAST_UPSCALE, image, fetchImage });
      expect(bodies).toEqual([{ image: sent }]);
    }
    expect(fetched).toEqual(["https://example.com/photo.png"]);
  });

  it("maps the size to the nearest aspect ratio the model offers", async () => {
    const { bodies, result } = await edit({
      model: STYLE_GUIDE,
      image: photo,
      prompt: "a castle",
      size: "1920x1080",
    });
    expect(bodies[0]).toEqual({ image: photoBase64, prompt: "a castle", aspect_ratio: "16:9" });
    expect(readPngSize(Buffer.from(result.data[0]!.b64_json, "base64"))).toEqual({ width: 114, height: 64 });
  });

  it("sends n calls for n images, with the seed on every call", async () => {
    const { bodies, result } = await edit({ model: INPAINT, image: photo, prompt: "a door", n: 3, seed: 9 });
    expect(bodies).toHaveLength(3);
    for (const body of bodies) expect(body).toEqual({ image: photoBase64, prompt: "a door", seed: 9 });
    expect(result.data.map((image) => image.seed)).toEqual([9, 9, 9]);
    expect(result.usage.images).toBe(3);
  });

  it("drops the prompt of a model that takes none with one warning per model", async () => {
    warnings.length = 0;
    const first = await edit({ model: FAST_UPSCALE, image: photo, prompt: "make it bigger" });
    await edit({ model: FAST_UPSCALE, image: photo, prompt: "again" });
    expect(first.bodies).toEqual([{ image: photoBase64 }]);
    expect(warnings).toEqual([
      `bedrock-forge: dropping prompt for ${FAST_UPSCALE}: the model takes no prompt`,
    ]);
    // An empty prompt (what OpenAI's clients send when there is none) is no prompt: nothing to warn about.
    warnings.length = 0;
    await edit({ model: "stability.stable-image-erase-object-v1:0", image: photo, prompt: "" });
    expect(warnings).toEqual([]);
  });

  it("drops a size for a model whose output follows its input under drop_params, with a warning", async () => {
    warnings.length = 0;
    const { bodies } = await edit({
      model: FAST_UPSCALE,
      image: photo,
      size: "1024x1024",
      drop_params: true,
    });
    expect(bodies).toEqual([{ image: photoBase64 }]);
    expect(warnings).toEqual([
      `bedrock-forge: dropping size for ${FAST_UPSCALE}: size is not supported by ${FAST_UPSCALE}: the result's size follows the input image (drop_params)`,
    ]);
  });

  it.each([
    ["no image", { model: INPAINT, prompt: "x" }, "image", /image is required/],
    [
      "an image too many",
      { model: INPAINT, image: [photo, photo], prompt: "x" },
      "image",
      /takes exactly 1 image \(image\); got 2/,
    ],
    [
      "an image too few",
      { model: STYLE_TRANSFER, image: [photo] },
      "image",
      /takes exactly 2 images \(init_image, then style_image\); got 1/,
    ],
    [
      "bytes that are no image",
      { model: INPAINT, image: Buffer.from("GIF89a"), prompt: "x" },
      "image",
      /not a PNG, JPEG or WebP image/,
    ],
    [
      "base64 that is not base64",
      { model: INPAINT, image: "not base64!", prompt: "x" },
      "image",
      /not valid base64/,
    ],
    [
      "a data URL of text",
      { model: INPAINT, image: "data:text/plain;base64,aGk=", prompt: "x" },
      "image",
      /data:image/,
    ],
    [
      "an http URL without fetchImage",
      { model: INPAINT, image: "https://example.com/a.png", prompt: "x" },
      "image",
      /fetchImage/,
    ],
    ["an image that is a number", { model: INPAINT, image: 7, prompt: "x" }, "image", /must be image bytes/],
    [
      "a second image that is no image",
      { model: STYLE_TRANSFER, image: [photo, "aGVsbG8="] },
      "image[1]",
      /not a PNG/,
    ],
    [
      "a mask that is no image",
      { model: INPAINT, image: photo, mask: "aGVsbG8=", prompt: "x" },
      "mask",
      /mask is not a PNG/,
    ],
    [
      "a mask for a model without one",
      { model: OUTPAINT, image: photo, mask: photo, up: 4 },
      "mask",
      /mask is not supported/,
    ],
    ["no prompt where one is needed", { model: INPAINT, image: photo }, "prompt", /non-empty string/],
    [
      "a blank prompt where one is needed",
      { model: INPAINT, image: photo, prompt: "  " },
      "prompt",
      /non-empty string/,
    ],
    [
      "a prompt that is not text",
      { model: INPAINT, image: photo, prompt: 5 },
      "prompt",
      /prompt must be a string/,
    ],
    [
      "a negative prompt for a model without one",
      { model: FAST_UPSCALE, image: photo, negative_prompt: "x" },
      "negative_prompt",
      /not supported/,
    ],
    [
      "a missing required provider param",
      { model: SEARCH_REPLACE, image: photo, prompt: "x" },
      "search_prompt",
      /search_prompt is required by/,
    ],
    [
      "none of outpaint's directions",
      { model: OUTPAINT, image: photo, prompt: "x" },
      "left",
      /needs at least one of left, right, up, down/,
    ],
    ["a direction out of range", { model: OUTPAINT, image: photo, left: 2001 }, "left", /between 0 and 2000/],
    [
      "creativity out of range",
      { model: CREATIVE_UPSCALE, image: photo, prompt: "x", creativity: 0.6 },
      "creativity",
      /between 0.1 and 0.5/,
    ],
    [
      "an output format the model lacks",
      { model: "stability.stable-image-remove-background-v1:0", image: photo, output_format: "jpeg" },
      "output_format",
      /allowed values are "png", "webp"/,
    ],
    [
      "a misspelled provider param",
      { model: SEARCH_REPLACE, image: photo, prompt: "x", search_prompt: "cat", grow_mak: 2 },
      "grow_mak",
      /did you mean grow_mask/,
    ],
    [
      "a size for a model whose output follows its input",
      { model: FAST_UPSCALE, image: photo, size: "512x512" },
      "size",
      /size is not supported/,
    ],
    [
      "an OpenAI param the model lacks",
      { model: FAST_UPSCALE, image: photo, quality: "high" },
      "quality",
      /quality is not supported/,
    ],
    [
      "response_format url",
      { model: INPAINT, image: photo, prompt: "x", response_format: "url" },
      "response_format",
      /b64_json/,
    ],
    [
      "stream: true",
      { model: INPAINT, image: photo, prompt: "x", stream: true },
      "stream",
      /streaming image edits/,
    ],
    ["n above 10", { model: INPAINT, image: photo, prompt: "x", n: 11 }, "n", /use 1 to 10/],
    ["n of 0", { model: INPAINT, image: photo, prompt: "x", n: 0 }, "n", /use 1 to 10/],
  ])("refuses %s before any call, naming the param", async (_what, body, param, message) => {
    await refused(body, param, message);
  });

  it("passes a param of another service through (LiteLLM's policy for unknown params), which Bedrock refuses", async () => {
    const error = await failure(
      bedrock.images.edit({ model: INPAINT, image: photo, prompt: "x", search_prompt: "cat" } as never),
    );
    expect(error).toMatchObject({ name: "BedrockCallError", status: 400 });
    expect(error.message).toContain("extraneous key [search_prompt] is not permitted");
  });

  it("refuses a model without the operation, naming what it supports", async () => {
    const error = await failure(
      bedrock.images.edit({
        model: uncheckedModel("stability.stable-image-core-v1:1"),
        image: photo,
        prompt: "x",
      }),
    );
    expect(error.message).toMatch(/does not support images-edit \(it supports: images\)/);
  });
});

describe("the emulator's image-edit bodies", () => {
  /** Sends a native body straight through the SDK (no runtime checks in between). */
  async function invoke(modelId: string, body: unknown) {
    const client = new BedrockRuntimeClient({
      region: "us-east-1",
      endpoint: emulator.url,
      credentials,
      maxAttempts: 1,
    });
    try {
      return await client.send(
        new InvokeModelCommand({ modelId, body: JSON.stringify(body), contentType: "application/json" }),
      );
    } finally {
      client.destroy();
    }
  }

  it.each([
    [
      "a field the service does not take",
      SEARCH_REPLACE,
      { image: photoBase64, prompt: "a", search_prompt: "b", mask: photoBase64 },
    ],
    ["a missing required field", SEARCH_REPLACE, { image: photoBase64, prompt: "a" }],
    ["outpaint without a direction", OUTPAINT, { image: photoBase64 }],
    ["a style transfer without its style image", STYLE_TRANSFER, { init_image: photoBase64 }],
  ])("refuses %s as Bedrock's ValidationException", async (_what, model, body) => {
    await expect(invoke(`us.${model}`, body)).rejects.toMatchObject({ name: "ValidationException" });
  });

  it("refuses the bare id of a profile-only service as Bedrock does", async () => {
    await expect(invoke(INPAINT, { image: photoBase64, prompt: "a" })).rejects.toMatchObject({
      name: "ValidationException",
      message: expect.stringContaining("with on-demand throughput isn’t supported"),
    });
  });
});

describe("detectImageFormat", () => {
  it("names PNG, JPEG and WebP by their signatures", () => {
    expect(detectImageFormat(photo)).toBe("png");
    expect(detectImageFormat(jpeg)).toBe("jpeg");
    expect(detectImageFormat(webp)).toBe("webp");
    expect(detectImageFormat(Buffer.from("GIF89a"))).toBeUndefined();
    expect(detectImageFormat(new Uint8Array(0))).toBeUndefined();
  });

  it("takes no bytes for an image unless they start with one of the signatures (property)", () => {
    const signatures = [
      [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a],
      [0xff, 0xd8, 0xff],
      [0x52, 0x49, 0x46, 0x46],
    ];
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 24 }), (bytes) => {
        const format = detectImageFormat(bytes);
        const signed = signatures.some((signature) =>
          signature.every((byte, index) => bytes[index] === byte),
        );
        return format === undefined || signed;
      }),
    );
  });
});

describe("input images in any accepted form (property)", () => {
  it("sends the same base64 whether the image is bytes, base64 or a data URL", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 0, max: 0xffffff }),
        fc.constantFrom("bytes", "base64", "data-url", "blob"),
        async (width, height, seed, form) => {
          const bytes = encodePng(width, height, seed);
          const base64 = bytes.toString("base64");
          const image =
            form === "bytes"
              ? bytes
              : form === "base64"
                ? base64
                : form === "blob"
                  ? new Blob([bytes])
                  : `data:image/png;base64,${base64}`;
          const { bodies, result } = await edit({ model: FAST_UPSCALE, image });
          expect(bodies).toEqual([{ image: base64 }]);
          expect(readPngSize(Buffer.from(result.data[0]!.b64_json, "base64"))).toEqual({ width, height });
        },
      ),
      { numRuns: 12 },
    );
  });
});
