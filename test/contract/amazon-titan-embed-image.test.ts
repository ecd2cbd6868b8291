import { afterEach, describe, expect, it } from "vitest";
import { loadFixture, type Replay, replay } from "./fixture-replay.js";

const family = "amazon-titan-embed-image";
const png = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=";
let server: Replay | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe("amazon-titan-embed-image contract", () => {
  it("text: dimensions become embeddingConfig.outputEmbeddingLength", async () => {
    const fixture = loadFixture(family, "embeddings");
    server = await replay(fixture);
    const result = await server.bedrock.embeddings.create({
      model: "amazon.titan-embed-image-v1",
      input: "A red square",
      dimensions: 256,
    });
    expect(server.received[0]).toEqual(fixture.request);
    expect(result.data[0]?.embedding).toEqual([0.0131, -0.0207, 0.0415, 0.0068]);
    expect(result.usage.prompt_tokens).toBe(4);
  });

  it("image: a data URL becomes base64 inputImage", async () => {
    const fixture = loadFixture(family, "embeddings-image");
    server = await replay(fixture);
    const result = await server.bedrock.embeddings.create({
      model: "amazon.titan-embed-image-v1",
      input: { type: "image_url", image_url: { url: `data:image/png;base64,${png}` } },
    });
    expect(server.received[0]).toEqual(fixture.request);
    expect(result.data[0]?.embedding).toEqual([0.0242, -0.0119, 0.0063, 0.031]);
  });

  it("rejects a dimension the model does not offer", async () => {
    const fixture = loadFixture(family, "embeddings");
    server = await replay(fixture);
    await expect(
      server.bedrock.embeddings.create({ model: "amazon.titan-embed-image-v1", input: "x", dimensions: 512 }),
    ).rejects.toThrow(/dimensions/);
    expect(server.received).toHaveLength(0);
  });
});
