/**
 * bedrock-mantle, Bedrock's OpenAI-compatible endpoint: `POST /v1/chat/completions` and
 * `POST /openai/v1/chat/completions`, unary and streamed, with synthesized answers.
 *
 * Where each shape comes from:
 * - the endpoint, its two bases and its auth (a Bedrock API key as a bearer token, or SigV4 for the service
 *   `bedrock-mantle`): AWS's page https://docs.aws.amazon.com/bedrock/latest/userguide/bedrock-mantle.html and
 *   LiteLLM's bedrock_mantle provider (litellm/llms/bedrock_mantle/common_utils.py: signing name, per-model base);
 * - the request, the chat completion object, the `chat.completion.chunk` events (`data: {…}` lines, then
 *   `data: [DONE]`) and the usage chunk of `stream_options.include_usage`: OpenAI's API reference
 *   (https://platform.openai.com/docs/api-reference/chat/create, …/chat/object, …/chat-streaming);
 * - errors: OpenAI's error object `{"error": {"message", "type", "param", "code"}}`
 *   (https://platform.openai.com/docs/guides/error-codes); a model on the wrong base is refused with a 400 whose
 *   message says ``model `<id>` isn't supported on this route`` (the wording public clients of mantle match on;
 *   the rest of that message and the `type`/`code` fields are unverified). The wording of mantle's auth
 *   failures is unverified too: the emulator sends Bedrock's messages in OpenAI's error object.
 * No recording of a real mantle exchange exists: these answers are built from the references above.
 */

import type { ChatRequestMapping } from "../generated/spec-types.js";
import { readOpenAIChatView } from "../runtime/codecs/openai/emulator.js";
import { deriveMantleBase, type MantleBase } from "../runtime/mantle-base.js";
import { EmulatorError } from "./errors.js";
import {
  type Answer,
  baseHeaders,
  controlHeaders,
  type EmulatorContext,
  type Exchange,
  positiveInteger,
} from "./exchange.js";
import { planChat } from "./synthesize/plan.js";
import { deterministicUuid } from "./synthesize/text.js";
import { isObject } from "./synthesize/view.js";

type Json = Record<string, unknown>;

/** The signing name of bedrock-mantle's SigV4 (LiteLLM's bedrock_mantle provider). */
export const MANTLE_SERVICE = "bedrock-mantle";

/** The base a mantle chat path is on, or undefined for any other path. */
export function mantleBaseOfPath(path: string): MantleBase | undefined {
  if (path === "/v1/chat/completions") return "v1";
  if (path === "/openai/v1/chat/completions") return "openai/v1";
  return undefined;
}

/** OpenAI's error `type` for an HTTP status. */
function errorTypeOf(status: number): string {
  if (status === 401) return "authentication_error";
  if (status === 403) return "permission_error";
  if (status === 404) return "not_found_error";
  if (status === 429) return "rate_limit_error";
  if (status >= 500) return "api_error";
  return "invalid_request_error";
}

/** An error answer in OpenAI's shape. */
export function mantleErrorAnswer(
  exchange: Exchange,
  status: number,
  message: string,
  code: string | null,
  param: string | null = null,
): Answer & { kind: "json" } {
  exchange.log.errorType = code ?? errorTypeOf(status);
  return {
    kind: "json",
    status,
    headers: baseHeaders(exchange, "application/json"),
    body: JSON.stringify({ error: { message, type: errorTypeOf(status), param, code } }),
  };
}

/** Any failure on a mantle path (auth included) as OpenAI's error object, the Bedrock error name as its code. */
export function mantleFailureAnswer(exchange: Exchange, error: unknown): Answer & { kind: "json" } {
  if (error instanceof EmulatorError)
    return mantleErrorAnswer(exchange, error.status, error.message, error.errorName);
  return mantleErrorAnswer(
    exchange,
    500,
    `bedrock-forge emulator: ${(error as Error)?.message ?? error}`,
    null,
  );
}

/** A 400 naming what is wrong with the request (OpenAI's invalid_request_error). */
class MantleRequestError extends Error {
  constructor(
    message: string,
    readonly param: string | null,
    readonly code: string | null = null,
  ) {
    super(message);
  }
}

/** The base that serves a model: the catalog's `mantle_base` for its models, else LiteLLM's rule. */
function servingBase(context: EmulatorContext, modelId: string): MantleBase {
  return context.registry.find(modelId)?.entry.mantleBase ?? deriveMantleBase(modelId);
}

/** Checks the body as mantle would before answering: an object with a model, served on this base, and messages. */
function readRequest(
  context: EmulatorContext,
  base: MantleBase,
  body: unknown,
): { body: Json; model: string } {
  if (!isObject(body)) throw new MantleRequestError("the request body must be a JSON object", null);
  const model = body.model;
  if (typeof model !== "string" || model === "")
    throw new MantleRequestError("you must provide a model parameter", "model");
  if (servingBase(context, model) !== base)
    throw new MantleRequestError(
      `model \`${model}\` isn't supported on this route`,
      "model",
      "model_not_supported",
    );
  if (!Array.isArray(body.messages) || body.messages.length === 0)
    throw new MantleRequestError("messages must be a non-empty array", "messages");
  return { body, model };
}

const chatMapping = {
  messages: "/messages",
  tools: "/tools",
  tool_choice: "/tool_choice",
} as ChatRequestMapping;

function maxTokensOf(body: Json): number | undefined {
  const value = body.max_completion_tokens ?? body.max_tokens;
  return typeof value === "number" && value > 0 ? value : undefined;
}

/** The answer message of a plan: its text, or its tool call (OpenAI's message object). */
function messageOf(plan: ReturnType<typeof planChat>, callId: string): Json {
  if (!plan.toolCall) return { role: "assistant", content: plan.text, refusal: null };
  return {
    role: "assistant",
    content: null,
    refusal: null,
    tool_calls: [
      {
        id: callId,
        type: "function",
        function: { name: plan.toolCall.name, arguments: JSON.stringify(plan.toolCall.arguments) },
      },
    ],
  };
}

function usageOf(plan: ReturnType<typeof planChat>): Json {
  return {
    prompt_tokens: plan.inputTokens,
    completion_tokens: plan.outputTokens,
    total_tokens: plan.inputTokens + plan.outputTokens,
    prompt_tokens_details: { cached_tokens: 0 },
  };
}

/** The `data:` event of one JSON object, as OpenAI's streams frame them. */
function sseFrame(data: string): Uint8Array {
  return Buffer.from(`data: ${data}\n\n`, "utf8");
}

/** A synthesized answer to a mantle chat request: a chat completion, or its chunks as server-sent events. */
function synthesizeMantle(exchange: Exchange, model: string, body: Json): Answer {
  const view = { ...readOpenAIChatView(body, chatMapping), maxTokens: maxTokensOf(body) };
  const chunkCount = positiveInteger(exchange.headers[controlHeaders.streamChunks]);
  const plan = planChat(view, { modelId: model, ...(chunkCount ? { chunkCount } : {}) });
  const id = `chatcmpl-${deterministicUuid([model, plan.text, plan.toolCall?.seed])}`;
  const callId = `call_${(plan.toolCall?.seed ?? "").slice(0, 24)}`;
  const created = Math.floor(Date.now() / 1000);
  exchange.log.source = "synthesized";
  if (body.stream !== true) {
    return {
      kind: "json",
      status: 200,
      headers: { ...baseHeaders(exchange, "application/json"), "x-request-id": exchange.requestId },
      body: JSON.stringify({
        id,
        object: "chat.completion",
        created,
        model,
        choices: [{ index: 0, message: messageOf(plan, callId), finish_reason: plan.finish, logprobs: null }],
        usage: usageOf(plan),
      }),
    };
  }
  const base = { id, object: "chat.completion.chunk", created, model };
  const deltas: Json[] = plan.pieces.map((piece, index) => {
    if (!plan.toolCall) return { content: piece };
    return {
      tool_calls: [
        index === 0
          ? {
              index: 0,
              id: callId,
              type: "function",
              function: { name: plan.toolCall.name, arguments: piece },
            }
          : { index: 0, function: { arguments: piece } },
      ],
    };
  });
  deltas[0] = { role: "assistant", ...deltas[0] };
  const chunks: Json[] = deltas.map((delta) => ({
    ...base,
    choices: [{ index: 0, delta, finish_reason: null, logprobs: null }],
  }));
  chunks.push({ ...base, choices: [{ index: 0, delta: {}, finish_reason: plan.finish, logprobs: null }] });
  const options = body.stream_options;
  // stream_options.include_usage: one more chunk, with empty choices and the usage (OpenAI's API reference).
  if (isObject(options) && options.include_usage === true)
    chunks.push({ ...base, choices: [], usage: usageOf(plan) });
  return {
    kind: "stream",
    headers: {
      ...baseHeaders(exchange, "text/event-stream; charset=utf-8"),
      "Cache-Control": "no-cache",
      "x-request-id": exchange.requestId,
    },
    frames: [...chunks.map((chunk) => sseFrame(JSON.stringify(chunk))), sseFrame("[DONE]")],
  };
}

/** Answers an authenticated request on a mantle chat path (method and body checked here). */
export function answerMantle(
  context: EmulatorContext,
  exchange: Exchange,
  method: string,
  base: MantleBase,
  body: unknown,
): Answer {
  if (method !== "POST")
    return mantleErrorAnswer(exchange, 405, `method ${method} is not allowed here`, null);
  try {
    const request = readRequest(context, base, body);
    exchange.log.modelId = request.model;
    return synthesizeMantle(exchange, request.model, request.body);
  } catch (error) {
    if (error instanceof MantleRequestError)
      return mantleErrorAnswer(exchange, 400, error.message, error.code, error.param);
    throw error;
  }
}
