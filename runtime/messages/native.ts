/**
 * Messages requests for Claude, sent to Bedrock as they are: InvokeModel's Claude body is Anthropic's
 * Messages body with `anthropic_version: "bedrock-2023-05-31"`, beta flags in `anthropic_beta`, and no
 * `model` or `stream` field; the answer and the stream events are Anthropic's own.
 * https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-anthropic-claude-messages-request-response.html
 */
import type { PriceFields } from "../../generated/spec-types.js";
import { computeChatCost } from "../cost.js";
import { mapBedrockError, RequestValidationError, ResponseParseError } from "../errors.js";
import { parseJsonBody } from "../send.js";
import type { GuardrailConfig } from "../types.js";
import { extraFields, nativeFields } from "./request.js";
import type { AnthropicMessage, AnthropicStreamEvent, AnthropicUsage } from "./types.js";

type Loose = Readonly<Record<string, unknown>>;

/** The only version Bedrock's Claude body takes. */
export const bedrockAnthropicVersion = "bedrock-2023-05-31";

/**
 * Bedrock's Claude body for a Messages request. Fields the body cannot hold are refused before any
 * call (Claude answers "Extra inputs are not permitted"), or dropped with a warning under drop_params.
 */
export function buildNativeBody(
  request: Loose,
  betas: readonly string[],
  policy: { readonly dropParams: boolean; readonly warn: (message: string) => void; readonly model: string },
): Record<string, unknown> {
  const refused = extraFields(request, policy);
  if (request.output_config !== undefined) refused.push("output_config");
  for (const name of refused) {
    if (policy.dropParams) {
      policy.warn(
        `bedrock-forge: dropping ${name} for ${policy.model}: Claude's Bedrock body has no such field (drop_params)`,
      );
      continue;
    }
    throw new RequestValidationError(
      `${name} is not a field of Claude's Messages body on Bedrock (${policy.model}). Remove it, or set drop_params: true to drop it.`,
      { param: name, model: policy.model, code: "unsupported_param" },
    );
  }
  const body: Record<string, unknown> = { anthropic_version: bedrockAnthropicVersion };
  if (betas.length > 0) body.anthropic_beta = [...betas];
  for (const name of nativeFields) if (request[name] !== undefined) body[name] = request[name];
  return body;
}

/** Anthropic usage with its cost: input tokens exclude the cache reads and writes, which are priced apart. */
export function addCost(usage: AnthropicUsage, price: PriceFields | undefined): AnthropicUsage {
  return {
    ...usage,
    cost: computeChatCost(price, {
      inputTokens: usage.input_tokens,
      outputTokens: usage.output_tokens,
      cacheReadTokens: usage.cache_read_input_tokens ?? 0,
      cacheWriteTokens: usage.cache_creation_input_tokens ?? 0,
    }),
  };
}

function readUsage(value: unknown): AnthropicUsage {
  const usage = (value ?? {}) as Record<string, unknown>;
  const count = (name: string) => (typeof usage[name] === "number" ? (usage[name] as number) : null);
  return {
    ...usage,
    input_tokens: count("input_tokens") ?? 0,
    output_tokens: count("output_tokens") ?? 0,
    cache_creation_input_tokens: count("cache_creation_input_tokens"),
    cache_read_input_tokens: count("cache_read_input_tokens"),
  };
}

/** Claude's answer as it came, with `model` echoing the request's name and the cost added to `usage`. */
export function readNativeMessage(
  body: Loose,
  model: string,
  price: PriceFields | undefined,
): AnthropicMessage {
  if (!Array.isArray(body.content) || typeof body.usage !== "object" || body.usage === null)
    throw new ResponseParseError(
      `the ${model} response is not a Claude message: ${JSON.stringify(body).slice(0, 200)}`,
    );
  return {
    ...(body as unknown as AnthropicMessage),
    model,
    usage: addCost(readUsage(body.usage), price),
  };
}

/** InvokeModel's guardrail params for a guardrail configuration. */
export function invokeGuardrailFields(guardrail: GuardrailConfig | undefined) {
  if (!guardrail) return {};
  return {
    guardrailIdentifier: guardrail.guardrailIdentifier,
    guardrailVersion: guardrail.guardrailVersion,
    ...(guardrail.trace
      ? { trace: guardrail.trace.toUpperCase() as "ENABLED" | "DISABLED" | "ENABLED_FULL" }
      : {}),
  };
}

/** Anthropic's error types as our errors' statuses (https://docs.anthropic.com/en/api/errors). */
const statusOfAnthropicError: Readonly<Record<string, number>> = {
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

/** An `error` event inside Claude's stream as the same typed error a Bedrock exception gives. */
function streamErrorOf(chunk: Loose, model: string): Error {
  const error = (chunk.error ?? {}) as { type?: string; message?: string };
  const type = error.type ?? "api_error";
  const status = statusOfAnthropicError[type] ?? 500;
  const named = Object.assign(new Error(error.message ?? JSON.stringify(chunk)), {
    name:
      type === "overloaded_error"
        ? "ServiceUnavailableException"
        : type === "rate_limit_error"
          ? "ThrottlingException"
          : "ModelStreamErrorException",
    $metadata: { httpStatusCode: status },
  });
  return mapBedrockError(named, { model });
}

/**
 * Reads Claude's stream: each chunk is an Anthropic event, passed on with `model` set to the request's
 * name, Bedrock's `amazon-bedrock-invocationMetrics` taken off `message_stop`, and the usage of the
 * whole call (input and cache tokens from `message_start`) with its cost on `message_delta`.
 */
export function createNativeEventReader(model: string, price: PriceFields | undefined) {
  let startUsage: AnthropicUsage = readUsage(undefined);
  return (bytes: Uint8Array | undefined): AnthropicStreamEvent => {
    const chunk = parseJsonBody(bytes, `a ${model} stream chunk`) as Record<string, unknown>;
    switch (chunk.type) {
      case "message_start": {
        const message: Record<string, unknown> = {
          ...((chunk.message ?? {}) as Record<string, unknown>),
          model,
        };
        startUsage = readUsage(message.usage);
        return { ...chunk, message } as unknown as AnthropicStreamEvent;
      }
      case "message_delta": {
        const usage = readUsage(chunk.usage);
        const whole = addCost(
          {
            input_tokens: usage.input_tokens || startUsage.input_tokens,
            output_tokens: usage.output_tokens,
            cache_creation_input_tokens:
              usage.cache_creation_input_tokens ?? startUsage.cache_creation_input_tokens,
            cache_read_input_tokens: usage.cache_read_input_tokens ?? startUsage.cache_read_input_tokens,
          },
          price,
        );
        return {
          ...chunk,
          usage: { ...(chunk.usage as object), ...whole },
        } as unknown as AnthropicStreamEvent;
      }
      case "message_stop": {
        const { "amazon-bedrock-invocationMetrics": _metrics, ...event } = chunk;
        return event as unknown as AnthropicStreamEvent;
      }
      case "error":
        throw streamErrorOf(chunk, model);
      default:
        return chunk as unknown as AnthropicStreamEvent;
    }
  };
}
