import { describe, expect, it } from "vitest";
import { catalog } from "../../generated/catalog.js";
import {
  computeChatCost,
  computeEmbeddingCost,
  computeImageCost,
  computeRerankCost,
  resolvePrice,
} from "../../runtime/cost.js";
import type { CatalogEntry } from "../../runtime/descriptor.js";

const entry = (price: CatalogEntry["price"], profiles: CatalogEntry["profiles"] = []): CatalogEntry => ({
  ...catalog["anthropic.claude-3-haiku-20240307-v1:0"],
  price,
  profiles,
});

describe("cost", () => {
  it("prices input, output and cache tokens per million", () => {
    const price = {
      input_per_mtok: 3,
      output_per_mtok: 15,
      cache_read_per_mtok: 0.3,
      cache_write_per_mtok: 3.75,
    };
    // 1000*3 + 2000*0.3 + 400*3.75 + 500*15 = 3000 + 600 + 1500 + 7500 = 12600 per million
    expect(
      computeChatCost(price, {
        inputTokens: 1000,
        outputTokens: 500,
        cacheReadTokens: 2000,
        cacheWriteTokens: 400,
      }),
    ).toBe(0.0126);
    expect(computeChatCost({}, { inputTokens: 1, outputTokens: 1 })).toBeNull();
  });

  it("applies profile overrides over region overrides over the base price", () => {
    const model = entry(
      {
        input_per_mtok: 3.3,
        output_per_mtok: 16.5,
        overrides: [
          { profile: "global", input_per_mtok: 3, output_per_mtok: 15 },
          { region: "eu-west-3", input_per_mtok: 3.5 },
        ],
      },
      ["us", "global"],
    );
    expect(resolvePrice(model, "global", "eu-west-3")).toEqual({ input_per_mtok: 3, output_per_mtok: 15 });
    expect(resolvePrice(model, "us", "eu-west-3")).toEqual({ input_per_mtok: 3.5, output_per_mtok: 16.5 });
    expect(resolvePrice(model, undefined, "us-east-1")).toEqual({
      input_per_mtok: 3.3,
      output_per_mtok: 16.5,
    });
  });

  it("prices images by size up to a limit, quality and steps", () => {
    const price = {
      images: [
        { size: "1024x1024", up_to: true, quality: "standard", usd: 0.04 },
        { size: "1024x1024", up_to: true, quality: "premium", usd: 0.06 },
        { size: "2048x2048", up_to: true, quality: "standard", usd: 0.06 },
      ],
    };
    expect(computeImageCost(price, 2, { size: "512x512" })).toBe(0.08);
    expect(computeImageCost(price, 1, { size: "1024x1024", quality: "premium" })).toBe(0.06);
    expect(computeImageCost(price, 1, { size: "2048x1024" })).toBe(0.06);
    const sdxl = {
      images: [
        { size: "1024x1024", up_to: true, usd: 0.04 },
        { size: "1024x1024", up_to: true, steps_over: 50, usd: 0.08 },
      ],
    };
    expect(computeImageCost(sdxl, 1, { size: "1024x1024", steps: 30 })).toBe(0.04);
    expect(computeImageCost(sdxl, 1, { size: "1024x1024", steps: 70 })).toBe(0.08);
  });

  it("prices embeddings per token and per image", () => {
    expect(computeEmbeddingCost({ embedding_per_mtok: 0.02 }, 5000)).toBe(0.0001);
    expect(computeEmbeddingCost({ embedding_per_mtok: 0.8, per_image: 0.00006 }, 1000, 2)).toBe(0.00092);
    expect(computeEmbeddingCost(undefined, 10)).toBeNull();
    // TwelveLabs Marengo: $0.00007 per text request and $0.0001 per image (Price List, 2026-10-06).
    const marengo = { per_request: 0.00007, per_image: 0.0001 };
    expect(computeEmbeddingCost(marengo, 12, 0, 3)).toBe(0.00021);
    expect(computeEmbeddingCost(marengo, 0, 2, 1)).toBe(0.00027);
  });

  it("prices rerank per query billed, with region overrides, and none without a per-query price", () => {
    // Bedrock's $2.00 per 1,000 queries; a request of 250 documents is billed as 3 queries.
    expect(computeRerankCost({ per_query: 0.002 }, 1)).toBe(0.002);
    expect(computeRerankCost({ per_query: 0.002 }, 3)).toBe(0.006);
    expect(computeRerankCost({ embedding_per_mtok: 0.1 }, 1)).toBeNull();
    expect(computeRerankCost(undefined, 1)).toBeNull();
    const model = entry({ per_query: 0.001, overrides: [{ region: "eu-central-1", per_query: 0.0012 }] });
    expect(computeRerankCost(resolvePrice(model, undefined, "eu-central-1"), 2)).toBe(0.0024);
    expect(computeRerankCost(resolvePrice(model, undefined, "us-west-2"), 2)).toBe(0.002);
  });

  it("gives every priced catalog model a cost it can compute, and unpriced ones none", () => {
    const unpriced = Object.values(catalog).filter((model) => Object.keys(model.price).length === 0);
    // Models AWS has announced but not yet priced in the Price List API are in the catalog without a price,
    // and so are Stability AI's Image Services (no entry in the AWS Price List of 2026-10-06), models priced in
    // a unit the catalog cannot apply (Pegasus: per second of video) and a model past its end of life (Nova Sonic).
    expect(unpriced.map((model) => model.id).sort()).toEqual([
      "amazon.nova-2-pro-v1:0",
      "amazon.nova-sonic-v1:0",
      "amazon.titan-tg1-large",
      "anthropic.claude-haiku-5-5",
      "anthropic.claude-sonnet-5-5",
      // OpenAI's newer models on bedrock-mantle, absent from the Price List of 2026-10-06.
      "openai.gpt-5.6-luna",
      "openai.gpt-5.6-sol",
      "openai.gpt-5.6-terra",
      "openai.gpt-6-luna",
      "openai.gpt-6-sol",
      "openai.gpt-6.1-sol",
      "stability.stable-conservative-upscale-v1:0",
      "stability.stable-creative-upscale-v1:0",
      "stability.stable-fast-upscale-v1:0",
      "stability.stable-image-control-sketch-v1:0",
      "stability.stable-image-control-structure-v1:0",
      "stability.stable-image-erase-object-v1:0",
      "stability.stable-image-inpaint-v1:0",
      "stability.stable-image-remove-background-v1:0",
      "stability.stable-image-search-recolor-v1:0",
      "stability.stable-image-search-replace-v1:0",
      "stability.stable-image-style-guide-v1:0",
      "stability.stable-outpaint-v1:0",
      "stability.stable-style-transfer-v1:0",
      "twelvelabs.pegasus-1-2-v1:0",
      "zai.glm-5.3",
    ]);
    expect(
      computeChatCost(resolvePrice(unpriced[0]!, undefined, undefined), { inputTokens: 5, outputTokens: 5 }),
    ).toBeNull();
    for (const model of Object.values(catalog)) {
      if (unpriced.includes(model)) continue;
      const price = resolvePrice(model, undefined, model.regions[0]);
      const ops = model.operations;
      if (ops.includes("chat"))
        expect(computeChatCost(price, { inputTokens: 1000, outputTokens: 1000 }), model.id).toBeGreaterThan(
          0,
        );
      // One call of 1,000 tokens without an image (priced per token, or per request for Marengo).
      if (ops.includes("embeddings"))
        expect(computeEmbeddingCost(price, 1000, 0, 1), model.id).toBeGreaterThan(0);
      if (ops.includes("images"))
        expect(computeImageCost(price, 1, { size: model.image?.default_size }), model.id).toBeGreaterThan(0);
      if (ops.includes("rerank")) expect(computeRerankCost(price, 1), model.id).toBeGreaterThan(0);
    }
  });
});
