import type { Operation } from "../generated/spec-types.js";

/** The param lists: one per operation, streaming chat sharing chat's. */
export type ParamKind = "chat" | "embeddings" | "images" | "images-edit" | "rerank";

/**
 * Request params every caller may send, per operation: OpenAI's own names plus the few common
 * bedrock-forge image/embedding params, and for rerank (which OpenAI has no API for) the names of
 * Cohere's rerank API that LiteLLM's `rerank()` takes. A spec's param tables may only name these or
 * the provider params it declares. The generator emits these lists to `generated/params.ts` so the
 * runtime reads the same ones.
 */
export const openAIParams: Readonly<Record<ParamKind, readonly string[]>> = {
  chat: [
    "audio",
    "frequency_penalty",
    "logit_bias",
    "logprobs",
    "max_completion_tokens",
    "max_tokens",
    "metadata",
    "modalities",
    "n",
    "parallel_tool_calls",
    "prediction",
    "presence_penalty",
    "reasoning_effort",
    "response_format",
    "seed",
    "service_tier",
    "stop",
    "store",
    "stream_options",
    "temperature",
    "tool_choice",
    "tools",
    "top_logprobs",
    "top_p",
    "user",
    "verbosity",
    "web_search_options",
  ],
  embeddings: ["dimensions", "encoding_format", "input_type", "user"],
  images: [
    "background",
    "cfg_scale",
    "moderation",
    "n",
    "negative_prompt",
    "output_compression",
    "output_format",
    "quality",
    "response_format",
    "seed",
    "size",
    "steps",
    "style",
    "user",
  ],
  // OpenAI's images.edit params (openai-node's ImageEditParams) with the common image params.
  "images-edit": [
    "background",
    "image",
    "input_fidelity",
    "mask",
    "n",
    "negative_prompt",
    "output_compression",
    "output_format",
    "partial_images",
    "quality",
    "response_format",
    "seed",
    "size",
    "user",
  ],
  rerank: ["max_chunks_per_doc", "max_tokens_per_doc", "rank_fields", "return_documents", "top_n"],
};

/**
 * Rerank params the runtime answers itself, so no spec may map them: `return_documents` copies each
 * result's document text from the request (Bedrock's rerank bodies have no such field).
 */
export const runtimeRerankParams: readonly string[] = ["return_documents"];

/**
 * Images-edit fields the runtime writes itself from the family's `images_edit` mapping (images, mask,
 * negative prompt, size) or answers itself (`n` as one call per image, `response_format` as b64_json):
 * a param table may not name them.
 */
export const runtimeImageEditParams: readonly string[] = [
  "image",
  "mask",
  "negative_prompt",
  "response_format",
  "size",
];

/**
 * Which param list an operation uses; none for `speech-to-speech`, whose session over
 * InvokeModelWithBidirectionalStream the runtime does not speak, so no request param can reach it.
 */
export function paramKindOf(operation: Operation): ParamKind | undefined {
  if (operation === "speech-to-speech") return undefined;
  return operation === "chat-stream" ? "chat" : operation;
}

/** Placeholders a prompt template may use. */
export const templatePlaceholders: readonly string[] = ["content", "role"];

/**
 * Converse request fields a `converse.params` rule may target
 * (from the ConverseRequest shape of the Bedrock Runtime service model).
 */
export const converseRequestSchema = {
  type: "object",
  additionalProperties: false,
  properties: {
    inferenceConfig: {
      type: "object",
      additionalProperties: false,
      properties: {
        maxTokens: { type: "integer" },
        temperature: { type: "number" },
        topP: { type: "number" },
        stopSequences: { type: "array", items: { type: "string" } },
      },
    },
    additionalModelRequestFields: { type: "object" },
    additionalModelResponseFieldPaths: { type: "array", items: { type: "string" } },
    performanceConfig: {
      type: "object",
      additionalProperties: false,
      properties: { latency: { type: "string", enum: ["standard", "optimized"] } },
    },
    serviceTier: { type: "object", properties: { type: { type: "string" } } },
    requestMetadata: { type: "object" },
    promptVariables: { type: "object" },
  },
} as const;
