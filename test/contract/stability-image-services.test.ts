/**
 * Stability AI's Image Services (one family per request shape) through `images.edit`, the real AWS SDK and
 * the emulator replaying each service's fixture (test/fixtures/stability-*\/images-edit*.json, from AWS's
 * documented body and response; sources in each file). The OpenAI-shaped requests are written here, by
 * hand: the native body the emulator received must be the fixture's request, field for field.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { ImageEditModelRef, ImageEditParams } from "../../runtime/index.js";
import { loadFixture, type Replay, replay } from "./fixture-replay.js";

const photo = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAFklEQVR4nGOYmWY8M82EYUaa8Yw0EwAjHgTJMe9q2wAAAABJRU5ErkJggg==",
  "base64",
);
const mask =
  "iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAE0lEQVR4nGNgAAFGhv8MDP8ZGAEJDgIBoyZXcAAAAABJRU5ErkJggg==";
const style =
  "iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAFklEQVR4nGNIM56ZZjyLIdV4ZqrxLAAgugTJBnMrmQAAAABJRU5ErkJggg==";
const answer =
  "iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAF0lEQVR4nGOYvej37EV/GGYt+j1r0R8APK4I4dj+z5IAAAAASUVORK5CYII=";
const prompt = "Create an image of a panda";
const seed = 2130420379;

interface ServiceCase {
  readonly service: string;
  readonly family: string;
  readonly scenario: string;
  readonly request: ImageEditParams<ImageEditModelRef>;
}

/** Each service's request in OpenAI's images.edit shape, with its own params beside OpenAI's. */
const services: readonly ServiceCase[] = [
  {
    service: "inpaint (image, mask, prompt, negative prompt, grow_mask, style preset)",
    family: "stability-inpaint",
    scenario: "images-edit",
    request: {
      model: "stability.stable-image-inpaint-v1:0",
      image: photo,
      mask: `data:image/png;base64,${mask}`,
      prompt,
      negative_prompt: "blurry",
      grow_mask: 5,
      style_preset: "photographic",
      seed,
      output_format: "png",
      response_format: "b64_json",
    },
  },
  {
    service: "erase object (image and mask, no prompt)",
    family: "stability-erase-object",
    scenario: "images-edit",
    request: {
      model: "us.stability.stable-image-erase-object-v1:0",
      image: photo,
      mask,
      grow_mask: 5,
      seed,
      output_format: "png",
    },
  },
  {
    service: "outpaint (left and right)",
    family: "stability-outpaint",
    scenario: "images-edit",
    request: {
      model: "stability.stable-outpaint-v1:0",
      image: photo,
      prompt,
      left: 200,
      right: 200,
      creativity: 0.5,
      seed,
      output_format: "png",
    },
  },
  {
    service: "remove background (image only, webp)",
    family: "stability-remove-background",
    scenario: "images-edit",
    request: {
      model: "stability.stable-image-remove-background-v1:0",
      image: [photo],
      output_format: "webp",
    },
  },
  {
    service: "search and replace (search_prompt)",
    family: "stability-search-replace",
    scenario: "images-edit",
    request: {
      model: "stability.stable-image-search-replace-v1:0",
      image: photo,
      prompt,
      search_prompt: "cat",
      negative_prompt: "blurry",
      grow_mask: 3,
      seed,
      output_format: "png",
    },
  },
  {
    service: "search and recolor (select_prompt)",
    family: "stability-search-recolor",
    scenario: "images-edit",
    request: {
      model: "stability.stable-image-search-recolor-v1:0",
      image: photo,
      prompt: "a pink jacket",
      select_prompt: "jacket",
      grow_mask: 3,
      seed,
      output_format: "png",
    },
  },
  {
    service: "fast upscale (image only, jpeg)",
    family: "stability-fast-upscale",
    scenario: "images-edit",
    request: { model: "stability.stable-fast-upscale-v1:0", image: photo, output_format: "jpeg" },
  },
  {
    service: "conservative upscale (creativity)",
    family: "stability-conservative-upscale",
    scenario: "images-edit",
    request: {
      model: "stability.stable-conservative-upscale-v1:0",
      image: photo,
      prompt,
      negative_prompt: "blurry",
      creativity: 0.35,
      seed,
      output_format: "png",
    },
  },
  {
    service: "creative upscale (creativity, style preset)",
    family: "stability-creative-upscale",
    scenario: "images-edit",
    request: {
      model: "stability.stable-creative-upscale-v1:0",
      image: photo,
      prompt,
      creativity: 0.3,
      style_preset: "enhance",
      seed,
      output_format: "png",
    },
  },
  {
    service: "control sketch (control_strength)",
    family: "stability-image-control",
    scenario: "images-edit-sketch",
    request: {
      model: "stability.stable-image-control-sketch-v1:0",
      image: photo,
      prompt,
      control_strength: 0.7,
      negative_prompt: "blurry",
      seed,
      output_format: "png",
    },
  },
  {
    service: "control structure (control_strength, style preset)",
    family: "stability-image-control",
    scenario: "images-edit-structure",
    request: {
      model: "stability.stable-image-control-structure-v1:0",
      image: photo,
      prompt,
      control_strength: 0.6,
      style_preset: "anime",
      seed,
      output_format: "png",
    },
  },
  {
    service: "style guide (the size as its aspect ratio, fidelity)",
    family: "stability-style-guide",
    scenario: "images-edit",
    request: {
      model: "stability.stable-image-style-guide-v1:0",
      image: photo,
      prompt,
      size: "1344x768",
      fidelity: 0.5,
      negative_prompt: "blurry",
      seed,
      output_format: "png",
    },
  },
  {
    service: "style transfer (the image, then the style image)",
    family: "stability-style-transfer",
    scenario: "images-edit",
    request: {
      model: "stability.stable-style-transfer-v1:0",
      image: [photo, style],
      prompt,
      style_strength: 1,
      composition_fidelity: 0.9,
      change_strength: 0.9,
      seed,
      output_format: "png",
    },
  },
];

let server: Replay | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe("Stability AI Image Services contract", () => {
  it("covers every image-edit model of the catalog", async () => {
    const { catalog } = await import("../../generated/catalog.js");
    const editModels = Object.values(catalog)
      .filter((entry) => entry.operations.includes("images-edit"))
      .map((entry) => entry.id)
      .sort();
    const tested = services.map(({ request }) => request.model.replace(/^us\./, "")).sort();
    expect(tested).toEqual(editModels);
  });

  it.each(services)("$service", async ({ family, scenario, request }) => {
    const fixture = loadFixture(family, scenario);
    server = await replay(fixture);
    const result = await server.bedrock.images.edit(request);
    expect(server.received).toEqual([fixture.request]);
    // Profile-only: a bare id goes out as the `us.` profile of the client's Region (us-east-1).
    expect(server.modelIds).toEqual([fixture.modelId]);
    expect(result.data).toEqual([{ b64_json: answer, seed }]);
    // AWS's Price List has no price for these services.
    expect(result.usage).toEqual({ images: 1, cost: null });
  });

  it("a filter finish reason is a content-filter error naming it", async () => {
    const fixture = loadFixture("stability-inpaint", "images-edit-filtered");
    server = await replay(fixture);
    await expect(
      server.bedrock.images.edit({ model: "stability.stable-image-inpaint-v1:0", image: photo, prompt }),
    ).rejects.toMatchObject({
      name: "ContentFilterError",
      message: expect.stringContaining("Filter reason: input image"),
    });
    expect(server.received).toEqual([fixture.request]);
  });
});
