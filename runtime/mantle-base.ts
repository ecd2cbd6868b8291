/** The base paths of bedrock-mantle's OpenAI surface, shared by the runtime's mantle route and the emulator. */

/** The two bases of bedrock-mantle's OpenAI surface. */
export type MantleBase = "v1" | "openai/v1";

/**
 * The base path for a model the catalog does not place: LiteLLM serves gpt-5.x and the google gemma-4-* family
 * on `openai/v1` (its model map's `use_openai_responses_path` flag, "per the AWS model cards") and every other
 * model, gpt-oss included, on `v1` (`mantle_base_segment` in litellm/llms/bedrock_mantle/common_utils.py). GPT
 * generations after 5 are taken to follow gpt-5.x.
 */
export function deriveMantleBase(modelId: string): MantleBase {
  const gpt = /^openai\.gpt-(\d+)(?:[.-]|$)/.exec(modelId);
  if (gpt && Number(gpt[1]) >= 5) return "openai/v1";
  if (modelId.startsWith("google.gemma-4-")) return "openai/v1";
  return "v1";
}
