import { afterEach, describe, expect, it } from "vitest";
import { loadFixture, type Replay, replay } from "./fixture-replay.js";

const family = "amazon-titan-image";
const png = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=";
let server: Replay | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe("amazon-titan-image contract", () => {
  it("images: TEXT_IMAGE with negativeText, premium quality", async () => {
    const fixture = loadFixture(family, "images");
    server = await replay(fixture);
    const result = await server.bedrock.images.generate({
      model: "amazon.titan-image-generator-v2:0",
      prompt: "A lighthouse on a cliff at sunset",
      negative_prompt: "blurry",
      n: 1,
      quality: "premium",
      size: "1024x1024",
      cfg_scale: 8,
      seed: 42,
    });
    expect(server.received[0]).toEqual(fixture.request);
    expect(result.data).toEqual([{ b64_json: png }]);
    expect(result.usage).toMatchObject({ images: 1, cost: 0.012 });
  });

  it("OpenAI's quality hd is Titan's premium", async () => {
    const fixture = loadFixture(family, "images");
    server = await replay(fixture);
    await server.bedrock.images.generate({
      model: "amazon.titan-image-generator-v1",
      prompt: "A lighthouse on a cliff at sunset",
      quality: "hd",
      size: "512x512",
    });
    expect(server.received[0]).toEqual({
      taskType: "TEXT_IMAGE",
      textToImageParams: { text: "A lighthouse on a cliff at sunset" },
      imageGenerationConfig: { quality: "premium", width: 512, height: 512 },
    });
  });
});
