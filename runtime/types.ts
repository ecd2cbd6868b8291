import type {
  ChatModelId,
  EmbeddingModelId,
  ImageEditModelId,
  ImageModelId,
  ImportedModelRoute,
  ModelAliases,
  ModelId,
  ModelParams,
  RerankModelId,
} from "../generated/catalog.js";
import type { ImageFetchOptions } from "./chat/image-fetch.js";
import type { UncheckedModelId } from "./model-ref.js";

// ---------------------------------------------------------------------------------------------
// Model references
// ---------------------------------------------------------------------------------------------

/** The catalog's cross-region profile ids (`us.…`, `eu.…`, `global.…`) of the base models in `Ids`. */
type ProfileIdOf<Ids extends ModelId> = {
  [Profile in keyof ModelAliases]: ModelAliases[Profile] extends Ids ? Profile : never;
}[keyof ModelAliases];

/** Catalog ids of the models in `Ids` (base or profile), bare or with LiteLLM's `bedrock/`, `bedrock/converse/`, `bedrock/invoke/`. */
type CatalogModelRef<Ids extends ModelId> =
  | Ids
  | ProfileIdOf<Ids>
  | `bedrock/${Ids | ProfileIdOf<Ids>}`
  | `bedrock/converse/${Ids | ProfileIdOf<Ids>}`
  | `bedrock/invoke/${Ids | ProfileIdOf<Ids>}`;

/** A model as callers name it: any catalog id or profile id, with or without `bedrock/` and a forced route. */
export type KnownModelRef = CatalogModelRef<ModelId>;

/**
 * The ARN of a Bedrock resource: a foundation model, an inference profile (system or application), a
 * provisioned model, an imported or custom model. Bare or after `bedrock/`, `bedrock/converse/`, `bedrock/invoke/`.
 */
export type BedrockArn = `arn:${"aws" | "aws-us-gov" | "aws-cn"}:bedrock:${string}`;
type BedrockArnRef =
  | BedrockArn
  | `bedrock/${BedrockArn}`
  | `bedrock/converse/${BedrockArn}`
  | `bedrock/invoke/${BedrockArn}`;

/**
 * A model of Bedrock Custom Model Import by one of LiteLLM's routes (`bedrock/llama/<arn>`,
 * `bedrock/deepseek_r1/<arn>`, `bedrock/openai/<region>/<arn>` …, https://docs.litellm.ai/docs/providers/bedrock_imported):
 * the route names the model's InvokeModel format (the specs' `imported` sections list them).
 */
export type ImportedModelRef =
  | `bedrock/${ImportedModelRoute}/${BedrockArn}`
  | `bedrock/${ImportedModelRoute}/${string}/${BedrockArn}`;
export type { ImportedModelRoute };

/**
 * A chat model of the catalog forced onto the mantle route (OpenAI's API on bedrock-mantle), as bedrock-forge
 * (`bedrock/mantle/`) or LiteLLM's bedrock_mantle provider (`bedrock_mantle/`) names it. A model bedrock-mantle
 * serves that the catalog does not list: `uncheckedModel("bedrock/mantle/<id>")`.
 */
export type MantleModelRef = `bedrock/mantle/${ChatModelId}` | `bedrock_mantle/${ChatModelId}`;

/** What `chat.completions.create` and `countTokens` accept as `model`. */
export type ChatModelRef =
  | CatalogModelRef<ChatModelId>
  | MantleModelRef
  | BedrockArnRef
  | ImportedModelRef
  | UncheckedModelId;
/** What `embeddings.create` accepts as `model`: embedding models only. */
export type EmbeddingModelRef = CatalogModelRef<EmbeddingModelId> | BedrockArnRef | UncheckedModelId;
/** What `images.generate` accepts as `model`: image models only. */
export type ImageModelRef = CatalogModelRef<ImageModelId> | BedrockArnRef | UncheckedModelId;
/** What `images.edit` accepts as `model`: image-edit models only. */
export type ImageEditModelRef = CatalogModelRef<ImageEditModelId> | BedrockArnRef | UncheckedModelId;
/** What `rerank.create` accepts as `model`: rerank models only. */
export type RerankModelRef = CatalogModelRef<RerankModelId> | BedrockArnRef | UncheckedModelId;
/** Any model reference of any operation. */
export type ModelRef = KnownModelRef | MantleModelRef | BedrockArnRef | ImportedModelRef | UncheckedModelId;

/** The base model id behind a typed model reference (`never` for ids the catalog does not know). */
export type BaseModelOf<M extends string> = M extends ModelId
  ? M
  : M extends keyof ModelAliases
    ? ModelAliases[M]
    : M extends `arn:${string}:bedrock:${string}:${string}:${"foundation-model" | "inference-profile"}/${infer Rest}`
      ? BaseModelOf<Rest>
      : M extends `bedrock/converse/${infer Rest}`
        ? BaseModelOf<Rest>
        : M extends `bedrock/mantle/${infer Rest}` | `bedrock_mantle/${infer Rest}`
          ? BaseModelOf<Rest>
          : M extends `bedrock/invoke/${infer Rest}`
            ? BaseModelOf<Rest>
            : M extends `bedrock/${infer Rest}`
              ? BaseModelOf<Rest>
              : never;

/**
 * Provider-specific params of a model: exactly the ones its spec declares for a catalog model (also
 * named by an ARN of a foundation model or system profile), anything for other ARNs and unchecked ids.
 */
export type ProviderParamsOf<M extends string> = [UncheckedModelId] extends [M]
  ? // A model not known statically (`string`, `ChatModelRef` itself, an unchecked id): cheap, and untyped.
    UntypedParams
  : [BaseModelOf<M>] extends [never]
    ? UntypedParams
    : ModelParams[BaseModelOf<M>];

/** Params of a model the catalog does not know: passed through to Bedrock as given. */
export interface UntypedParams {
  readonly [param: string]: unknown;
}

// ---------------------------------------------------------------------------------------------
// Auth and transport options (LiteLLM names accepted beside the TypeScript ones)
// ---------------------------------------------------------------------------------------------

export interface AwsCredentialsInput {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
  readonly expiration?: Date;
}

/** Options that may be given to `createBedrock` and again per request (per-request values win). */
export interface ConnectionOptions {
  readonly region?: string;
  readonly credentials?: AwsCredentialsInput | (() => Promise<AwsCredentialsInput>);
  /** Base URL of the Bedrock Runtime endpoint, e.g. `http://127.0.0.1:4010` for the emulator. */
  readonly endpoint?: string;
  /**
   * Base URL of the bedrock-mantle endpoint (OpenAI's API on Bedrock, the `mantle` route), e.g.
   * `http://127.0.0.1:4010` for the emulator. Default: `endpoint` when given (one server for both, as the
   * emulator is), else `https://bedrock-mantle.{region}.api.aws`.
   */
  readonly mantleEndpoint?: string;
  /** A Bedrock API key (sent as a bearer token instead of SigV4). Defaults to `AWS_BEARER_TOKEN_BEDROCK`. */
  readonly apiKey?: string;
  readonly profile?: string;
  readonly aws_access_key_id?: string;
  readonly aws_secret_access_key?: string;
  readonly aws_session_token?: string;
  readonly aws_region_name?: string;
  readonly aws_profile_name?: string;
  readonly aws_role_name?: string;
  readonly aws_session_name?: string;
  readonly aws_web_identity_token?: string;
  readonly aws_bedrock_runtime_endpoint?: string;
  /** Extra HTTP headers sent with every Bedrock request. */
  readonly extra_headers?: Readonly<Record<string, string>>;
  /** Retries on throttling and 5xx (through the SDK's retry strategy). */
  readonly num_retries?: number;
  /**
   * Timeout of a call in **seconds**, as LiteLLM reads `timeout` (greater than 0, at most 3600; default
   * 600). For a stream it bounds the wait for the response to start and every wait for the next event.
   * The per-call options' `timeout` (second argument of `create`) is in milliseconds, as in openai-node.
   */
  readonly timeout?: number;
  /** LiteLLM's other name for `timeout` (seconds); `timeout` wins when both are given. */
  readonly request_timeout?: number;
  /** LiteLLM's name for `endpoint`. */
  readonly api_base?: string;
  /** LiteLLM's name for `apiKey`: a Bedrock API key, sent as a bearer token (never in a request body). */
  readonly api_key?: string;
  /** LiteLLM's name for `extra_headers`. */
  readonly headers?: Readonly<Record<string, string>>;
}

export interface GuardrailConfig {
  readonly guardrailIdentifier: string;
  readonly guardrailVersion: string;
  readonly trace?: "enabled" | "disabled" | "enabled_full";
  readonly streamProcessingMode?: "sync" | "async";
}

/** Behaviour switches that LiteLLM users know. */
export interface BehaviourOptions {
  /** Drop OpenAI params the model does not support (with a warning) instead of failing. */
  readonly drop_params?: boolean;
  /** Repair conversations the model would reject (alternation, first/last turn). */
  readonly modify_params?: boolean;
  /** The user turn inserted when a conversation needs one (implies the repair). */
  readonly user_continue_message?: ChatMessage;
  readonly guardrailConfig?: GuardrailConfig;
  /**
   * Fetches an http(s) `image_url` in place of the built-in fetcher (its bytes still pass the size cap; an
   * empty or generic `mediaType` is read from the bytes' signature).
   */
  readonly fetchImage?: (url: string) => Promise<{ bytes: Uint8Array; mediaType: string }>;
  /**
   * The built-in fetcher of http(s) `image_url`s in chat messages (LiteLLM fetches them too): timeout,
   * size cap (50 MB by default), and whether private/loopback/link-local addresses may be reached (not by
   * default). `false` turns fetching off: such URLs are then an error.
   */
  readonly imageFetch?: ImageFetchOptions | false;
  /**
   * Told of each dropped param, once per model and param for each receiver (so a client's own receiver hears
   * of a drop another client was already told of); defaults to `console.warn`, once per process.
   */
  readonly onWarning?: (message: string) => void;
  /**
   * Call a model whose end-of-life date (the catalog's lifecycle data, from AWS's model lifecycle page) has
   * passed anyway, with a warning. Without it such calls are refused before any request with a
   * `ModelRetiredError` naming the replacement. Defaults to `BEDROCK_FORGE_ALLOW_RETIRED=1`.
   */
  readonly allowRetired?: boolean;
}

/** Bedrock call members beside the model params, for every operation. */
export interface CallMembers {
  /**
   * Key-value pairs for filtering Bedrock's invocation logs: at most 16, keys 1-256 and values 0-256
   * characters of letters, digits, whitespace and `: _ @ $ # = / + , - .` (checked before the call).
   * Converse's top-level `requestMetadata`; InvokeModel's X-Amzn-Bedrock-Request-Metadata header.
   */
  readonly requestMetadata?: Readonly<Record<string, string>>;
}

/** LiteLLM's prompt-cache injection point: marks messages (by role, or the one at an index) or the tool list. */
export type CacheControlInjectionPoint =
  | {
      readonly location: "message";
      readonly role?: "system" | "developer" | "user" | "assistant" | "tool";
      /** A message index; negative counts from the end. */
      readonly index?: number;
      readonly control?: CacheControl;
    }
  | { readonly location: "tool_config"; readonly control?: CacheControl };

/** Per-call options in openai-node style (second argument of `create`). */
export interface RequestOptions {
  readonly signal?: AbortSignal;
  /** Timeout of this call in **milliseconds** (openai-node's unit); wins over a `timeout` in seconds in the request. */
  readonly timeout?: number;
  readonly maxRetries?: number;
  readonly headers?: Readonly<Record<string, string>>;
}

// ---------------------------------------------------------------------------------------------
// Chat
// ---------------------------------------------------------------------------------------------

/**
 * Anthropic's prompt-cache marker, which LiteLLM accepts on messages, content parts, tool calls and tools:
 * the prompt up to and including the marked block is cached where the model supports prompt caching.
 * https://docs.aws.amazon.com/bedrock/latest/userguide/prompt-caching.html
 */
export interface CacheControl {
  readonly type: "ephemeral";
  readonly ttl?: "5m" | "1h";
}

export interface TextPart {
  readonly type: "text";
  readonly text: string;
  readonly cache_control?: CacheControl;
}

/** LiteLLM's part for text a guardrail judges on its own (Converse's guardContent block). */
export interface GuardedTextPart {
  readonly type: "guarded_text";
  readonly text: string;
}

export interface ImagePart {
  readonly type: "image_url";
  readonly image_url:
    | {
        readonly url: string;
        readonly detail?: "auto" | "low" | "high";
        /** A media type (`image/png`, `application/pdf` …) that overrides the URL's own, as LiteLLM reads it. */
        readonly format?: string;
      }
    | string;
  readonly cache_control?: CacheControl;
}

/** A document (PDF, CSV, DOCX …) as a data URL, in OpenAI's `file` part shape. */
export interface FilePart {
  readonly type: "file";
  readonly file: { readonly file_data?: string; readonly filename?: string; readonly format?: string };
  readonly cache_control?: CacheControl;
}

/**
 * Audio as base64 bytes, in OpenAI's `input_audio` part shape (https://platform.openai.com/docs/api-reference/chat/create),
 * for models that listen (Mistral Voxtral); sent as a Converse `audio` block.
 */
export interface InputAudioPart {
  readonly type: "input_audio";
  /** `format`: one of Converse's audio formats (wav, mp3, flac, ogg, webm, m4a, aac, opus, pcm …). */
  readonly input_audio: { readonly data: string; readonly format: string };
}

export type ContentPart = TextPart | ImagePart | FilePart | InputAudioPart | GuardedTextPart;

export interface SystemMessage {
  readonly role: "system" | "developer";
  readonly content: string | readonly TextPart[];
  readonly name?: string;
  readonly cache_control?: CacheControl;
}

export interface UserMessage {
  readonly role: "user";
  readonly content: string | readonly ContentPart[];
  readonly name?: string;
  readonly cache_control?: CacheControl;
}

export interface ToolCall {
  readonly id: string;
  readonly type: "function";
  readonly function: { readonly name: string; readonly arguments: string };
  readonly cache_control?: CacheControl;
}

/** Reasoning kept so it can be sent back on the next turn (Claude requires the signature). */
export interface ThinkingBlock {
  readonly type: "thinking" | "redacted_thinking";
  readonly thinking?: string;
  readonly signature?: string;
  readonly data?: string;
}

export interface AssistantMessage {
  readonly role: "assistant";
  /** Text, or a list of text parts and the thinking blocks of an earlier answer (Anthropic's shapes). */
  readonly content?: string | readonly (TextPart | ThinkingBlock)[] | null;
  readonly tool_calls?: readonly ToolCall[];
  readonly reasoning_content?: string;
  readonly thinking_blocks?: readonly ThinkingBlock[];
  readonly name?: string;
  readonly cache_control?: CacheControl;
}

export interface ToolMessage {
  readonly role: "tool";
  readonly tool_call_id: string;
  readonly content: string | readonly ContentPart[];
  readonly cache_control?: CacheControl;
}

export type ChatMessage = SystemMessage | UserMessage | AssistantMessage | ToolMessage;

export interface FunctionTool {
  readonly type: "function";
  readonly function: {
    readonly name: string;
    readonly description?: string;
    readonly parameters?: Readonly<Record<string, unknown>>;
    readonly strict?: boolean;
  };
  readonly cache_control?: CacheControl;
}

/**
 * One of Claude's tools defined by Anthropic rather than by a schema (computer use, bash, text editor),
 * in Anthropic's form (`{type: "bash_20250124", name: "bash"}`) or with its settings under `function`
 * (`{type: "computer_20250124", function: {name, parameters: {display_width_px, ...}}}`), as LiteLLM takes
 * them. https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-anthropic-claude-messages-computer-use.html
 */
export interface ClaudeServerTool {
  readonly type: string;
  readonly name?: string;
  readonly function?: { readonly name?: string; readonly parameters?: Readonly<Record<string, unknown>> };
  readonly [setting: string]: unknown;
}

export type ToolChoice =
  | "auto"
  | "required"
  | "none"
  | { readonly type: "function"; readonly function: { readonly name: string } };

export type ResponseFormat =
  | { readonly type: "text" }
  | { readonly type: "json_object" }
  | {
      readonly type: "json_schema";
      readonly json_schema: {
        readonly name: string;
        readonly schema?: Readonly<Record<string, unknown>>;
        readonly description?: string;
        readonly strict?: boolean;
      };
    };

/** OpenAI's Chat Completions params that bedrock-forge understands. */
interface OpenAIChatParams {
  readonly messages: readonly ChatMessage[];
  readonly max_tokens?: number;
  readonly max_completion_tokens?: number;
  readonly temperature?: number;
  readonly top_p?: number;
  readonly stop?: string | readonly string[];
  readonly n?: number;
  readonly presence_penalty?: number;
  readonly frequency_penalty?: number;
  readonly logit_bias?: Readonly<Record<string, number>>;
  readonly logprobs?: boolean;
  readonly top_logprobs?: number;
  readonly seed?: number;
  readonly user?: string;
  /** Function tools; Claude models also take their server tools (computer use, bash, text editor). */
  readonly tools?: readonly (FunctionTool | ClaudeServerTool)[];
  /** `"any"` is Bedrock's name for `"required"`, accepted as LiteLLM accepts it. */
  readonly tool_choice?: ToolChoice | "any";
  readonly parallel_tool_calls?: boolean;
  readonly response_format?: ResponseFormat;
  /** `none` sends no reasoning; `xhigh` and `max` reach models that take them (Claude's adaptive effort levels). */
  readonly reasoning_effort?: "none" | "minimal" | "low" | "medium" | "high" | "xhigh" | "max";
  readonly stream_options?: { readonly include_usage?: boolean };
  readonly metadata?: Readonly<Record<string, string>>;
  readonly service_tier?: string;
}

interface ChatRequestBase<M extends string>
  extends OpenAIChatParams,
    ConnectionOptions,
    BehaviourOptions,
    CallMembers {
  readonly model: M;
  /** Places cache_control marks for callers that cannot edit their messages (LiteLLM); never sent. */
  readonly cache_control_injection_points?: readonly CacheControlInjectionPoint[];
  /** The text a blank assistant message gets under modify_params (LiteLLM; default "Please continue."). */
  readonly assistant_continue_message?:
    | string
    | { readonly role: "assistant"; readonly content: string | readonly TextPart[] };
  /** The id or ARN sent to Bedrock (provisioned throughput, application inference profiles); `model` names the base model. */
  readonly model_id?: string;
  /** LiteLLM's test double: the request is checked as usual, then answered with this text; Bedrock is not called. */
  readonly mock_response?: string;
}

/** A chat request, streamed or not (the return type of `create` follows `stream`). */
export type ChatCompletionRequest<
  M extends string = ChatModelRef,
  S extends boolean | null | undefined = boolean | null | undefined,
> = ChatRequestBase<M> & ProviderParamsOf<M> & { readonly stream?: S };

export type ChatCompletionCreateParams<M extends string = ChatModelRef> = ChatRequestBase<M> &
  ProviderParamsOf<M> & { readonly stream?: false | null };

export type ChatCompletionStreamParams<M extends string = ChatModelRef> = ChatRequestBase<M> &
  ProviderParamsOf<M> & { readonly stream: true };

export type FinishReason = "stop" | "length" | "tool_calls" | "content_filter";

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details?: { cached_tokens: number; cache_write_tokens?: number };
  /** Cost of the call in USD, from the catalog's prices (`null` when the catalog has no price). */
  cost: number | null;
}

export interface ChatCompletionMessage {
  role: "assistant";
  content: string | null;
  tool_calls?: ToolCall[];
  reasoning_content?: string;
  thinking_blocks?: ThinkingBlock[];
  refusal: null;
}

export interface ChatCompletion {
  id: string;
  object: "chat.completion";
  created: number;
  model: string;
  choices: {
    index: number;
    message: ChatCompletionMessage;
    finish_reason: FinishReason;
    logprobs: null;
  }[];
  usage: Usage;
  /** Bedrock details that have no OpenAI field: route, native stop reason, guardrail trace, request id. */
  provider_specific_fields: ProviderFields;
}

export interface ProviderFields {
  /** `mantle`: OpenAI's API on the bedrock-mantle endpoint (its answer's own fields are kept). */
  route: "invoke" | "converse" | "mantle";
  request_id?: string;
  stop_reason?: string | null;
  guardrail_trace?: unknown;
  /** The native response fields the runtime did not map (for example Cohere's citations). */
  [field: string]: unknown;
}

export interface ToolCallDelta {
  index: number;
  id?: string;
  type?: "function";
  function?: { name?: string; arguments?: string };
}

export interface ChatCompletionChunk {
  id: string;
  object: "chat.completion.chunk";
  created: number;
  model: string;
  choices: {
    index: number;
    delta: {
      role?: "assistant";
      content?: string;
      tool_calls?: ToolCallDelta[];
      reasoning_content?: string;
      thinking_blocks?: ThinkingBlock[];
    };
    finish_reason: FinishReason | null;
    logprobs: null;
  }[];
  usage?: Usage | null;
  provider_specific_fields?: ProviderFields;
}

/** A streamed completion: iterate it with `for await`; breaking out or `abort()` cancels the HTTP request. */
export interface ChatCompletionStream extends AsyncIterable<ChatCompletionChunk> {
  abort(): void;
  /** The request controller; aborting it cancels the call. */
  readonly controller: AbortController;
}

// ---------------------------------------------------------------------------------------------
// Embeddings
// ---------------------------------------------------------------------------------------------

/** An image input for multimodal embedding models. */
/** An embeddings `encoding_format`: OpenAI's two, and the vector types of Titan V2 and Cohere Embed. */
export type EncodingFormat = "float" | "base64" | "int8" | "uint8" | "binary" | "ubinary";

export interface EmbeddingImageInput {
  readonly type: "image_url";
  readonly image_url: { readonly url: string } | string;
  /** Optional text embedded together with the image (Titan Multimodal). */
  readonly text?: string;
}

export type EmbeddingInput =
  | string
  | readonly string[]
  | EmbeddingImageInput
  | readonly (string | EmbeddingImageInput)[];

interface OpenAIEmbeddingParams {
  readonly input: EmbeddingInput;
  readonly dimensions?: number;
  /**
   * `float` (default) or `base64` (float32 vectors, little-endian, base64); for models that answer other
   * vector types (Titan V2: binary; Cohere: int8, uint8, binary, ubinary) a type name or a list of formats.
   */
  readonly encoding_format?: EncodingFormat | readonly EncodingFormat[];
  readonly user?: string;
  /** search_document, search_query, classification, clustering (Cohere) … */
  readonly input_type?: string;
}

/** A request of an operation other than chat: its own params, the model's, connection and policy options. */
type OperationParams<Params, M extends string> = Params &
  ConnectionOptions &
  CallMembers &
  Pick<BehaviourOptions, "drop_params" | "onWarning"> & {
    readonly model: M;
    /** The id or ARN sent to Bedrock (provisioned throughput); `model` names the base model. */
    readonly model_id?: string;
  } & ProviderParamsOf<M>;

export type EmbeddingCreateParams<M extends string = EmbeddingModelRef> = OperationParams<
  OpenAIEmbeddingParams &
    Pick<BehaviourOptions, "fetchImage"> & {
      /** How many Bedrock calls may run at once when a batch is split (default 8). */
      readonly concurrency?: number;
    },
  M
>;

export interface Embedding {
  object: "embedding";
  index: number;
  embedding: number[] | string;
  /**
   * The vector type (float, int8, uint8, binary, ubinary), when the answer lists several types or the request
   * asked for one other than floats (`encoding_format`); the entries then go type by type, each in input order.
   */
  type?: string;
}

export interface CreateEmbeddingResponse {
  object: "list";
  data: Embedding[];
  model: string;
  usage: {
    prompt_tokens: number;
    total_tokens: number;
    cost: number | null;
    /** Images embedded (multimodal models), as LiteLLM reports them. */
    prompt_tokens_details?: { image_count: number };
  };
}

// ---------------------------------------------------------------------------------------------
// Images
// ---------------------------------------------------------------------------------------------

interface OpenAIImageParams {
  readonly prompt: string;
  readonly n?: number;
  readonly size?: string;
  readonly quality?: string;
  readonly style?: string;
  readonly response_format?: "b64_json";
  readonly user?: string;
  readonly seed?: number;
  readonly negative_prompt?: string;
  readonly cfg_scale?: number;
  readonly steps?: number;
  readonly output_format?: string;
}

export type ImageGenerateParams<M extends string = ImageModelRef> = OperationParams<OpenAIImageParams, M>;

/**
 * An input image of `images.edit`: its bytes (a Uint8Array, or a Blob such as a File), base64 or a
 * `data:image/…;base64,` URL, or an http(s) URL when a `fetchImage` function is given. PNG, JPEG and
 * WebP images are accepted.
 */
export type ImageEditInput = string | Uint8Array | Blob;

interface OpenAIImageEditParams {
  /**
   * The image to edit, or several: as many as the model takes (Stability's style transfer takes the
   * image to restyle, then the style reference).
   */
  readonly image: ImageEditInput | readonly ImageEditInput[];
  /** Where to edit, for models that take a mask (white: edit, black: keep). */
  readonly mask?: ImageEditInput;
  /** What the result should show; required by most models, dropped with a warning by those that take none. */
  readonly prompt?: string;
  readonly negative_prompt?: string;
  /** How many images: one call per image, 1 to 10 (OpenAI's limit). */
  readonly n?: number;
  /** For models with an output aspect ratio: the nearest ratio the model offers. */
  readonly size?: string;
  readonly response_format?: "b64_json";
  readonly seed?: number;
  readonly output_format?: string;
  readonly user?: string;
  /** Streaming image edits are not offered: `true` is refused. */
  readonly stream?: false | null;
}

export type ImageEditParams<M extends string = ImageEditModelRef> = OperationParams<
  OpenAIImageEditParams & Pick<BehaviourOptions, "fetchImage">,
  M
>;

export interface ImagesResponse {
  created: number;
  data: { b64_json: string; revised_prompt?: string; seed?: number }[];
  model: string;
  usage: { images: number; cost: number | null };
}

// ---------------------------------------------------------------------------------------------
// Rerank (Cohere's rerank API shape, as LiteLLM's `rerank()` takes and returns it)
// ---------------------------------------------------------------------------------------------

/** A document to rerank: its text, or an object whose `text` is sent. */
export type RerankDocument = string | { readonly text: string };

interface RerankParams {
  readonly query: string;
  readonly documents: readonly RerankDocument[];
  /** How many of the most relevant documents to return (1 to the number of documents; default all). */
  readonly top_n?: number;
  /** Copy each result's document text into `results[].document` (answered locally, not sent to Bedrock). */
  readonly return_documents?: boolean;
  /** Tokens of each document the model reads before truncating (Cohere Rerank 3.5). */
  readonly max_tokens_per_doc?: number;
}

export type RerankCreateParams<M extends string = RerankModelRef> = OperationParams<RerankParams, M>;

export interface RerankResult {
  /** Position of the document in the request's `documents`. */
  index: number;
  relevance_score: number;
  /** With `return_documents: true`. */
  document?: { text: string };
}

export interface RerankResponse {
  /** The native response id, else Bedrock's request id. */
  id: string;
  /** Most relevant first, as the model ranked them. */
  results: RerankResult[];
  model: string;
  meta: { billed_units: { search_units: number } };
  /** Queries billed (one per started block of the model's documents per query) and their cost in USD. */
  usage: { search_units: number; cost: number | null };
}
