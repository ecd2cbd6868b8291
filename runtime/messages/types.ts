/**
 * Anthropic's Messages API shapes as bedrock-forge takes and answers them, after the
 * `@anthropic-ai/sdk` package's definitions (`resources/messages/messages.d.ts`) and the API reference
 * (https://docs.anthropic.com/en/api/messages). For Claude models the body goes to Bedrock natively, so
 * any block Bedrock's Claude takes passes through; the types name the common ones.
 */
import type { BehaviourOptions, ConnectionOptions, ProviderParamsOf } from "../types.js";

// ---------------------------------------------------------------------------------------------
// Request
// ---------------------------------------------------------------------------------------------

export interface AnthropicCacheControl {
  readonly type: "ephemeral";
  readonly ttl?: "5m" | "1h";
}

export interface AnthropicTextBlockParam {
  readonly type: "text";
  readonly text: string;
  readonly cache_control?: AnthropicCacheControl | null;
}

export interface AnthropicImageBlockParam {
  readonly type: "image";
  readonly source:
    | {
        readonly type: "base64";
        readonly media_type: "image/jpeg" | "image/png" | "image/gif" | "image/webp";
        readonly data: string;
      }
    | { readonly type: "url"; readonly url: string };
  readonly cache_control?: AnthropicCacheControl | null;
}

export interface AnthropicDocumentBlockParam {
  readonly type: "document";
  readonly source:
    | { readonly type: "base64"; readonly media_type: "application/pdf"; readonly data: string }
    | { readonly type: "text"; readonly media_type: "text/plain"; readonly data: string };
  readonly title?: string | null;
  readonly context?: string | null;
  readonly cache_control?: AnthropicCacheControl | null;
}

export interface AnthropicToolUseBlockParam {
  readonly type: "tool_use";
  readonly id: string;
  readonly name: string;
  readonly input: unknown;
  readonly cache_control?: AnthropicCacheControl | null;
}

export interface AnthropicToolResultBlockParam {
  readonly type: "tool_result";
  readonly tool_use_id: string;
  readonly content?: string | readonly (AnthropicTextBlockParam | AnthropicImageBlockParam)[];
  readonly is_error?: boolean;
  readonly cache_control?: AnthropicCacheControl | null;
}

export interface AnthropicThinkingBlockParam {
  readonly type: "thinking";
  readonly thinking: string;
  readonly signature: string;
}

export interface AnthropicRedactedThinkingBlockParam {
  readonly type: "redacted_thinking";
  readonly data: string;
}

export type AnthropicContentBlockParam =
  | AnthropicTextBlockParam
  | AnthropicImageBlockParam
  | AnthropicDocumentBlockParam
  | AnthropicToolUseBlockParam
  | AnthropicToolResultBlockParam
  | AnthropicThinkingBlockParam
  | AnthropicRedactedThinkingBlockParam;

export interface AnthropicMessageParam {
  readonly role: "user" | "assistant";
  readonly content: string | readonly AnthropicContentBlockParam[];
}

/** A client tool; Claude's versioned tools (`bash_20250124`, `text_editor_…`, `computer_…`) pass through to Claude. */
export interface AnthropicTool {
  readonly name: string;
  readonly description?: string;
  readonly input_schema: Readonly<Record<string, unknown>>;
  readonly type?: string | null;
  readonly cache_control?: AnthropicCacheControl | null;
}

export type AnthropicToolChoice =
  | { readonly type: "auto"; readonly disable_parallel_tool_use?: boolean }
  | { readonly type: "any"; readonly disable_parallel_tool_use?: boolean }
  | { readonly type: "tool"; readonly name: string; readonly disable_parallel_tool_use?: boolean }
  | { readonly type: "none" };

export type AnthropicThinkingConfig =
  | { readonly type: "enabled"; readonly budget_tokens: number }
  | { readonly type: "disabled" }
  | { readonly type: "adaptive" };

/** The Messages params bedrock-forge understands. */
export interface AnthropicMessagesParams {
  readonly messages: readonly AnthropicMessageParam[];
  readonly max_tokens: number;
  readonly system?: string | readonly AnthropicTextBlockParam[];
  readonly temperature?: number;
  readonly top_p?: number;
  readonly top_k?: number;
  readonly stop_sequences?: readonly string[];
  readonly tools?: readonly AnthropicTool[];
  readonly tool_choice?: AnthropicToolChoice;
  readonly thinking?: AnthropicThinkingConfig;
  /**
   * Beta features, sent to Claude as Bedrock's `anthropic_beta` body field. The `anthropic-beta` header
   * (in the request options' `headers`, comma-separated) and the SDK's `betas` are read the same way.
   */
  readonly anthropic_beta?: readonly string[];
  readonly betas?: readonly string[];
  /**
   * Translated models only: `format` becomes JSON output (`response_format`), `effort` the model's
   * reasoning effort. Claude's InvokeModel body does not take it on every model: refused there.
   */
  readonly output_config?: {
    readonly effort?: "low" | "medium" | "high" | "xhigh" | "max" | null;
    readonly format?: {
      readonly type: "json_schema";
      readonly schema: Readonly<Record<string, unknown>>;
    } | null;
  };
  /** Accepted and never sent to Bedrock. */
  readonly metadata?: { readonly user_id?: string | null };
  /** Accepted and never sent to Bedrock. */
  readonly service_tier?: string;
}

interface MessageRequestBase<M extends string>
  extends AnthropicMessagesParams,
    ConnectionOptions,
    BehaviourOptions {
  readonly model: M;
  /** The id or ARN sent to Bedrock (provisioned throughput, application inference profiles). */
  readonly model_id?: string;
}

/** A Messages request, streamed or not (the return type of `create` follows `stream`). */
export type AnthropicMessageCreateRequest<
  M extends string = string,
  S extends boolean | null | undefined = boolean | null | undefined,
> = MessageRequestBase<M> & ProviderParamsOf<M> & { readonly stream?: S };

/** A token count request: a Messages request without `max_tokens` (and never streamed). */
export type AnthropicCountTokensRequest<M extends string = string> = Omit<
  MessageRequestBase<M>,
  "max_tokens" | "stream"
> & { readonly max_tokens?: number } & ProviderParamsOf<M>;

// ---------------------------------------------------------------------------------------------
// Response
// ---------------------------------------------------------------------------------------------

export interface AnthropicTextBlock {
  type: "text";
  text: string;
  citations?: unknown[] | null;
}

export interface AnthropicToolUseBlock {
  type: "tool_use";
  id: string;
  name: string;
  input: unknown;
}

export interface AnthropicThinkingBlock {
  type: "thinking";
  thinking: string;
  signature: string;
}

export interface AnthropicRedactedThinkingBlock {
  type: "redacted_thinking";
  data: string;
}

export type AnthropicContentBlock =
  | AnthropicTextBlock
  | AnthropicToolUseBlock
  | AnthropicThinkingBlock
  | AnthropicRedactedThinkingBlock;

export type AnthropicStopReason =
  | "end_turn"
  | "max_tokens"
  | "stop_sequence"
  | "tool_use"
  | "pause_turn"
  | "refusal"
  | "model_context_window_exceeded";

export interface AnthropicUsage {
  /** Input tokens not read from or written to the prompt cache (Anthropic's convention). */
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens: number | null;
  cache_read_input_tokens: number | null;
  /** Cost of the call in USD, from the catalog's prices (`null` when the catalog has no price). */
  cost?: number | null;
}

export interface AnthropicMessage {
  id: string;
  type: "message";
  role: "assistant";
  /** The model as the request named it. */
  model: string;
  content: AnthropicContentBlock[];
  stop_reason: AnthropicStopReason | null;
  stop_sequence: string | null;
  usage: AnthropicUsage;
}

export interface AnthropicTokenCount {
  input_tokens: number;
}

// ---------------------------------------------------------------------------------------------
// Stream events (https://docs.anthropic.com/en/docs/build-with-claude/streaming)
// ---------------------------------------------------------------------------------------------

export interface AnthropicMessageStartEvent {
  type: "message_start";
  message: AnthropicMessage;
}

export interface AnthropicContentBlockStartEvent {
  type: "content_block_start";
  index: number;
  content_block: AnthropicContentBlock;
}

export type AnthropicContentBlockDelta =
  | { type: "text_delta"; text: string }
  | { type: "input_json_delta"; partial_json: string }
  | { type: "thinking_delta"; thinking: string }
  | { type: "signature_delta"; signature: string };

export interface AnthropicContentBlockDeltaEvent {
  type: "content_block_delta";
  index: number;
  delta: AnthropicContentBlockDelta;
}

export interface AnthropicContentBlockStopEvent {
  type: "content_block_stop";
  index: number;
}

export interface AnthropicMessageDeltaEvent {
  type: "message_delta";
  delta: { stop_reason: AnthropicStopReason | null; stop_sequence: string | null };
  /** Output tokens so far; bedrock-forge adds the input and cache counts and the cost at the end. */
  usage: {
    output_tokens: number;
    input_tokens?: number | null;
    cache_creation_input_tokens?: number | null;
    cache_read_input_tokens?: number | null;
    cost?: number | null;
  };
}

export interface AnthropicMessageStopEvent {
  type: "message_stop";
}

export interface AnthropicPingEvent {
  type: "ping";
}

export type AnthropicStreamEvent =
  | AnthropicMessageStartEvent
  | AnthropicContentBlockStartEvent
  | AnthropicContentBlockDeltaEvent
  | AnthropicContentBlockStopEvent
  | AnthropicMessageDeltaEvent
  | AnthropicMessageStopEvent
  | AnthropicPingEvent;

/** A streamed message: iterate it with `for await`; breaking out or `abort()` cancels the HTTP request. */
export interface AnthropicMessageStream extends AsyncIterable<AnthropicStreamEvent> {
  abort(): void;
  readonly controller: AbortController;
}

// ---------------------------------------------------------------------------------------------
// Errors (https://docs.anthropic.com/en/api/errors)
// ---------------------------------------------------------------------------------------------

export type AnthropicErrorType =
  | "invalid_request_error"
  | "authentication_error"
  | "permission_error"
  | "not_found_error"
  | "request_too_large"
  | "rate_limit_error"
  | "api_error"
  | "timeout_error"
  | "overloaded_error";

export interface AnthropicErrorBody {
  type: "error";
  error: { type: AnthropicErrorType; message: string };
  request_id: string | null;
}
