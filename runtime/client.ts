import type { BedrockRuntimeClient } from "@aws-sdk/client-bedrock-runtime";
import { type Connection, hasConnectionOverrides, resolveConnection } from "./connection.js";
import { instrumentClient } from "./instrument.js";
import type { CallOptions } from "./send.js";
import type {
  BehaviourOptions,
  ChatCompletion,
  ChatCompletionCreateParams,
  ChatCompletionRequest,
  ChatCompletionStream,
  ConnectionOptions,
  CreateEmbeddingResponse,
  EmbeddingCreateParams,
  ImageGenerateParams,
  ImagesResponse,
  KnownModelRef,
  RequestOptions,
  RerankCreateParams,
  RerankResponse,
} from "./types.js";

/** Options of `createBedrock`: connection, LiteLLM-style behaviour switches and an optional SDK client of your own. */
export interface BedrockOptions extends ConnectionOptions, BehaviourOptions {
  /** An existing BedrockRuntimeClient; used as is (bedrock-forge only adds a header-reading middleware). */
  readonly client?: BedrockRuntimeClient;
}

/** A model reference with editor completion for catalog ids, still accepting any string (ARNs, newer models). */
export type ModelRef = KnownModelRef | (string & {});

export interface ChatCompletions {
  /**
   * A chat completion; with `stream: true`, a stream of chunks. One signature (not overloads), so a
   * param the model does not take is reported against the request you wrote.
   */
  create<M extends ModelRef, S extends boolean | null | undefined = undefined>(
    body: ChatCompletionRequest<M, S>,
    options?: RequestOptions,
  ): Promise<S extends true ? ChatCompletionStream : ChatCompletion>;
}

export interface Bedrock {
  readonly chat: { readonly completions: ChatCompletions };
  /** Input tokens of a chat request as Bedrock counts them (the CountTokens API), without running the model. */
  countTokens<M extends ModelRef>(
    body: Omit<ChatCompletionCreateParams<M>, "stream">,
    options?: RequestOptions,
  ): Promise<{ input_tokens: number; model: string }>;
  readonly embeddings: {
    create<M extends ModelRef>(
      body: EmbeddingCreateParams<M>,
      options?: RequestOptions,
    ): Promise<CreateEmbeddingResponse>;
  };
  readonly images: {
    generate<M extends ModelRef>(
      body: ImageGenerateParams<M>,
      options?: RequestOptions,
    ): Promise<ImagesResponse>;
  };
  /** Documents ordered by relevance to a query, in the shape of Cohere's rerank API (as LiteLLM's `rerank()`). */
  readonly rerank: {
    create<M extends ModelRef>(
      body: RerankCreateParams<M>,
      options?: RequestOptions,
    ): Promise<RerankResponse>;
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
let engine: Promise<typeof import("./engine.js")> | undefined;

/** The SDK-backed half of the runtime, imported on the first call and kept. */
function loadEngine(): Promise<typeof import("./engine.js")> {
  engine ??= import("./engine.js");
  return engine;
}

/** The region the SDK client found itself (a profile in ~/.aws/config), when no option or variable named one. */
async function sharedConfigRegion(client: BedrockRuntimeClient): Promise<string | undefined> {
  try {
    return await client.config.region();
  } catch {
    return undefined;
  }
}

export function createBedrock(options: BedrockOptions = {}): Bedrock {
  const baseConnection = resolveConnection(options);
  const ownClient = options.client ? instrumentClient(options.client) : undefined;
  /** The SDK client of the client's own connection, kept (a failed creation is retried on the next call). */
  let base: Promise<BedrockRuntimeClient> | undefined;
  function baseClient(): Promise<BedrockRuntimeClient> {
    if (!base) {
      const created = loadEngine().then((loaded) => loaded.clientFor(baseConnection));
      created.catch(() => {
        if (base === created) base = undefined;
      });
      base = created;
    }
    return base;
  }

  async function prepare(body: Readonly<Record<string, unknown>>, requestOptions: RequestOptions = {}) {
    const overrides = hasConnectionOverrides(body) || requestOptions.maxRetries !== undefined;
    let connection: Connection = baseConnection;
    if (overrides) {
      connection = resolveConnection(options, {
        ...(body as ConnectionOptions),
        ...(requestOptions.maxRetries !== undefined ? { num_retries: requestOptions.maxRetries } : {}),
      });
    } else if (body.extra_headers !== undefined || body.timeout !== undefined) {
      connection = resolveConnection(options, {
        extra_headers: body.extra_headers as never,
        timeout: body.timeout as never,
      });
    }
    const client =
      ownClient && !overrides
        ? ownClient
        : connection === baseConnection
          ? await baseClient()
          : await (await loadEngine()).clientFor(connection);
    const extraHeaders = connection.extraHeaders;
    const optionHeaders = requestOptions.headers;
    const callOptions: CallOptions = {
      signal: requestOptions.signal,
      timeout: requestOptions.timeout ?? connection.timeout,
      headers:
        extraHeaders && optionHeaders
          ? { ...extraHeaders, ...optionHeaders }
          : (optionHeaders ?? extraHeaders),
    };
    const warn =
      (body.onWarning as BehaviourOptions["onWarning"]) ??
      options.onWarning ??
      ((message: string) => console.warn(message));
    return {
      client,
      options: callOptions,
      warn,
      dropParams: (body.drop_params as boolean | undefined) ?? options.drop_params ?? false,
      allowRetired: (body.allowRetired as boolean | undefined) ?? options.allowRetired,
      region:
        connection.region ??
        process.env.AWS_REGION ??
        process.env.AWS_DEFAULT_REGION ??
        (await sharedConfigRegion(client)),
    };
  }

  async function prepareChat(body: Readonly<Record<string, unknown>>, requestOptions?: RequestOptions) {
    const prepared = await prepare(body, requestOptions);
    const request = {
      ...body,
      user_continue_message: body.user_continue_message ?? options.user_continue_message,
      fetchImage: body.fetchImage ?? options.fetchImage,
    };
    return {
      ...prepared,
      request,
      guardrail: (body.guardrailConfig as BehaviourOptions["guardrailConfig"]) ?? options.guardrailConfig,
      modifyParams: (body.modify_params as boolean | undefined) ?? options.modify_params ?? false,
    };
  }

  const completions = {
    async create(body: Readonly<Record<string, unknown>>, requestOptions?: RequestOptions) {
      const call = await prepareChat(body, requestOptions);
      const { createChatCompletion, createChatCompletionStream } = await loadEngine();
      return body.stream === true ? createChatCompletionStream(call) : createChatCompletion(call);
    },
  } as unknown as ChatCompletions;

  return {
    chat: { completions },
    async countTokens(body, requestOptions) {
      const call = await prepareChat(body as Readonly<Record<string, unknown>>, requestOptions);
      return (await loadEngine()).countChatTokens(call);
    },
    embeddings: {
      async create(body, requestOptions) {
        const prepared = await prepare(body as Readonly<Record<string, unknown>>, requestOptions);
        return (await loadEngine()).createEmbeddings({
          ...prepared,
          request: body as Readonly<Record<string, unknown>>,
        });
      },
    },
    images: {
      async generate(body, requestOptions) {
        const prepared = await prepare(body as Readonly<Record<string, unknown>>, requestOptions);
        return (await loadEngine()).generateImages({
          ...prepared,
          request: body as Readonly<Record<string, unknown>>,
        });
      },
    },
    rerank: {
      async create(body, requestOptions) {
        const prepared = await prepare(body as Readonly<Record<string, unknown>>, requestOptions);
        return (await loadEngine()).createRerank({
          ...prepared,
          request: body as Readonly<Record<string, unknown>>,
        });
      },
    },
  };
}
