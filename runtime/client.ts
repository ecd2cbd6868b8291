import type { BedrockRuntimeClient } from "@aws-sdk/client-bedrock-runtime";
import { type Connection, hasConnectionOverrides, resolveConnection } from "./connection.js";
import {
  loadChat,
  loadEmbeddings,
  loadImageEdits,
  loadImages,
  loadMessages,
  loadRerank,
  loadResponses,
  loadTransport,
} from "./engine.js";
import { instrumentClient } from "./instrument.js";
import type {
  AnthropicCountTokensRequest,
  AnthropicMessage,
  AnthropicMessageCreateRequest,
  AnthropicMessageStream,
  AnthropicTokenCount,
} from "./messages/types.js";
import { regionNamedByModel } from "./model-region.js";
import type {
  ResponseCreateRequest,
  ResponseEventStream,
  Response as ResponsesResponse,
} from "./responses/types.js";
import type { CallOptions } from "./send.js";
import { readSideTimeout, resolveCallTimeout } from "./timeout.js";
import type {
  BehaviourOptions,
  ChatCompletion,
  ChatCompletionCreateParams,
  ChatCompletionRequest,
  ChatCompletionStream,
  ChatModelRef,
  ConnectionOptions,
  CreateEmbeddingResponse,
  EmbeddingCreateParams,
  EmbeddingModelRef,
  ImageEditModelRef,
  ImageEditParams,
  ImageGenerateParams,
  ImageModelRef,
  ImagesResponse,
  ModelRef,
  RequestOptions,
  RerankCreateParams,
  RerankModelRef,
  RerankResponse,
} from "./types.js";

/** Options of `createBedrock`: connection, LiteLLM-style behaviour switches and an optional SDK client of your own. */
export interface BedrockOptions extends ConnectionOptions, BehaviourOptions {
  /** An existing BedrockRuntimeClient; used as is (bedrock-forge only adds a header-reading middleware). */
  readonly client?: BedrockRuntimeClient;
}

/**
 * A model reference the compiler checks: catalog ids and profile ids (with LiteLLM's prefixes), ARNs,
 * imported-model routes, or `uncheckedModel("…")` for an id the catalog does not list yet.
 */
export type { ModelRef };

export interface ChatCompletions {
  /**
   * A chat completion; with `stream: true`, a stream of chunks. One signature (not overloads), so a
   * param the model does not take is reported against the request you wrote.
   */
  create<M extends ChatModelRef, S extends boolean | null | undefined = undefined>(
    body: ChatCompletionRequest<M, S>,
    options?: RequestOptions,
  ): Promise<S extends true ? ChatCompletionStream : ChatCompletion>;
}

export interface Responses {
  /**
   * OpenAI's Responses API over any chat model (run as a chat completion); with `stream: true`, the
   * Responses event stream. Stateless: `previous_response_id` and `store: true` are refused.
   */
  create<M extends ModelRef, S extends boolean | null | undefined = undefined>(
    body: ResponseCreateRequest<M, S>,
    options?: RequestOptions,
  ): Promise<S extends true ? ResponseEventStream : ResponsesResponse>;
}

export interface Messages {
  /**
   * Anthropic's Messages API: natively for Claude models (InvokeModel with Bedrock's Claude body), as a
   * chat completion for every other model; with `stream: true`, Anthropic's stream events. Beta flags:
   * `anthropic_beta` / `betas` in the body or the `anthropic-beta` header in `options.headers`.
   */
  create<M extends ModelRef, S extends boolean | null | undefined = undefined>(
    body: AnthropicMessageCreateRequest<M, S>,
    options?: RequestOptions,
  ): Promise<S extends true ? AnthropicMessageStream : AnthropicMessage>;
  /** Input tokens of a Messages request, counted by Bedrock's CountTokens (a clear error where it cannot count). */
  countTokens<M extends ModelRef>(
    body: AnthropicCountTokensRequest<M>,
    options?: RequestOptions,
  ): Promise<AnthropicTokenCount>;
}

export interface Bedrock {
  readonly chat: { readonly completions: ChatCompletions };
  readonly responses: Responses;
  readonly messages: Messages;
  /** Input tokens of a chat request as Bedrock counts them (the CountTokens API), without running the model. */
  countTokens<M extends ChatModelRef>(
    body: Omit<ChatCompletionCreateParams<M>, "stream">,
    options?: RequestOptions,
  ): Promise<{ input_tokens: number; model: string }>;
  readonly embeddings: {
    create<M extends EmbeddingModelRef>(
      body: EmbeddingCreateParams<M>,
      options?: RequestOptions,
    ): Promise<CreateEmbeddingResponse>;
  };
  readonly images: {
    generate<M extends ImageModelRef>(
      body: ImageGenerateParams<M>,
      options?: RequestOptions,
    ): Promise<ImagesResponse>;
    /**
     * OpenAI's images.edit: one or more input images (and a mask, for models that take one) edited as the
     * prompt and the model's own params say (Stability AI's Image Services: inpaint, outpaint, erase,
     * search and replace, upscale, style transfer …).
     */
    edit<M extends ImageEditModelRef>(
      body: ImageEditParams<M>,
      options?: RequestOptions,
    ): Promise<ImagesResponse>;
  };
  /** Documents ordered by relevance to a query, in the shape of Cohere's rerank API (as LiteLLM's `rerank()`). */
  readonly rerank: {
    create<M extends RerankModelRef>(
      body: RerankCreateParams<M>,
      options?: RequestOptions,
    ): Promise<RerankResponse>;
  };
}

/** The region the SDK client found itself (a profile in ~/.aws/config), when no option or variable named one. */
async function sharedConfigRegion(client: BedrockRuntimeClient): Promise<string | undefined> {
  try {
    return await client.config.region();
  } catch {
    return undefined;
  }
}

/** What every operation call carries besides its request (see OperationCall). */
interface PreparedCall {
  readonly client: BedrockRuntimeClient;
  readonly options: CallOptions;
  readonly warn: (message: string) => void;
  readonly dropParams: boolean;
  readonly allowRetired: boolean | undefined;
  readonly region: string | undefined;
  readonly mantleEndpoint: string | undefined;
}

/** The client-wide state `createBedrock` resolves once: its connection, SDK client and timeout. */
interface ClientState {
  readonly options: BedrockOptions;
  readonly baseConnection: Connection;
  readonly ownClient: BedrockRuntimeClient | undefined;
  readonly baseClient: () => Promise<BedrockRuntimeClient>;
  /** The client's timeout in milliseconds (given in seconds), if it set one. */
  readonly timeout: number | undefined;
}

/** The connection of one call: the client's, or the client's with the request's own options over it. */
function connectionOf(
  state: ClientState,
  body: Readonly<Record<string, unknown>>,
  requestOptions: RequestOptions,
): { connection: Connection; overrides: boolean } {
  const overrides = hasConnectionOverrides(body) || requestOptions.maxRetries !== undefined;
  if (overrides) {
    const connection = resolveConnection(state.options, {
      ...(body as ConnectionOptions),
      ...(requestOptions.maxRetries !== undefined ? { num_retries: requestOptions.maxRetries } : {}),
    });
    return { connection, overrides };
  }
  if (body.extra_headers !== undefined || body.headers !== undefined) {
    return {
      connection: resolveConnection(state.options, {
        extra_headers: body.extra_headers as never,
        headers: body.headers as never,
      }),
      overrides,
    };
  }
  return { connection: state.baseConnection, overrides };
}

/**
 * The connection of a call whose model names a Region (an ARN's, or an imported-model route's): that Region
 * instead of the client's, as LiteLLM calls such a model where it lives. A Region the request itself gives
 * (`region`, `aws_region_name`) still wins, as LiteLLM's explicit `aws_region_name` does.
 */
function inModelRegion(body: Readonly<Record<string, unknown>>, connection: Connection): Connection {
  if (body.region !== undefined || body.aws_region_name !== undefined) return connection;
  const region = regionNamedByModel(body.model, body.model_id);
  if (region === undefined || region === connection.region) return connection;
  return { ...connection, region };
}

/** The SDK client, transport options, warning sink and policy switches of one call. */
/** The default receiver of warnings: one function, so each warning is given once per process (see params.ts). */
const warnOnConsole = (message: string): void => console.warn(message);

async function prepareCall(
  state: ClientState,
  body: Readonly<Record<string, unknown>>,
  requestOptions: RequestOptions = {},
): Promise<PreparedCall> {
  const { options } = state;
  const timeout = resolveCallTimeout(requestOptions, body, state.timeout);
  const chosen = connectionOf(state, body, requestOptions);
  const { overrides } = chosen;
  // A client passed to createBedrock is used as is, also for a model in another Region (it cannot be re-signed).
  const connection =
    state.ownClient && !overrides ? chosen.connection : inModelRegion(body, chosen.connection);
  const client =
    state.ownClient && !overrides
      ? state.ownClient
      : connection === state.baseConnection
        ? await state.baseClient()
        : await (await loadTransport()).clientFor(connection);
  const extraHeaders = connection.extraHeaders;
  const optionHeaders = requestOptions.headers;
  const callOptions: CallOptions = {
    signal: requestOptions.signal,
    timeout,
    headers:
      extraHeaders && optionHeaders ? { ...extraHeaders, ...optionHeaders } : (optionHeaders ?? extraHeaders),
  };
  const warn = (body.onWarning as BehaviourOptions["onWarning"]) ?? options.onWarning ?? warnOnConsole;
  return {
    client,
    options: callOptions,
    warn,
    dropParams: (body.drop_params as boolean | undefined) ?? options.drop_params ?? false,
    allowRetired: (body.allowRetired as boolean | undefined) ?? options.allowRetired,
    mantleEndpoint: connection.mantleEndpoint ?? connection.endpoint,
    region:
      connection.region ??
      process.env.AWS_REGION ??
      process.env.AWS_DEFAULT_REGION ??
      (await sharedConfigRegion(client)),
  };
}

/** A chat call: the prepared call, the request with the client's chat defaults, guardrail and repair switch. */
async function prepareChatCall(
  state: ClientState,
  body: Readonly<Record<string, unknown>>,
  requestOptions?: RequestOptions,
) {
  const { options } = state;
  const prepared = await prepareCall(state, body, requestOptions);
  const request = {
    ...body,
    user_continue_message: body.user_continue_message ?? options.user_continue_message,
    fetchImage: body.fetchImage ?? options.fetchImage,
    imageFetch: body.imageFetch ?? options.imageFetch,
  };
  return {
    ...prepared,
    request,
    guardrail: (body.guardrailConfig as BehaviourOptions["guardrailConfig"]) ?? options.guardrailConfig,
    modifyParams: (body.modify_params as boolean | undefined) ?? options.modify_params ?? false,
  };
}

/** The client's state; a failed SDK client creation is retried on the next call. */
function createClientState(options: BedrockOptions): ClientState {
  const baseConnection = resolveConnection(options);
  let base: Promise<BedrockRuntimeClient> | undefined;
  function baseClient(): Promise<BedrockRuntimeClient> {
    if (!base) {
      const created = loadTransport().then((loaded) => loaded.clientFor(baseConnection));
      created.catch(() => {
        if (base === created) base = undefined;
      });
      base = created;
    }
    return base;
  }
  return {
    options,
    baseConnection,
    ownClient: options.client ? instrumentClient(options.client) : undefined,
    baseClient,
    timeout: readSideTimeout(options as Readonly<Record<string, unknown>>),
  };
}

/**
 * Creates a client for every Bedrock model through OpenAI's Chat Completions, Embeddings and Images shapes
 * (and Cohere's rerank shape for rerank models).
 *
 * ```ts
 * const bedrock = createBedrock({ region: "us-east-1" });
 * const reply = await bedrock.chat.completions.create({ model: "anthropic.claude-3-haiku-20240307-v1:0", messages });
 * ```
 */
export function createBedrock(options: BedrockOptions = {}): Bedrock {
  const state = createClientState(options);
  /** A call's client, transport options and policy switches (every operation). */
  const prepare = (body: Readonly<Record<string, unknown>>, requestOptions?: RequestOptions) =>
    prepareCall(state, body, requestOptions);
  /** The same for a chat request, with the client's chat defaults. */
  const prepareChat = (body: Readonly<Record<string, unknown>>, requestOptions?: RequestOptions) =>
    prepareChatCall(state, body, requestOptions);

  const completions = {
    async create(body: Readonly<Record<string, unknown>>, requestOptions?: RequestOptions) {
      const call = await prepareChat(body, requestOptions);
      const { createChatCompletion, createChatCompletionStream } = await loadChat();
      return body.stream === true ? createChatCompletionStream(call) : createChatCompletion(call);
    },
  } as unknown as ChatCompletions;

  const responses = {
    async create(body: Readonly<Record<string, unknown>>, requestOptions?: RequestOptions) {
      const call = await prepareChat(body, requestOptions);
      const { createResponse, createResponseStream } = await loadResponses();
      return body.stream === true ? createResponseStream(call) : createResponse(call);
    },
  } as unknown as Responses;

  const messages = {
    async create(body: Readonly<Record<string, unknown>>, requestOptions?: RequestOptions) {
      const call = await prepareChat(body, requestOptions);
      const { createMessage, createMessageStream } = await loadMessages();
      return body.stream === true ? createMessageStream(call) : createMessage(call);
    },
    async countTokens(body: Readonly<Record<string, unknown>>, requestOptions?: RequestOptions) {
      const call = await prepareChat(body, requestOptions);
      return (await loadMessages()).countMessageTokens(call);
    },
  } as unknown as Messages;

  return {
    chat: { completions },
    responses,
    messages,
    async countTokens(body, requestOptions) {
      const call = await prepareChat(body as Readonly<Record<string, unknown>>, requestOptions);
      return (await loadChat()).countChatTokens(call);
    },
    embeddings: {
      async create(body, requestOptions) {
        const prepared = await prepare(body as Readonly<Record<string, unknown>>, requestOptions);
        return (await loadEmbeddings()).createEmbeddings({
          ...prepared,
          request: body as Readonly<Record<string, unknown>>,
        });
      },
    },
    images: {
      async generate(body, requestOptions) {
        const prepared = await prepare(body as Readonly<Record<string, unknown>>, requestOptions);
        return (await loadImages()).generateImages({
          ...prepared,
          request: body as Readonly<Record<string, unknown>>,
        });
      },
      async edit(body, requestOptions) {
        const prepared = await prepare(body as Readonly<Record<string, unknown>>, requestOptions);
        return (await loadImageEdits()).editImages({
          ...prepared,
          request: { ...body, fetchImage: body.fetchImage ?? state.options.fetchImage },
        });
      },
    },
    rerank: {
      async create(body, requestOptions) {
        const prepared = await prepare(body as Readonly<Record<string, unknown>>, requestOptions);
        return (await loadRerank()).createRerank({
          ...prepared,
          request: body as Readonly<Record<string, unknown>>,
        });
      },
    },
  };
}
