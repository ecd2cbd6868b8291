/**
 * JSON Schema of the proxy's `config.yaml`: LiteLLM's format, as LiteLLM users write it for Bedrock.
 * Unknown keys in `litellm_params` are provider params (sent to the model); unknown settings in the
 * other sections are accepted and reported as ignored, so a LiteLLM config loads unchanged.
 */
import { clientSideAuthFields } from "./client-fields.js";

const nonEmptyString = { type: "string", minLength: 1 } as const;

/** LiteLLM's fallback lists: `[{ "<model_name>": ["<model_name>", …] }, …]`. */
const fallbackList = {
  type: ["array", "null"],
  items: {
    type: "object",
    minProperties: 1,
    additionalProperties: { type: "array", items: nonEmptyString },
  },
} as const;
const stringOrEmpty = { type: "string" } as const;

const guardrailConfigSchema = {
  type: "object",
  required: ["guardrailIdentifier", "guardrailVersion"],
  properties: {
    guardrailIdentifier: nonEmptyString,
    guardrailVersion: nonEmptyString,
    trace: { enum: ["enabled", "disabled", "enabled_full"] },
    streamProcessingMode: { enum: ["sync", "async"] },
  },
  additionalProperties: false,
} as const;

const userContinueMessageSchema = {
  type: "object",
  required: ["role", "content"],
  properties: {
    role: { const: "user" },
    content: {
      anyOf: [
        { type: "string", minLength: 1 },
        { type: "array", minItems: 1, items: { type: "object" } },
      ],
    },
  },
} as const;

/** LiteLLM's custom prices in USD per token (docs.litellm.ai "Custom Pricing"), in litellm_params or model_info. */
const customPrices = {
  input_cost_per_token: { type: "number", minimum: 0 },
  output_cost_per_token: { type: "number", minimum: 0 },
  cache_read_input_token_cost: { type: "number", minimum: 0 },
  cache_creation_input_token_cost: { type: "number", minimum: 0 },
} as const;

export const litellmParamsSchema = {
  type: "object",
  required: ["model"],
  properties: {
    // `bedrock/…` (also `bedrock/converse/…`, `bedrock/invoke/…`), a bare Bedrock id, or an ARN.
    model: nonEmptyString,
    model_id: nonEmptyString,
    aws_access_key_id: stringOrEmpty,
    aws_secret_access_key: stringOrEmpty,
    aws_session_token: stringOrEmpty,
    aws_region_name: stringOrEmpty,
    aws_session_name: stringOrEmpty,
    aws_profile_name: stringOrEmpty,
    aws_role_name: stringOrEmpty,
    aws_web_identity_token: stringOrEmpty,
    aws_bedrock_runtime_endpoint: stringOrEmpty,
    api_base: stringOrEmpty,
    api_key: stringOrEmpty,
    extra_headers: { type: "object", additionalProperties: { type: "string" } },
    temperature: { type: "number", minimum: 0 },
    top_p: { type: "number", minimum: 0, maximum: 1 },
    top_k: { type: "integer", minimum: 0 },
    max_tokens: { type: "integer", minimum: 1 },
    max_completion_tokens: { type: "integer", minimum: 1 },
    stop: { anyOf: [{ type: "string" }, { type: "array", items: { type: "string" } }] },
    guardrailConfig: guardrailConfigSchema,
    user_continue_message: userContinueMessageSchema,
    drop_params: { type: "boolean" },
    modify_params: { type: "boolean" },
    num_retries: { type: "integer", minimum: 0, maximum: 10 },
    timeout: { type: "number", exclusiveMinimum: 0 },
    stream_timeout: { type: "number", exclusiveMinimum: 0 },
    configurable_clientside_auth_params: { type: "array", items: { enum: [...clientSideAuthFields] } },
    // LiteLLM's per-deployment concurrency limit; here it also bounds the upstream sockets a deployment holds.
    max_parallel_requests: { type: "integer", minimum: 1 },
    // Shares of the model name's traffic (LiteLLM's simple-shuffle reads weight, else rpm, else tpm).
    weight: { type: "number", minimum: 0 },
    rpm: { type: "number", minimum: 0 },
    tpm: { type: "number", minimum: 0 },
    ...customPrices,
  },
} as const;

export const proxyConfigSchema = {
  $schema: "https://json-schema.org/draft/2020-12/schema",
  title: "bedrock-forge proxy config (LiteLLM config.yaml)",
  type: "object",
  required: ["model_list"],
  properties: {
    model_list: {
      type: "array",
      minItems: 1,
      items: {
        type: "object",
        required: ["model_name", "litellm_params"],
        properties: {
          model_name: nonEmptyString,
          litellm_params: litellmParamsSchema,
          model_info: {
            type: "object",
            properties: {
              id: { type: ["string", "number"] },
              rpm: { type: "number", minimum: 0 },
              tpm: { type: "number", minimum: 0 },
              ...customPrices,
            },
          },
        },
      },
    },
    litellm_settings: {
      type: ["object", "null"],
      properties: {
        drop_params: { type: "boolean" },
        modify_params: { type: "boolean" },
        num_retries: { type: "integer", minimum: 0, maximum: 20 },
        request_timeout: { type: "number", exclusiveMinimum: 0 },
        fallbacks: fallbackList,
        context_window_fallbacks: fallbackList,
        allowed_fails: { type: "integer", minimum: 0 },
        cooldown_time: { type: "number", exclusiveMinimum: 0 },
      },
    },
    router_settings: {
      type: ["object", "null"],
      properties: {
        num_retries: { type: "integer", minimum: 0, maximum: 20 },
        timeout: { type: "number", exclusiveMinimum: 0 },
        // Checked against the strategies bedrock-forge implements (config-validate.ts).
        routing_strategy: { type: "string" },
        routing_strategy_args: {
          type: ["object", "null"],
          properties: {
            lowest_latency_buffer: { type: "number", minimum: 0 },
            max_latency_list_size: { type: "integer", minimum: 1, maximum: 1000 },
          },
        },
        // LiteLLM's aliases: `{ "<alias>": "<model_name>" }` or `{ "<alias>": { model, hidden } }`.
        model_group_alias: {
          type: ["object", "null"],
          additionalProperties: {
            anyOf: [
              nonEmptyString,
              {
                type: "object",
                required: ["model"],
                properties: { model: nonEmptyString, hidden: { type: "boolean" } },
              },
            ],
          },
        },
        fallbacks: fallbackList,
        context_window_fallbacks: fallbackList,
        allowed_fails: { type: "integer", minimum: 0 },
        cooldown_time: { type: "number", exclusiveMinimum: 0 },
      },
    },
    general_settings: {
      type: ["object", "null"],
      properties: {
        master_key: nonEmptyString,
        max_request_size_mb: { type: "number", exclusiveMinimum: 0 },
        allow_client_side_credentials: { type: "boolean" },
        // bedrock-forge's own settings (LiteLLM has none of these).
        client_endpoint_hosts: { type: "array", items: nonEmptyString },
        forward_credentials_to_client_endpoints: { type: "boolean" },
        max_embedding_inputs: { type: "integer", minimum: 1 },
        client_read_timeout: { type: "number", exclusiveMinimum: 0 },
        headers_timeout: { type: "number", exclusiveMinimum: 0 },
        body_timeout: { type: "number", exclusiveMinimum: 0 },
        // Seconds of silence after which a Messages stream gets a `ping` event (0: never).
        stream_keepalive_interval: { type: "number", minimum: 0 },
        // LiteLLM's name: a header the key may come in besides Authorization, x-api-key and api-key.
        litellm_key_header_name: { type: "string", pattern: "^[!#$%&'*+\\-.^_`|~0-9A-Za-z]+$" },
        // bedrock-forge's own: browser origins that may read answers (CORS), host names a keyless proxy answers.
        cors_allowed_origins: {
          type: "array",
          items: { type: "string", pattern: "^(\\*|https?://[^/\\s]+/?)$" },
        },
        allowed_hosts: { type: "array", items: nonEmptyString },
      },
    },
    environment_variables: {
      type: ["object", "null"],
      additionalProperties: { type: ["string", "number", "boolean"] },
    },
  },
} as const;
