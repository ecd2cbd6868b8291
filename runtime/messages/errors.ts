import { BedrockCallError, BedrockForgeError } from "../errors.js";
import type { AnthropicErrorBody, AnthropicErrorType } from "./types.js";

/**
 * Anthropic's error types and HTTP statuses (https://docs.anthropic.com/en/api/errors: 400, 401, 403,
 * 404, 413, 429, 500, 529; the SDK's `GatewayTimeoutError` is `timeout_error`, 504).
 */
const anthropicErrors: Readonly<Record<AnthropicErrorType, number>> = {
  invalid_request_error: 400,
  authentication_error: 401,
  permission_error: 403,
  not_found_error: 404,
  request_too_large: 413,
  rate_limit_error: 429,
  api_error: 500,
  timeout_error: 504,
  overloaded_error: 529,
};

/** Our error as Anthropic's error type: the closest of its kinds, by our OpenAI-style type and status. */
function anthropicTypeOf(error: BedrockForgeError): AnthropicErrorType {
  if (error.status === 413) return "request_too_large";
  switch (error.type) {
    case "invalid_request_error":
    case "content_filter_error":
      return "invalid_request_error";
    case "authentication_error":
    case "permission_error":
    case "not_found_error":
    case "rate_limit_error":
    case "timeout_error":
      return error.type;
    case "service_unavailable_error":
      // Bedrock's ServiceUnavailable / ModelNotReady: the service cannot take the call now, as Anthropic's 529 says.
      return "overloaded_error";
    default:
      return "api_error";
  }
}

/**
 * Any error a Messages call throws, as the status and body Anthropic's API answers
 * (`{type: "error", error: {type, message}, request_id}`), for a proxy's `/v1/messages` and its
 * stream's `error` event. Errors that are not bedrock-forge's are an `api_error` (500).
 */
export function toAnthropicError(error: unknown): { status: number; body: AnthropicErrorBody } {
  if (!BedrockForgeError.isInstance(error)) {
    const message = error instanceof Error ? error.message : String(error);
    return { status: 500, body: { type: "error", error: { type: "api_error", message }, request_id: null } };
  }
  const type = anthropicTypeOf(error);
  return {
    status: anthropicErrors[type],
    body: {
      type: "error",
      error: { type, message: error.message },
      request_id: BedrockCallError.isInstance(error) ? (error.requestId ?? null) : null,
    },
  };
}
