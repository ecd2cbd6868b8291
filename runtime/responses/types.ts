/**
 * OpenAI's Responses API shapes as bedrock-forge takes and answers them, after the `openai` package's
 * own definitions (openai 6, `resources/responses/responses.d.ts`) and the API reference
 * (https://platform.openai.com/docs/api-reference/responses). Only what a Bedrock chat model can do is
 * typed: function tools, text and image inputs, reasoning, JSON output. The objects answered are
 * assignable to the `openai` package's `Response` and `ResponseStreamEvent` (a test checks it).
 */
import type { BehaviourOptions, ConnectionOptions, ProviderParamsOf } from "../types.js";

// ---------------------------------------------------------------------------------------------
// Request
// ---------------------------------------------------------------------------------------------

export interface ResponseInputText {
  readonly type: "input_text";
  readonly text: string;
}

/** An image as a `data:` URL or an http(s) URL (fetched like a chat `image_url`); `file_id` needs OpenAI's file store. */
export interface ResponseInputImage {
  readonly type: "input_image";
  readonly image_url?: string | null;
  readonly file_id?: string | null;
  readonly detail?: "low" | "high" | "auto" | "original" | null;
}

/** A document as a `data:` URL in `file_data` (PDF, CSV, DOCX …). */
export interface ResponseInputFile {
  readonly type: "input_file";
  readonly file_data?: string;
  readonly filename?: string;
  readonly file_id?: string | null;
  readonly file_url?: string;
}

export type ResponseInputContent = ResponseInputText | ResponseInputImage | ResponseInputFile;

/** Text an assistant message of an earlier turn carried (as the API answered it). */
export interface ResponseOutputTextInput {
  readonly type: "output_text";
  readonly text: string;
}

export interface ResponseOutputRefusalInput {
  readonly type: "refusal";
  readonly refusal: string;
}

/** A message of the conversation; `type` may be left out (OpenAI's "easy input message"). */
export interface ResponseInputMessage {
  readonly type?: "message";
  readonly role: "user" | "system" | "developer" | "assistant";
  readonly content:
    | string
    | readonly (ResponseInputContent | ResponseOutputTextInput | ResponseOutputRefusalInput)[];
  readonly id?: string;
  readonly status?: string;
}

/** A tool call the model made in an earlier turn. */
export interface ResponseFunctionCallInput {
  readonly type: "function_call";
  readonly call_id: string;
  readonly name: string;
  readonly arguments: string;
  readonly id?: string;
  readonly status?: string;
}

/** The result of a tool call, sent back to the model. */
export interface ResponseFunctionCallOutputInput {
  readonly type: "function_call_output";
  readonly call_id: string;
  readonly output: string | readonly ResponseInputContent[];
  readonly id?: string | null;
  readonly status?: string | null;
}

/**
 * Reasoning of an earlier turn, sent back as the API answered it. bedrock-forge carries Claude's
 * thinking signature in `encrypted_content` (and redacted thinking as `encrypted_content` without text).
 */
export interface ResponseReasoningInput {
  readonly type: "reasoning";
  readonly id?: string;
  readonly summary: readonly { readonly type: "summary_text"; readonly text: string }[];
  readonly content?: readonly { readonly type: "reasoning_text"; readonly text: string }[];
  readonly encrypted_content?: string | null;
  readonly status?: string;
}

export type ResponseInputItem =
  | ResponseInputMessage
  | ResponseFunctionCallInput
  | ResponseFunctionCallOutputInput
  | ResponseReasoningInput;

export interface ResponseFunctionTool {
  readonly type: "function";
  readonly name: string;
  readonly description?: string | null;
  readonly parameters?: Readonly<Record<string, unknown>> | null;
  readonly strict?: boolean | null;
}

export type ResponseToolChoice =
  | "none"
  | "auto"
  | "required"
  | { readonly type: "function"; readonly name: string };

export type ResponseTextFormat =
  | { readonly type: "text" }
  | { readonly type: "json_object" }
  | {
      readonly type: "json_schema";
      readonly name: string;
      readonly schema: Readonly<Record<string, unknown>>;
      readonly description?: string;
      readonly strict?: boolean | null;
    };

export type ResponseReasoningEffort = "none" | "minimal" | "low" | "medium" | "high" | "xhigh" | "max";

/** The Responses params bedrock-forge understands. */
export interface OpenAIResponsesParams {
  readonly input: string | readonly ResponseInputItem[];
  /** A system message placed before the input. */
  readonly instructions?: string | null;
  readonly tools?: readonly ResponseFunctionTool[];
  readonly tool_choice?: ResponseToolChoice;
  readonly text?: {
    readonly format?: ResponseTextFormat;
    readonly verbosity?: "low" | "medium" | "high" | null;
  };
  /** `effort` maps to the model's reasoning settings through its spec (`reasoning_effort`). */
  readonly reasoning?: {
    readonly effort?: ResponseReasoningEffort | null;
    readonly summary?: "auto" | "concise" | "detailed" | null;
    readonly generate_summary?: "auto" | "concise" | "detailed" | null;
  } | null;
  readonly max_output_tokens?: number | null;
  readonly temperature?: number | null;
  readonly top_p?: number | null;
  /** `false` asks for one tool call at a time, where the model's spec takes it. */
  readonly parallel_tool_calls?: boolean | null;
  /** Echoed in the response; never sent to Bedrock. */
  readonly metadata?: Readonly<Record<string, string>> | null;
  /** Echoed in the response; never sent to Bedrock. */
  readonly user?: string;
  /** bedrock-forge keeps no responses: `true` is refused. */
  readonly store?: boolean | null;
  /** Refused: bedrock-forge keeps no responses to continue from. Send the whole conversation as `input`. */
  readonly previous_response_id?: string | null;
  readonly include?: readonly string[] | null;
  readonly truncation?: "auto" | "disabled" | null;
  readonly service_tier?: string | null;
  readonly prompt_cache_key?: string | null;
  readonly safety_identifier?: string | null;
  readonly stream_options?: { readonly include_obfuscation?: boolean } | null;
}

interface ResponseRequestBase<M extends string>
  extends OpenAIResponsesParams,
    ConnectionOptions,
    BehaviourOptions {
  readonly model: M;
  /** The id or ARN sent to Bedrock (provisioned throughput, application inference profiles). */
  readonly model_id?: string;
}

/** A Responses request, streamed or not (the return type of `create` follows `stream`). */
export type ResponseCreateRequest<
  M extends string = string,
  S extends boolean | null | undefined = boolean | null | undefined,
> = ResponseRequestBase<M> & ProviderParamsOf<M> & { readonly stream?: S };

// ---------------------------------------------------------------------------------------------
// Response
// ---------------------------------------------------------------------------------------------

export interface ResponseOutputText {
  type: "output_text";
  text: string;
  annotations: never[];
  logprobs: never[];
}

export interface ResponseOutputMessage {
  id: string;
  type: "message";
  role: "assistant";
  status: "in_progress" | "completed" | "incomplete";
  content: ResponseOutputText[];
}

export interface ResponseFunctionCall {
  id: string;
  type: "function_call";
  call_id: string;
  name: string;
  arguments: string;
  status: "in_progress" | "completed" | "incomplete";
}

/** The model's reasoning; `encrypted_content` carries what a later turn must send back (Claude's signature). */
export interface ResponseReasoningItem {
  id: string;
  type: "reasoning";
  summary: { type: "summary_text"; text: string }[];
  content?: { type: "reasoning_text"; text: string }[];
  encrypted_content?: string | null;
  status: "in_progress" | "completed" | "incomplete";
}

export type ResponseOutputItem = ResponseOutputMessage | ResponseFunctionCall | ResponseReasoningItem;

export interface ResponseUsage {
  /** Input tokens, cached ones included (as OpenAI counts them). */
  input_tokens: number;
  input_tokens_details: { cached_tokens: number; cache_write_tokens: number };
  output_tokens: number;
  output_tokens_details: { reasoning_tokens: number };
  total_tokens: number;
  /** Cost of the call in USD, from the catalog's prices (`null` when the catalog has no price). */
  cost: number | null;
}

/** OpenAI's `ResponseError` codes bedrock-forge answers. */
export type ResponseErrorCode = "server_error" | "rate_limit_exceeded" | "invalid_prompt";

export type ResponseStatus = "completed" | "failed" | "in_progress" | "incomplete";

export interface Response {
  id: string;
  object: "response";
  created_at: number;
  status: ResponseStatus;
  completed_at: number | null;
  error: { code: ResponseErrorCode; message: string } | null;
  incomplete_details: { reason: "max_output_tokens" | "content_filter" } | null;
  instructions: string | null;
  metadata: Record<string, string> | null;
  /** The model as the request named it. */
  model: string;
  output: ResponseOutputItem[];
  /** The text of every output message, joined (the `openai` client adds the same convenience). */
  output_text: string;
  parallel_tool_calls: boolean;
  temperature: number | null;
  top_p: number | null;
  max_output_tokens: number | null;
  tool_choice: "none" | "auto" | "required" | { type: "function"; name: string };
  tools: {
    type: "function";
    name: string;
    description: string | null;
    parameters: Record<string, unknown> | null;
    strict: boolean | null;
  }[];
  text: { format: { type: "text" } | { type: "json_object" } | ResponseJsonSchemaFormat };
  reasoning: {
    effort: "none" | "minimal" | "low" | "medium" | "high" | "xhigh" | "max" | null;
    summary: "auto" | "concise" | "detailed" | null;
  } | null;
  previous_response_id: null;
  store: false;
  background: false;
  truncation: "auto" | "disabled";
  usage?: ResponseUsage;
  user?: string;
}

export interface ResponseJsonSchemaFormat {
  type: "json_schema";
  name: string;
  schema: Record<string, unknown>;
  description?: string;
  strict?: boolean | null;
}

// ---------------------------------------------------------------------------------------------
// Stream events (https://platform.openai.com/docs/api-reference/responses-streaming)
// ---------------------------------------------------------------------------------------------

interface Sequenced {
  /** 0, 1, 2 … in the order events are sent. */
  sequence_number: number;
}

/** The response as it stands: `response.created` and `response.in_progress` carry it before any output. */
interface ResponseSnapshotEvent<T extends string> extends Sequenced {
  type: T;
  response: Response;
}

export type ResponseCreatedEvent = ResponseSnapshotEvent<"response.created">;
export type ResponseInProgressEvent = ResponseSnapshotEvent<"response.in_progress">;
export type ResponseCompletedEvent = ResponseSnapshotEvent<"response.completed">;
/** The last event of a response cut short (max_output_tokens, content filter). */
export type ResponseIncompleteEvent = ResponseSnapshotEvent<"response.incomplete">;
/** The last event before a stream's error is thrown; `response.error` says what failed. */
export type ResponseFailedEvent = ResponseSnapshotEvent<"response.failed">;

interface ResponseItemEvent<T extends string> extends Sequenced {
  type: T;
  output_index: number;
  item: ResponseOutputItem;
}

export type ResponseOutputItemAddedEvent = ResponseItemEvent<"response.output_item.added">;
export type ResponseOutputItemDoneEvent = ResponseItemEvent<"response.output_item.done">;

interface ResponsePartEvent<T extends string> extends Sequenced {
  type: T;
  item_id: string;
  output_index: number;
  content_index: number;
  part: ResponseOutputText | { type: "reasoning_text"; text: string };
}

export type ResponseContentPartAddedEvent = ResponsePartEvent<"response.content_part.added">;
export type ResponseContentPartDoneEvent = ResponsePartEvent<"response.content_part.done">;

export interface ResponseTextDeltaEvent extends Sequenced {
  type: "response.output_text.delta";
  item_id: string;
  output_index: number;
  content_index: number;
  delta: string;
  logprobs: never[];
}

export interface ResponseTextDoneEvent extends Sequenced {
  type: "response.output_text.done";
  item_id: string;
  output_index: number;
  content_index: number;
  text: string;
  logprobs: never[];
}

export interface ResponseReasoningTextDeltaEvent extends Sequenced {
  type: "response.reasoning_text.delta";
  item_id: string;
  output_index: number;
  content_index: number;
  delta: string;
}

export interface ResponseReasoningTextDoneEvent extends Sequenced {
  type: "response.reasoning_text.done";
  item_id: string;
  output_index: number;
  content_index: number;
  text: string;
}

export interface ResponseFunctionCallArgumentsDeltaEvent extends Sequenced {
  type: "response.function_call_arguments.delta";
  item_id: string;
  output_index: number;
  delta: string;
}

export interface ResponseFunctionCallArgumentsDoneEvent extends Sequenced {
  type: "response.function_call_arguments.done";
  item_id: string;
  output_index: number;
  name: string;
  arguments: string;
}

/** An error event, as a proxy writes it when a stream fails (see `buildResponseErrorEvent`). */
export interface ResponseErrorEvent extends Sequenced {
  type: "error";
  code: string | null;
  message: string;
  param: string | null;
}

export type ResponseStreamEvent =
  | ResponseCreatedEvent
  | ResponseInProgressEvent
  | ResponseCompletedEvent
  | ResponseIncompleteEvent
  | ResponseFailedEvent
  | ResponseOutputItemAddedEvent
  | ResponseOutputItemDoneEvent
  | ResponseContentPartAddedEvent
  | ResponseContentPartDoneEvent
  | ResponseTextDeltaEvent
  | ResponseTextDoneEvent
  | ResponseReasoningTextDeltaEvent
  | ResponseReasoningTextDoneEvent
  | ResponseFunctionCallArgumentsDeltaEvent
  | ResponseFunctionCallArgumentsDoneEvent
  | ResponseErrorEvent;

/**
 * A streamed response: iterate it with `for await`; breaking out or `abort()` cancels the HTTP request.
 * A failure after the stream started yields `response.failed`, then the iterator throws the typed error.
 */
export interface ResponseEventStream extends AsyncIterable<ResponseStreamEvent> {
  abort(): void;
  readonly controller: AbortController;
}
