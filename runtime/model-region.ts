/**
 * The AWS Region a model reference names, read from the reference alone (no catalog): the Region of a Bedrock
 * ARN (`arn:aws:bedrock:<region>:…`), or the Region segment of an imported-model route
 * (`bedrock/openai/<region>/<arn>`). A call to such a model is sent to and signed for that Region, as LiteLLM
 * does (`BaseAWSLLM._get_aws_region_from_model_arn`; the region-prefixed route of
 * `tests/test_litellm/llms/bedrock/chat/invoke_transformations/test_amazon_openai_transformation.py`):
 * an application inference profile, a provisioned model or an imported model lives in one Region, and
 * Bedrock answers for it only there.
 */

const ARN_REGION = /^arn:aws(?:-[a-z]+)*:bedrock:([a-z0-9-]+):/;
const REGION = /^[a-z]{2}(?:-[a-z]+)+-\d+$/;

/** The Region of a Bedrock ARN, or undefined for anything else (and for ARNs without one). */
export function readArnRegion(reference: string): string | undefined {
  return ARN_REGION.exec(reference)?.[1];
}

/** True for a string shaped like an AWS Region name (`us-east-1`, `us-gov-west-1`, `ap-southeast-4`). */
export function isRegionName(value: string): boolean {
  return REGION.test(value);
}

/**
 * The Region of a `model` as callers write it (`bedrock/`, a route and an optional Region segment before an
 * ARN): the Region segment wins, then the ARN's own Region.
 */
function regionOfReference(model: string): string | undefined {
  if (!model.includes("arn:")) return undefined;
  const parts = model.trim().split("/");
  const arnAt = parts.findIndex((part) => part.startsWith("arn:"));
  if (arnAt < 0) return undefined;
  const before = parts[arnAt - 1];
  if (before !== undefined && isRegionName(before)) return before;
  return readArnRegion(parts.slice(arnAt).join("/"));
}

/**
 * The Region a call's model names: `model_id`'s ARN first (LiteLLM reads `model_id` before `model`), then
 * the model reference. Undefined when neither names one.
 */
export function regionNamedByModel(model: unknown, modelId: unknown): string | undefined {
  if (typeof modelId === "string") {
    const region = readArnRegion(modelId.trim());
    if (region) return region;
  }
  return typeof model === "string" ? regionOfReference(model) : undefined;
}
