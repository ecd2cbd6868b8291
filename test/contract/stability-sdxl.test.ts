import { afterEach, describe, expect, it } from "vitest";
import { loadFixture, type Replay, replay } from "./fixture-replay.js";

const family = "stability-sdxl";
const png = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=";
let server: Replay | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe("stability-sdxl contract", () => {
  it("images: weighted text_prompts with the negative prompt at -1, width/height, sampler settings", async () => {
    const fixture = loadFixture(family, "images");
    server = await replay(fixture);
    const result = await server.bedrock.images.generate({
      model: "stability.stable-diffusion-xl-v1",
      prompt: "A lighthouse on a cliff at sunset",
      negative_prompt: "blurry",
      size: "1024x1024",
      cfg_scale: 7,
      seed: 42,
      steps: 30,
      style_preset: "photographic",
    });
    expect(server.received[0]).toEqual(fixture.request);
    expect(result.data).toEqual([{ b64_json: png, seed: 42 }]);
    expect(result.usage).toMatchObject({ images: 1, cost: 0.04 });
  });

  it("images: a CONTENT_FILTERED artifact is a content-filter error", async () => {
    const fixture = loadFixture(family, "images-filtered");
    server = await replay(fixture);
    await expect(
      server.bedrock.images.generate({
        model: "stability.stable-diffusion-xl-v1",
        prompt: "A lighthouse on a cliff at sunset",
        size: "1024x1024",
      }),
    ).rejects.toThrow(/filter/i);
    expect(server.received[0]).toEqual(fixture.request);
  });

  it("rejects a size outside SDXL's list", async () => {
    const fixture = loadFixture(family, "images");
    server = await replay(fixture);
    await expect(
      server.bedrock.images.generate({
        model: "stability.stable-diffusion-xl-v1",
        prompt: "x",
        size: "1000x1000",
      }),
    ).rejects.toThrow(/size/);
    expect(server.received).toHaveLength(0);
  });
});
