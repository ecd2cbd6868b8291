import { afterEach, describe, expect, it } from "vitest";
import { loadFixture, type Replay, replay } from "./fixture-replay.js";

const family = "cohere-embed";
let server: Replay | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe("cohere-embed contract", () => {
  it("v3: texts in one call with the default input_type; float lists back; tokens from headers", async () => {
    const fixture = loadFixture(family, "embeddings");
    server = await replay(fixture);
    const result = await server.bedrock.embeddings.create({
      model: "cohere.embed-english-v3",
      input: ["Hello World!", "Goodbye cruel world!"],
    });
    expect(server.received).toEqual([fixture.request]);
    expect(result.data).toEqual([
      { object: "embedding", index: 0, embedding: [-0.041503906, -0.026153564, -0.070373535, -0.057525635] },
      { object: "embedding", index: 1, embedding: [0.007972717, 0.0024280548, -0.023376465, -0.036071777] },
    ]);
    expect(result.usage).toMatchObject({ prompt_tokens: 7, total_tokens: 7 });
  });

  it("v4: output_dimension and embedding_types; vectors read from embeddings.float", async () => {
    const fixture = loadFixture(family, "embeddings-by-type");
    server = await replay(fixture);
    const result = await server.bedrock.embeddings.create({
      model: "cohere.embed-v4:0",
      input: ["Hello World!"],
      input_type: "search_query",
      dimensions: 256,
      embedding_types: ["float"],
    });
    expect(server.received[0]).toEqual(fixture.request);
    expect(result.data[0]?.embedding).toEqual([0.0123, -0.0456, 0.0789, -0.0101]);
    expect(result.usage.prompt_tokens).toBe(3);
  });

  it("splits more than 96 texts into calls of at most 96 and keeps the input order", async () => {
    const fixture = loadFixture(family, "embeddings");
    // Each text's vector is [its number]: the answer for a batch of texts "text N".
    server = await replay(fixture, {
      respond: (body) => ({
        embeddings: (body.texts as string[]).map((text) => [Number(text.split(" ")[1])]),
        id: "batch",
        response_type: "embeddings_floats",
        texts: body.texts,
      }),
    });
    const input = Array.from({ length: 100 }, (_, index) => `text ${index}`);
    const result = await server.bedrock.embeddings.create({ model: "cohere.embed-multilingual-v3", input });
    const sizes = server.received.map((body) => (body.texts as string[]).length).sort((a, b) => b - a);
    expect(sizes).toEqual([96, 4]);
    expect(result.data.map((item) => item.embedding)).toEqual(input.map((_, index) => [index]));
    expect(result.data.map((item) => item.index)).toEqual(input.map((_, index) => index));
  });
});
