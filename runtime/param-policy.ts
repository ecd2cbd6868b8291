/**
 * Request fields that are not model params, and names that are a known param misspelled.
 *
 * LiteLLM sends an unknown param on to the provider ("pass provider-specific params"); so does
 * bedrock-forge, with two exceptions decided here: the bookkeeping fields clients and gateways add
 * never reach a Bedrock body, and a name that is a known param misspelled is refused with the name
 * it probably meant.
 */
import { RequestValidationError } from "./errors.js";
import { isMisspellingOf } from "./suggest.js";

/**
 * Fields that clients and gateways add for themselves, dropped without a warning. LiteLLM's own
 * keys: `all_litellm_params` and `StandardCallbackDynamicParams` in litellm/types/utils.py
 * (BerriAI/litellm), less the ones bedrock-forge uses (`api_key`, `api_base`, `num_retries`,
 * `request_timeout`, `user_continue_message`, `assistant_continue_message`, `mock_response`); OpenAI's stored-completion fields
 * `metadata` and `store`; and `max_retries`, which LiteLLM's param check skips for every provider but
 * OpenAI and Azure (`_check_valid_arg` in litellm/utils.py).
 */
const bookkeepingFields: ReadonlySet<string> = new Set([
  // OpenAI's stored completions (bedrock-forge is stateless) and retries of OpenAI's own client.
  "metadata",
  "store",
  "max_retries",
  // LiteLLM: logging, spend tracking, routing, caching, prompt management, credentials of other providers.
  "tags",
  "acompletion",
  "aimg_generation",
  "atext_completion",
  "text_completion",
  "caching",
  "disable_add_transform_inline_image_block",
  "api_version",
  "prompt_id",
  "provider_specific_header",
  "prompt_variables",
  "prompt_label",
  "force_timeout",
  "logger_fn",
  "verbose",
  "custom_llm_provider",
  "model_file_id_mapping",
  "use_client",
  "id",
  "fallbacks",
  "azure",
  "model_list",
  "context_window_fallback_dict",
  "retry_policy",
  "retry_strategy",
  "roles",
  "final_prompt_value",
  "bos_token",
  "eos_token",
  "complete_response",
  "self",
  "client",
  "rpm",
  "tpm",
  "max_parallel_requests",
  "input_cost_per_token",
  "output_cost_per_token",
  "input_cost_per_second",
  "output_cost_per_second",
  "hf_model_name",
  "model_info",
  "proxy_server_request",
  "preset_cache_key",
  "caching_groups",
  "ttl",
  "cache",
  "no-log",
  "base_model",
  "stream_timeout",
  // LiteLLM's streaming buffer size, never a model param: Bedrock answers "stream_chunk_size: Extra inputs
  // are not permitted" when it reaches a body (LiteLLM's test_transform_request_drops_stream_chunk_size).
  "stream_chunk_size",
  "supports_system_message",
  "region_name",
  "allowed_model_region",
  "model_config",
  "fastest_response",
  "cooldown_time",
  "cache_key",
  "azure_ad_token_provider",
  "tenant_id",
  "client_id",
  "azure_username",
  "azure_password",
  "azure_scope",
  "client_secret",
  "configurable_clientside_auth_params",
  "weight",
  "ensure_alternating_roles",
  "fallback_depth",
  "max_fallbacks",
  "max_budget",
  "budget_duration",
  "use_in_pass_through",
  "merge_reasoning_content_in_choices",
  "allowed_openai_params",
  "use_litellm_proxy",
  "secret_fields",
  "disable_fallbacks",
  "langfuse_public_key",
  "langfuse_secret",
  "langfuse_secret_key",
  "langfuse_host",
  "gcs_bucket_name",
  "gcs_path_service_account",
  "langsmith_api_key",
  "langsmith_project",
  "langsmith_base_url",
  "humanloop_api_key",
  "arize_api_key",
  "arize_space_key",
  "turn_off_message_logging",
]);

/** LiteLLM's internal keys all start so (`litellm_metadata`, `litellm_call_id`, `litellm_trace_id`, …). */
const bookkeepingPrefix = "litellm_";

/** Every name this module drops, for spelling suggestions. */
export const bookkeepingNames: readonly string[] = [...bookkeepingFields, "mock_response"];

/**
 * True when a request field is bookkeeping: dropped without a warning, never sent to Bedrock.
 * `mock_response` is answered by the chat entry points (no Bedrock call); elsewhere it is refused,
 * since dropping it would make the real, billed call the caller meant to avoid.
 */
export function isBookkeepingField(name: string, kind: string, model: string): boolean {
  if (name === "mock_response") {
    if (kind === "chat") return true;
    throw new RequestValidationError(
      `mock_response is answered for chat completions only; ${kind} requests with it are refused so that no billed call is made`,
      { param: name, model, code: "unsupported_param" },
    );
  }
  return bookkeepingFields.has(name) || name.startsWith(bookkeepingPrefix);
}

/** Refuses a name that is a known param misspelled (see `isMisspellingOf`), naming the likely param. */
export function refuseMisspelledParam(name: string, known: Iterable<string>, model: string): void {
  const meant: string[] = [];
  for (const candidate of known) if (isMisspellingOf(name, candidate)) meant.push(candidate);
  if (meant.length === 0) return;
  const unique = [...new Set(meant)].sort();
  throw new RequestValidationError(
    `${name} is not a param of ${model}; did you mean ${unique.join(" or ")}? (Unknown params are sent to the model as provider-specific params, but a near-miss of a known one is refused.)`,
    { param: name, model, code: "unknown_param" },
  );
}
