import { afterEach, describe, expect, it } from "vitest";
import { loadFixture, type Replay, replay } from "./fixture-replay.js";

const family = "amazon-nova-canvas";
const png = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=";
let server: Replay | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe("amazon-nova-canvas contract", () => {
  it("images: two images in one call", async () => {
    const fixture = loadFixture(family, "images");
    server = await replay(fixture);
    const result = await server.bedrock.images.generate({
      model: "amazon.nova-canvas-v1:0",
      prompt: "A lighthouse on a cliff at sunset",
      negative_prompt: "blurry",
      n: 2,
      quality: "standard",
      size: "1280x720",
      cfg_scale: 6.5,
      seed: 12,
    });
    expect(server.received).toEqual([fixture.request]);
    expect(result.data).toEqual([{ b64_json: png }, { b64_json: png }]);
    // 1280x720 has fewer pixels than 1024x1024: the first price tier.
    expect(result.usage).toMatchObject({ images: 2, cost: 0.08 });
  });

  it("images: an error field in a 200 answer is an error", async () => {
    const fixture = loadFixture(family, "images");
    server = await replay(fixture, {
      respond: () => ({ images: [], error: "The generated image has been blocked by our content filters." }),
    });
    await expect(
      server.bedrock.images.generate({ model: "amazon.nova-canvas-v1:0", prompt: "x", size: "1024x1024" }),
    ).rejects.toThrow(/content filters/);
  });
});
