import { describe, expect, it } from "vitest";
import { catalog } from "../../generated/catalog.js";

// Chat models from the "Supported AWS Bedrock Models" table of LiteLLM's Bedrock page
// (../shared/reference/litellm-bedrock-docs.md) that the Claude, Llama and Mistral specs cover.
const expected: Record<string, string> = {
  "anthropic.claude-3-5-sonnet-20240620-v1:0": "anthropic-claude-messages",
  "anthropic.claude-3-sonnet-20240229-v1:0": "anthropic-claude-messages",
  "anthropic.claude-3-haiku-20240307-v1:0": "anthropic-claude-messages",
  "anthropic.claude-3-opus-20240229-v1:0": "anthropic-claude-messages",
  "anthropic.claude-v2:1": "anthropic-claude-text",
  "anthropic.claude-v2": "anthropic-claude-text",
  "anthropic.claude-instant-v1": "anthropic-claude-text",
  "meta.llama3-1-405b-instruct-v1:0": "meta-llama3",
  "meta.llama3-1-70b-instruct-v1:0": "meta-llama3",
  "meta.llama3-1-8b-instruct-v1:0": "meta-llama3",
  "meta.llama3-70b-instruct-v1:0": "meta-llama3",
  "meta.llama3-8b-instruct-v1:0": "meta-llama3",
  "meta.llama2-13b-chat-v1": "meta-llama2",
  "meta.llama2-70b-chat-v1": "meta-llama2",
  "mistral.mistral-7b-instruct-v0:2": "mistral-instruct",
  "mistral.mixtral-8x7b-instruct-v0:1": "mistral-instruct",
};

describe("catalog coverage (Claude, Llama, Mistral)", () => {
  it.each(Object.entries(expected))("%s is in the catalog as %s", (id, family) => {
    expect((catalog as Record<string, { family: string }>)[id]?.family).toBe(family);
  });
});
