import { describe, expect, it } from "vitest";
import { catalog } from "../../generated/catalog.js";

// Models from the chat, embedding and image tables of LiteLLM's Bedrock page
// (../shared/reference/litellm-bedrock-docs.md) that the Amazon, Cohere, AI21 and Stability specs cover,
// plus the rest of those families that issue 3 names.
const expected: Record<string, string> = {
  // "Supported AWS Bedrock Models"
  "amazon.titan-text-lite-v1": "amazon-titan-text",
  "amazon.titan-text-express-v1": "amazon-titan-text",
  "cohere.command-text-v14": "cohere-command",
  "ai21.j2-mid-v1": "ai21-j2",
  "ai21.j2-ultra-v1": "ai21-j2",
  "ai21.jamba-instruct-v1:0": "ai21-jamba",
  // "Supported AWS Bedrock Embedding Models"
  "amazon.titan-embed-text-v2:0": "amazon-titan-embed-text",
  "amazon.titan-embed-text-v1": "amazon-titan-embed-text",
  "amazon.titan-embed-image-v1": "amazon-titan-embed-image",
  "cohere.embed-english-v3": "cohere-embed",
  "cohere.embed-multilingual-v3": "cohere-embed",
  // "Supported AWS Bedrock Image Generation Models" (LiteLLM writes the SD3 id with a doubled prefix)
  "stability.sd3-large-v1:0": "stability-image",
  "stability.stable-diffusion-xl-v0": "stability-sdxl",
  // Issue 3
  "amazon.titan-text-premier-v1:0": "amazon-titan-text",
  "amazon.nova-micro-v1:0": "amazon-nova",
  "amazon.nova-lite-v1:0": "amazon-nova",
  "amazon.nova-pro-v1:0": "amazon-nova",
  "amazon.nova-premier-v1:0": "amazon-nova",
  "amazon.nova-2-lite-v1:0": "amazon-nova",
  "cohere.command-light-text-v14": "cohere-command",
  "cohere.command-r-v1:0": "cohere-command-r",
  "cohere.command-r-plus-v1:0": "cohere-command-r",
  "ai21.jamba-1-5-mini-v1:0": "ai21-jamba",
  "ai21.jamba-1-5-large-v1:0": "ai21-jamba",
  "cohere.embed-v4:0": "cohere-embed",
  "amazon.nova-2-multimodal-embeddings-v1:0": "amazon-nova-embed",
  "stability.stable-diffusion-xl-v1": "stability-sdxl",
  "stability.sd3-5-large-v1:0": "stability-image",
  "stability.stable-image-core-v1:1": "stability-image",
  "stability.stable-image-ultra-v1:1": "stability-image",
  "amazon.titan-image-generator-v1": "amazon-titan-image",
  "amazon.titan-image-generator-v2:0": "amazon-titan-image",
  "amazon.nova-canvas-v1:0": "amazon-nova-canvas",
};

describe("catalog coverage (Amazon, Cohere, AI21, Stability)", () => {
  it.each(Object.entries(expected))("%s is in the catalog as %s", (id, family) => {
    expect((catalog as Record<string, { family: string }>)[id]?.family).toBe(family);
  });
});
