/**
 * The `mantle` route: OpenAI's Chat Completions on bedrock-mantle, Bedrock's OpenAI-compatible endpoint
 * (https://docs.aws.amazon.com/bedrock/latest/userguide/bedrock-mantle.html). The caller's OpenAI request is
 * sent as it came, less bedrock-forge's own fields, to `https://bedrock-mantle.{region}.api.aws/{base}/chat/completions`
 * with a Bedrock API key as a bearer token, else signed with SigV4 for the service `bedrock-mantle` (LiteLLM's
 * bedrock_mantle provider, `litellm/llms/bedrock_mantle/common_utils.py`). The answer is OpenAI's chat completion
 * object, or `chat.completion.chunk` server-sent events ending with `data: [DONE]`
 * (https://platform.openai.com/docs/api-reference/chat-streaming); errors are OpenAI's error object.
 * Verified against the emulator only: no recording of a real mantle exchange exists.
 */
import type { BedrockRuntimeClient } from "@aws-sdk/client-bedrock-runtime";
import type { FinishReasonMap } from "../../generated/spec-types.js";
import { HttpRequest, SignatureV4 } from "../aws-sdk.js";
import { streamCodecFor } from "../codecs/registry.js";
import {
  BedrockCallError,
  BedrockForgeError,
  type ErrorType,
  mapBedrockError,
  ResponseParseError,
} from "../errors.js";
import { deriveMantleBase, type MantleBase } from "../mantle-base.js";
import { bookkeepingNames } from "../param-policy.js";
import { runtimeFields } from "../params.js";
import { abortErrorOf, TimeoutAbort } from "../send.js";
import { Sha256 } from "../sha256.js";
import type { ChatCompletion, ChatCompletionStream, FinishReason, ProviderFields } from "../types.js";
import { buildCompletion, buildUsage, ChunkAssembler, mapFinishReason, type TokenUsage } from "./assemble.js";
import type { DecodedMessage, StreamEvent } from "./model.js";
import type { ChatCall, PreparedChat } from "./prepare.js";
import { createChatStream, type StreamSource } from "./stream.js";

/** The base of a call's model: the catalog's `mantle_base` when the catalog holds the model, else LiteLLM's rule. */
export function mantleBaseOf(prepared: PreparedChat): MantleBase {
  return prepared.entry?.mantleBase ?? deriveMantleBase(prepared.resolved.wireModelId);
}

/** The chat completions URL of a call: the connection's mantle endpoint, else the Region's bedrock-mantle host. */
export function mantleChatUrl(
  endpoint: string | undefined,
  region: string | undefined,
  base: MantleBase,
): URL {
  const root = endpoint ?? `https://bedrock-mantle.${region ?? "us-east-1"}.api.aws`;
  return new URL(`${root.replace(/\/+$/, "")}/${base}/chat/completions`);
}

/** Request fields that are bedrock-forge's own (connection, behaviour, call members, LiteLLM bookkeeping). */
const ownFields: ReadonlySet<string> = new Set(
  [...runtimeFields, ...bookkeepingNames].filter(
    (name) => name !== "model" && name !== "messages" && name !== "stream" && name !== "stream_options",
  ),
);

/** The OpenAI body sent to bedrock-mantle: the caller's request without bedrock-forge's fields, naming the wire model. */
export function buildMantleBody(
  request: Readonly<Record<string, unknown>>,
  modelId: string,
  stream: boolean,
): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(request)) {
    if (value !== undefined && !ownFields.has(name)) body[name] = value;
  }
  body.model = modelId;
  if (stream) body.stream = true;
  else delete body.stream;
  return body;
}

type TokenProvider = (() => Promise<{ token: string }>) | { token: string } | undefined;

/**
 * The Bedrock API key the client authenticates with, if it uses one: its own `apiKey`, or
 * AWS_BEARER_TOKEN_BEDROCK when the SDK chose bearer auth from the environment (the auth scheme preference the
 * SDK resolved, which explicit credentials set to SigV4).
 */
async function bearerTokenOf(client: BedrockRuntimeClient): Promise<string | undefined> {
  const config = client.config as unknown as {
    authSchemePreference?: () => Promise<string[] | undefined>;
    token?: TokenProvider;
  };
  const preference = (await config.authSchemePreference?.()) ?? [];
  const bearerFirst = preference[0] === "httpBearerAuth";
  if (!bearerFirst) return undefined;
  const token = config.token;
  if (typeof token === "function") return (await token()).token;
  if (token) return token.token;
  return process.env.AWS_BEARER_TOKEN_BEDROCK || undefined;
}

/** Headers with the authorization of a call: the bearer key, or a SigV4 signature for `bedrock-mantle`. */
async function authorize(
  client: BedrockRuntimeClient,
  url: URL,
  region: string,
  headers: Record<string, string>,
  body: string,
): Promise<Record<string, string>> {
  const token = await bearerTokenOf(client);
  if (token !== undefined) return { ...headers, authorization: `Bearer ${token}` };
  const signer = new SignatureV4({
    credentials: client.config.credentials,
    region,
    // The signing name LiteLLM's bedrock_mantle provider signs with (common_utils.py, sign_request).
    service: "bedrock-mantle",
    sha256: Sha256,
    uriEscapePath: true,
  });
  const request = new HttpRequest({
    method: "POST",
    protocol: url.protocol,
    hostname: url.hostname,
    ...(url.port ? { port: Number(url.port) } : {}),
    path: url.pathname,
    headers: { ...headers, host: url.host },
    body,
  });
  const signed = await signer.sign(request);
  const { host: _host, ...sent } = signed.headers;
  return sent;
}

/** OpenAI's error object (https://platform.openai.com/docs/guides/error-codes), as bedrock-mantle answers. */
interface OpenAIErrorBody {
  readonly message?: unknown;
  readonly type?: unknown;
  readonly code?: unknown;
  readonly param?: unknown;
}

/** The runtime's error type and retry advice for an HTTP status, in OpenAI's convention. */
function classifyStatus(status: number): { type: ErrorType; retryable: boolean } {
  if (status === 400 || status === 409 || status === 413 || status === 422)
    return { type: "invalid_request_error", retryable: false };
  if (status === 401) return { type: "authentication_error", retryable: false };
  if (status === 403) return { type: "permission_error", retryable: false };
  if (status === 404) return { type: "not_found_error", retryable: false };
  if (status === 408) return { type: "timeout_error", retryable: true };
  if (status === 429) return { type: "rate_limit_error", retryable: true };
  if (status === 503) return { type: "service_unavailable_error", retryable: true };
  return { type: "api_error", retryable: status >= 500 };
}

/** A BedrockCallError from bedrock-mantle's error answer (OpenAI's `{"error": {...}}`, or whatever came). */
export function mapMantleError(
  status: number,
  text: string,
  model: string,
  requestId: string | undefined,
): BedrockCallError {
  let error: OpenAIErrorBody | undefined;
  try {
    const parsed = JSON.parse(text) as { error?: OpenAIErrorBody; message?: unknown };
    error = parsed.error ?? (typeof parsed.message === "string" ? parsed : undefined);
  } catch {
    error = undefined;
  }
  const message = typeof error?.message === "string" ? error.message : text.slice(0, 500) || `HTTP ${status}`;
  const name =
    typeof error?.code === "string" && error.code !== ""
      ? error.code
      : typeof error?.type === "string" && error.type !== ""
        ? error.type
        : `HTTP ${status}`;
  const { type, retryable } = classifyStatus(status);
  return new BedrockCallError(`Bedrock mantle ${name} for ${model}: ${message}`, {
    status,
    type,
    code: name,
    awsErrorName: name,
    awsStatus: status,
    requestId,
    retryable,
  });
}

/** The request id bedrock-mantle sends back (OpenAI's `x-request-id`, or AWS's `x-amzn-requestid`). */
function requestIdOf(response: Response): string | undefined {
  return response.headers.get("x-request-id") ?? response.headers.get("x-amzn-requestid") ?? undefined;
}

/** A transport failure of fetch (no HTTP answer) as the runtime's error: the cause's code names what happened. */
function mapFetchFailure(error: unknown, signal: AbortSignal, model: string): BedrockForgeError {
  if (signal.aborted) {
    const reason = signal.reason as unknown;
    return mapBedrockError(reason instanceof TimeoutAbort ? reason : abortErrorOf(signal), { model });
  }
  const cause = (error as { cause?: { code?: unknown; message?: unknown } }).cause;
  const code = typeof cause?.code === "string" ? cause.code : undefined;
  return mapBedrockError(
    Object.assign(new Error(String(cause?.message ?? (error as Error)?.message ?? error)), { code }),
    { model },
  );
}

/** The call's signal, ending also after `timeout` milliseconds (as a TimeoutAbort); `stop` clears the timer. */
function callSignal(call: ChatCall): { signal: AbortSignal; stop: () => void } {
  const { timeout, signal: outer } = call.options;
  const controller = new AbortController();
  const timer =
    timeout !== undefined && timeout > 0
      ? setTimeout(() => controller.abort(new TimeoutAbort(timeout)), timeout)
      : undefined;
  return {
    signal: outer ? AbortSignal.any([outer, controller.signal]) : controller.signal,
    stop: () => clearTimeout(timer),
  };
}

/** Sends a call to bedrock-mantle; resolves with the response once its status is 2xx (else throws the mapped error). */
async function sendMantle(
  call: ChatCall,
  prepared: PreparedChat,
  stream: boolean,
  signal: AbortSignal,
): Promise<Response> {
  const model = prepared.resolved.displayName;
  const url = mantleChatUrl(call.mantleEndpoint, call.region, mantleBaseOf(prepared));
  let body: string;
  try {
    body = JSON.stringify(buildMantleBody(call.request, prepared.resolved.wireModelId, stream));
  } catch (error) {
    throw mapBedrockError(error, { model });
  }
  const headers = await authorize(
    call.client,
    url,
    call.region ?? "us-east-1",
    {
      "content-type": "application/json",
      accept: stream ? "text/event-stream" : "application/json",
      ...call.options.headers,
    },
    body,
  );
  let response: Response;
  try {
    response = await fetch(url, { method: "POST", headers, body, signal });
  } catch (error) {
    throw mapFetchFailure(error, signal, model);
  }
  if (response.status >= 200 && response.status < 300) return response;
  let text: string;
  try {
    text = await response.text();
  } catch (error) {
    throw mapFetchFailure(error, signal, model);
  }
  throw mapMantleError(response.status, text, model, requestIdOf(response));
}

/** OpenAI's finish reasons, which bedrock-mantle sends as they are. */
const finishReasons: FinishReasonMap = {
  from: "/choices/0/finish_reason",
  map: {
    stop: "stop",
    length: "length",
    tool_calls: "tool_calls",
    content_filter: "content_filter",
    function_call: "tool_calls",
  },
  default: "stop",
};

/** OpenAI usage: `prompt_tokens` counts cached tokens too (`prompt_tokens_details.cached_tokens`). */
interface OpenAIUsage {
  readonly prompt_tokens?: number;
  readonly completion_tokens?: number;
  readonly prompt_tokens_details?: { readonly cached_tokens?: number } | null;
}

/** The token counts of an OpenAI usage object, cached tokens apart (the catalog prices them apart). */
function readUsage(usage: OpenAIUsage): TokenUsage {
  const cached = usage.prompt_tokens_details?.cached_tokens ?? 0;
  return {
    promptTokens: Math.max(0, (usage.prompt_tokens ?? 0) - cached),
    completionTokens: usage.completion_tokens ?? 0,
    ...(cached > 0 ? { cacheReadTokens: cached } : {}),
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Reads bedrock-mantle's chat completion into the runtime's decoded message (first choice, as every route). */
function decodeCompletion(
  answer: Record<string, unknown>,
  model: string,
): DecodedMessage & { finish: unknown } {
  const choice = Array.isArray(answer.choices) ? (answer.choices[0] as unknown) : undefined;
  if (!isObject(choice) || !isObject(choice.message)) {
    throw new ResponseParseError(`bedrock-mantle's answer for ${model} has no choices[0].message`, {
      field: "/choices/0/message",
      model,
    });
  }
  const message = choice.message;
  const content = message.content;
  const text =
    typeof content === "string"
      ? content
      : Array.isArray(content)
        ? content.map((part) => (isObject(part) && typeof part.text === "string" ? part.text : "")).join("")
        : "";
  const toolCalls = (Array.isArray(message.tool_calls) ? message.tool_calls : [])
    .filter(isObject)
    .map((call, index) => {
      const fn = isObject(call.function) ? call.function : {};
      return {
        id: typeof call.id === "string" ? call.id : `call_${index}`,
        name: String(fn.name ?? ""),
        arguments: typeof fn.arguments === "string" ? fn.arguments : JSON.stringify(fn.arguments ?? {}),
      };
    });
  const reasoning = typeof message.reasoning_content === "string" ? message.reasoning_content : "";
  return {
    text,
    toolCalls,
    reasoning: reasoning ? [{ type: "thinking", thinking: reasoning }] : [],
    finish: choice.finish_reason,
  };
}

/** A unary chat completion through bedrock-mantle. */
export async function mantleChat(call: ChatCall, prepared: PreparedChat): Promise<ChatCompletion> {
  const model = prepared.resolved.displayName;
  const { signal, stop } = callSignal(call);
  try {
    const response = await sendMantle(call, prepared, false, signal);
    let text: string;
    try {
      text = await response.text();
    } catch (error) {
      throw mapFetchFailure(error, signal, model);
    }
    let answer: unknown;
    try {
      answer = JSON.parse(text);
    } catch (error) {
      throw new ResponseParseError(
        `bedrock-mantle's answer for ${model} is not JSON: ${text.slice(0, 200)}`,
        {
          cause: error,
        },
      );
    }
    if (!isObject(answer)) {
      throw new ResponseParseError(`bedrock-mantle's answer for ${model} is not a JSON object`);
    }
    const decoded = decodeCompletion(answer, model);
    const tokens = readUsage(isObject(answer.usage) ? (answer.usage as OpenAIUsage) : {});
    const fields: ProviderFields = {
      route: "mantle",
      request_id: requestIdOf(response),
      stop_reason: typeof decoded.finish === "string" ? decoded.finish : null,
    };
    if (typeof answer.id === "string") fields.mantle_id = answer.id;
    const finish: FinishReason = mapFinishReason(decoded.finish, finishReasons, decoded.toolCalls.length > 0);
    return buildCompletion(decoded, finish, buildUsage(tokens, prepared.price), prepared.meta, fields);
  } finally {
    stop();
  }
}

/** The body's bytes; a connection lost on the way is the runtime's connection error (never a short answer). */
async function* readBytes(body: ReadableStream<Uint8Array>, model: string): AsyncGenerator<Uint8Array> {
  try {
    for await (const bytes of body as unknown as AsyncIterable<Uint8Array>) yield bytes;
  } catch (error) {
    if (BedrockForgeError.isInstance(error)) throw error;
    const cause = (error as { cause?: { code?: unknown; message?: unknown } }).cause;
    const code = typeof cause?.code === "string" ? cause.code : "ECONNRESET";
    throw mapBedrockError(
      Object.assign(new Error(String(cause?.message ?? (error as Error)?.message ?? error)), { code }),
      { model },
    );
  }
}

/** The body as text with every line ending (CRLF, CR, LF) made LF, whatever the byte boundaries. */
async function* readText(body: ReadableStream<Uint8Array>, model: string): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  // A CR that ends a piece may be the first half of a CRLF: it waits for the next piece.
  let carriedReturn = false;
  for await (const bytes of readBytes(body, model)) {
    let text: string = (carriedReturn ? "\r" : "") + decoder.decode(bytes, { stream: true });
    carriedReturn = text.endsWith("\r");
    if (carriedReturn) text = text.slice(0, -1);
    yield text.replace(/\r\n?/g, "\n");
  }
  if (carriedReturn) yield "\n";
}

/**
 * The JSON objects of a server-sent event stream, up to `data: [DONE]`: each event's `data:` lines joined
 * (https://html.spec.whatwg.org/multipage/server-sent-events.html); other fields and comments are skipped.
 * An `error` object in the stream is OpenAI's mid-stream error: it ends the stream with that error.
 */
export async function* readServerSentEvents(
  body: ReadableStream<Uint8Array>,
  model: string,
  requestId: string | undefined,
): AsyncGenerator<Record<string, unknown>> {
  let buffer = "";
  for await (const text of readText(body, model)) {
    buffer += text;
    for (let end = buffer.indexOf("\n\n"); end >= 0; end = buffer.indexOf("\n\n")) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = block
        .split("\n")
        .filter((line) => line.startsWith("data:"))
        .map((line) => line.slice(5).replace(/^ /, ""))
        .join("\n");
      if (data === "") continue;
      if (data === "[DONE]") return;
      let parsed: unknown;
      try {
        parsed = JSON.parse(data);
      } catch (error) {
        throw new ResponseParseError(
          `a bedrock-mantle stream event for ${model} is not JSON: ${data.slice(0, 200)}`,
          {
            cause: error,
          },
        );
      }
      if (!isObject(parsed)) {
        throw new ResponseParseError(`a bedrock-mantle stream event for ${model} is not a JSON object`);
      }
      if (isObject(parsed.error)) throw mapMantleError(500, data, model, requestId);
      yield parsed;
    }
  }
  throw new ResponseParseError(`bedrock-mantle's stream for ${model} ended before data: [DONE]`);
}

/** Decodes chat.completion.chunk objects with the openai stream codec; usage is read here, cached tokens apart. */
function chunkDecoder(): (chunk: unknown) => StreamEvent[] {
  const decode = streamCodecFor("openai").createDecoder(
    { codec: "openai", finish_reason: finishReasons },
    {
      content: "/choices/0/message",
      reasoning: { field: "reasoning_content" },
      finish_reason: finishReasons,
      usage: { prompt_tokens: "/usage/prompt_tokens", completion_tokens: "/usage/completion_tokens" },
    },
  );
  return (chunk) => {
    const object = chunk as Record<string, unknown>;
    const events: StreamEvent[] = decode(object).filter((event) => event.kind !== "usage");
    if (isObject(object.usage)) events.push({ kind: "usage", ...readUsage(object.usage as OpenAIUsage) });
    return events;
  };
}

/** A streamed chat completion through bedrock-mantle; resolves once the response has started. */
export async function mantleChatStream(
  call: ChatCall,
  prepared: PreparedChat,
  controller: AbortController,
): Promise<ChatCompletionStream> {
  const model = prepared.resolved.displayName;
  const { signal, stop } = callSignal(call);
  let response: Response;
  try {
    response = await sendMantle(call, prepared, true, signal);
  } finally {
    // The timeout bounds the wait for the response to start; the stream's idle timer takes over from here.
    stop();
  }
  const requestId = requestIdOf(response);
  if (!response.body) throw new ResponseParseError(`bedrock-mantle's stream for ${model} has no body`);
  const source: StreamSource = {
    events: readServerSentEvents(response.body, model, requestId),
    decode: chunkDecoder(),
    assembler: new ChunkAssembler(prepared.meta, finishReasons),
    fields: { route: "mantle", request_id: requestId },
    requestId,
  };
  return createChatStream(source, call, prepared, controller);
}
