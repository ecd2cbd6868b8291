/**
 * `POST /v1/images/edits` with the official `openai` client's `images.edit` (a multipart/form-data upload:
 * openai-node's `multipartFormRequestOptions` sends `image`, `image[]` per image of a list, `mask`, and every
 * other field as text, `stream=false` included) and as JSON (base64, data URLs, OpenAI's
 * `images: [{ image_url }]`), through the proxy to the emulator.
 */
import { toFile } from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodePng, readPngSize } from "../../emulator/synthesize/png.js";
import { type Harness, paramsFor, postRaw, startHarness, waitFor } from "./helpers.js";

const photo = encodePng(48, 32, 7);
const mask = encodePng(48, 32, 0);
const style = encodePng(16, 16, 99);
const base64 = (bytes: Buffer) => bytes.toString("base64");

/** Model names of the proxy's config and the Bedrock models behind them. */
const models: Record<string, string> = {
  inpaint: "stability.stable-image-inpaint-v1:0",
  outpaint: "stability.stable-outpaint-v1:0",
  "search-replace": "stability.stable-image-search-replace-v1:0",
  "style-transfer": "stability.stable-style-transfer-v1:0",
  "remove-background": "stability.stable-image-remove-background-v1:0",
  "style-guide": "stability.stable-image-style-guide-v1:0",
  chat: "anthropic.claude-3-haiku-20240307-v1:0",
};

describe("POST /v1/images/edits", () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness((emulator) => ({
      model_list: Object.entries(models).map(([name, model]) => ({
        model_name: name,
        litellm_params: paramsFor(emulator, model),
      })),
    }));
  });
  afterAll(async () => harness?.close());

  let seen = 0;
  /**
   * The body and model id of the InvokeModel call the emulator answered last. It logs a request a moment
   * after the proxy answers, so this waits for one not seen yet (the bound is for liveness only).
   */
  async function lastCall(): Promise<{ modelId: string; body: Record<string, unknown> }> {
    await waitFor(() => harness.emulator.requests.length > seen, 10_000);
    seen = harness.emulator.requests.length;
    const sent = harness.emulator.requests.at(-1)!;
    return { modelId: sent.modelId ?? "", body: sent.body as Record<string, unknown> };
  }

  it("edits an uploaded image and mask with openai's images.edit (multipart), typed form fields included", async () => {
    const client = harness.client();
    const result = await client.images.edit({
      model: "inpaint",
      image: await toFile(photo, "photo.png", { type: "image/png" }),
      mask: await toFile(mask, "mask.png", { type: "image/png" }),
      prompt: "a red door",
      response_format: "b64_json",
      // Bedrock-specific fields travel beside OpenAI's, as form text the proxy types.
      ...({ grow_mask: 7, seed: 42, negative_prompt: "blur" } as object),
    });
    const image = Buffer.from(result.data![0]!.b64_json!, "base64");
    expect(readPngSize(image)).toEqual({ width: 48, height: 32 });
    const { modelId, body } = await lastCall();
    expect(modelId).toBe("us.stability.stable-image-inpaint-v1:0");
    expect(body).toEqual({
      image: base64(photo),
      mask: base64(mask),
      prompt: "a red door",
      negative_prompt: "blur",
      grow_mask: 7,
      seed: 42,
    });
    expect((result as unknown as { usage: unknown }).usage).toEqual({ images: 1, cost: null });
  });

  it("sends a list of images (image[] in the form) to a model that takes two, and n as that many calls", async () => {
    const before = harness.emulator.requests.length;
    const result = await harness.client().images.edit({
      model: "style-transfer",
      image: [await toFile(photo, "photo.png"), await toFile(style, "style.jpg")],
      prompt: "",
      n: 2,
      ...({ style_strength: 0.5, composition_fidelity: 1 } as object),
    });
    expect(result.data).toHaveLength(2);
    await waitFor(() => harness.emulator.requests.length === before + 2, 10_000);
    seen = before + 2;
    for (const sent of harness.emulator.requests.slice(before)) {
      expect(sent.body).toEqual({
        init_image: base64(photo),
        style_image: base64(style),
        style_strength: 0.5,
        composition_fidelity: 1,
      });
    }
  });

  it("reads outpaint's directions and a required provider param from form text as numbers and text", async () => {
    await harness.client().images.edit({
      model: "outpaint",
      image: await toFile(photo, "photo.png"),
      prompt: "more sky",
      ...({ up: 64, left: "0", creativity: 0.25 } as object),
    });
    expect((await lastCall()).body).toEqual({
      image: base64(photo),
      prompt: "more sky",
      up: 64,
      left: 0,
      creativity: 0.25,
    });
    await harness.client().images.edit({
      model: "search-replace",
      image: await toFile(photo, "photo.png"),
      prompt: "a dog",
      // A text param whose value looks like a number stays text: its schema says string.
      ...({ search_prompt: "2024" } as object),
    });
    expect((await lastCall()).body).toEqual({ image: base64(photo), prompt: "a dog", search_prompt: "2024" });
  });

  it("drops the prompt of a model that takes none, and maps size to the model's aspect ratio", async () => {
    await harness.client().images.edit({
      model: "remove-background",
      image: await toFile(photo, "photo.png"),
      prompt: "ignored",
    });
    expect((await lastCall()).body).toEqual({ image: base64(photo) });
    await harness.client().images.edit({
      model: "style-guide",
      image: await toFile(photo, "photo.png"),
      prompt: "a castle",
      size: "1024x1536",
    });
    expect((await lastCall()).body).toEqual({
      image: base64(photo),
      prompt: "a castle",
      aspect_ratio: "2:3",
    });
  });

  it("takes JSON with base64 and data URLs, and OpenAI's images: [{ image_url }] with mask: { image_url }", async () => {
    const plain = await postRaw(
      `${harness.proxy.url}/v1/images/edits`,
      JSON.stringify({
        model: "inpaint",
        image: base64(photo),
        mask: `data:image/png;base64,${base64(mask)}`,
        prompt: "a blue door",
      }),
    );
    expect(plain.status).toBe(200);
    expect((await lastCall()).body).toEqual({
      image: base64(photo),
      mask: base64(mask),
      prompt: "a blue door",
    });
    const referenced = await postRaw(
      `${harness.proxy.url}/images/edits`,
      JSON.stringify({
        model: "style-transfer",
        images: [
          { image_url: `data:image/png;base64,${base64(photo)}` },
          { image_url: `data:image/png;base64,${base64(style)}` },
        ],
        prompt: "oil painting",
      }),
    );
    expect(referenced.status).toBe(200);
    expect((referenced.json as { data: unknown[] }).data).toHaveLength(1);
    expect((await lastCall()).body).toEqual({
      init_image: base64(photo),
      style_image: base64(style),
      prompt: "oil painting",
    });
  });

  it.each([
    ["no image", { model: "inpaint", prompt: "x" }, 400, "image is required"],
    ["an unknown model name", { model: "nope", image: "x" }, 404, "nope"],
    ["a chat model", { model: "chat", image: "x", prompt: "x" }, 400, "images-edit"],
    [
      "both image and images",
      { model: "inpaint", image: "x", images: [{ image_url: "y" }] },
      400,
      "not both",
    ],
    ["a Files API id", { model: "inpaint", images: [{ file_id: "file-1" }] }, 400, "images[0].file_id"],
    ["response_format url", { model: "inpaint", image: "x", response_format: "url" }, 400, "response_format"],
    [
      "bytes that are no image",
      { model: "inpaint", image: base64(Buffer.from("hello")), prompt: "x" },
      400,
      "not a PNG, JPEG or WebP",
    ],
    [
      "a mask for a model without one",
      { model: "outpaint", image: base64(photo), mask: base64(mask), up: 8 },
      400,
      "mask is not supported",
    ],
    [
      "a missing required param",
      { model: "search-replace", image: base64(photo), prompt: "x" },
      400,
      "search_prompt is required",
    ],
    [
      "an image too many",
      { model: "inpaint", image: [base64(photo), base64(photo)], prompt: "x" },
      400,
      "takes exactly 1 image",
    ],
  ])("refuses %s with OpenAI's error body, before any Bedrock call", async (_what, body, status, message) => {
    const before = harness.emulator.requests.length;
    const response = await postRaw(`${harness.proxy.url}/v1/images/edits`, JSON.stringify(body));
    expect(response.status).toBe(status);
    const error = (response.json as { error: { message: string; type: string } }).error;
    expect(error.type).toBe("invalid_request_error");
    expect(error.message).toContain(message);
    expect(harness.emulator.requests.length).toBe(before);
  });

  it("refuses a form with a field given twice, nested fields, and a malformed body, naming the problem", async () => {
    const url = `${harness.proxy.url}/v1/images/edits`;
    const twice = new FormData();
    twice.append("model", "inpaint");
    twice.append("model", "outpaint");
    const nested = new FormData();
    nested.append("model", "inpaint");
    nested.append("metadata[a]", "b");
    for (const [form, message] of [
      [twice, 'form field "model" is given more than once'],
      [nested, 'form field "metadata[a]": nested fields'],
    ] as const) {
      const response = await fetch(url, { method: "POST", body: form });
      expect(response.status).toBe(400);
      expect(((await response.json()) as { error: { message: string } }).error.message).toContain(message);
    }
    const broken = await postRaw(url, "--x\r\nnot a part", {
      "content-type": "multipart/form-data; boundary=x",
    });
    expect(broken.status).toBe(400);
    expect((broken.json as { error: { code: string } }).error.code).toBe("invalid_multipart");
  });

  it("refuses stream=true from the openai client with a clear error", async () => {
    await expect(
      harness.client().images.edit({
        model: "inpaint",
        image: await toFile(photo, "photo.png"),
        prompt: "x",
        stream: true,
      }),
    ).rejects.toMatchObject({ status: 400, message: expect.stringContaining("streaming image edits") });
  });
});
