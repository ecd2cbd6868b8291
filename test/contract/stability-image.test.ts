import { afterEach, describe, expect, it } from "vitest";
import { loadFixture, type Replay, replay } from "./fixture-replay.js";

const family = "stability-image";
const png = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=";
let server: Replay | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe("stability-image contract", () => {
  it("images: prompt, negative_prompt, the size as its aspect ratio, seed and output_format", async () => {
    const fixture = loadFixture(family, "images");
    server = await replay(fixture);
    const result = await server.bedrock.images.generate({
      model: "stability.stable-image-ultra-v1:1",
      prompt: "A lighthouse on a cliff at sunset",
      negative_prompt: "blurry",
      size: "1344x768",
      seed: 2130420379,
      output_format: "png",
    });
    expect(server.received[0]).toEqual(fixture.request);
    expect(result.data).toEqual([{ b64_json: png, seed: 2130420379 }]);
    expect(result.usage).toMatchObject({ images: 1, cost: 0.14 });
  });

  it("images: a filter finish reason is a content-filter error", async () => {
    const fixture = loadFixture(family, "images-filtered");
    server = await replay(fixture);
    await expect(
      server.bedrock.images.generate({
        model: "stability.stable-image-core-v1:1",
        prompt: "A lighthouse on a cliff at sunset",
        size: "1024x1024",
      }),
    ).rejects.toThrow(/filter/i);
    expect(server.received[0]).toEqual(fixture.request);
  });
});
