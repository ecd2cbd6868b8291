import { afterEach, describe, expect, it } from "vitest";
import { loadFixture, type Replay, replay } from "./fixture-replay.js";

const family = "amazon-nova-embed";
let server: Replay | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe("amazon-nova-embed contract", () => {
  it("text: a SINGLE_EMBEDDING request; embeddings[0].embedding back", async () => {
    const fixture = loadFixture(family, "embeddings");
    server = await replay(fixture);
    const result = await server.bedrock.embeddings.create({
      model: "amazon.nova-2-multimodal-embeddings-v1:0",
      input: "Hello World!",
      dimensions: 256,
    });
    expect(server.received[0]).toEqual(fixture.request);
    expect(result.data[0]?.embedding).toEqual([0.0201, -0.0334, 0.0157, 0.0049]);
    expect(result.usage.prompt_tokens).toBe(4);
  });

  it("input_type search_query becomes the GENERIC_RETRIEVAL purpose", async () => {
    const fixture = loadFixture(family, "embeddings");
    server = await replay(fixture);
    await server.bedrock.embeddings.create({
      model: "amazon.nova-2-multimodal-embeddings-v1:0",
      input: "Hello World!",
      input_type: "search_query",
      dimensions: 1024,
    });
    expect(server.received[0]).toMatchObject({
      singleEmbeddingParams: { embeddingPurpose: "GENERIC_RETRIEVAL", embeddingDimension: 1024 },
    });
  });
});
