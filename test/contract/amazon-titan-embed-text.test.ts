import { afterEach, describe, expect, it } from "vitest";
import { loadFixture, type Replay, replay } from "./fixture-replay.js";

const family = "amazon-titan-embed-text";
let server: Replay | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe("amazon-titan-embed-text contract", () => {
  it("G1: inputText out, embedding and inputTextTokenCount back", async () => {
    const fixture = loadFixture(family, "embeddings-g1");
    server = await replay(fixture);
    const result = await server.bedrock.embeddings.create({
      model: "amazon.titan-embed-text-v1",
      input: "Hello World!",
    });
    expect(server.received[0]).toEqual(fixture.request);
    expect(result.data).toEqual([
      {
        object: "embedding",
        index: 0,
        embedding: [
          0.45703125, 0.30078125, 0.41210938, 0.41015625, 0.74609375, 0.3828125, -0.018798828, -0.0010681152,
        ],
      },
    ]);
    expect(result.usage).toMatchObject({ prompt_tokens: 3, total_tokens: 3 });
  });

  it("V2: dimensions and normalize", async () => {
    const fixture = loadFixture(family, "embeddings-v2");
    server = await replay(fixture);
    const result = await server.bedrock.embeddings.create({
      model: "amazon.titan-embed-text-v2:0",
      input: ["Hello World!"],
      dimensions: 256,
      normalize: true,
    });
    expect(server.received[0]).toEqual(fixture.request);
    expect(result.data[0]?.embedding).toEqual([-0.0516, 0.0372, 0.0215, -0.0483]);
    expect(result.usage.prompt_tokens).toBe(4);
  });
});
