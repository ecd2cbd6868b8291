/**
 * Synthesis: answers made from the specs when no fixture answers. InvokeModel bodies are validated against
 * the family's native schema and answered in the family's shape (chat through its codec; embeddings, images
 * and rerank through the spec's pointers); Converse and CountTokens are answered in the service's shapes.
 */
import type { CatalogEntry } from "../runtime/descriptor.js";
import { createError, type EmulatorError, errorMessages } from "./errors.js";
import { encodeChunkFrame, encodeEventFrame, paddingFor } from "./eventstream.js";
import {
  type Answer,
  baseHeaders,
  chunkIntervalOf,
  controlHeaders,
  type EmulatorContext,
  EVENTSTREAM,
  type Exchange,
  type Json,
  jsonAnswer,
  latencyOf,
  positiveInteger,
} from "./exchange.js";
import { fillRequired } from "./fill.js";
import type { FixtureOperation } from "./fixtures.js";
import type { ResolvedModel } from "./models.js";
import { nativeRequestSchemaOf, nativeWordingOf, validateConverseModelFields } from "./native-request.js";
import { invokeKindOf } from "./replay.js";
import { buildConverseResponse, buildConverseStream } from "./synthesize/converse.js";
import { buildEmbeddingsResponse } from "./synthesize/embeddings.js";
import {
  converseGuardrailTrace,
  type GuardrailRequest,
  invokeGuardrailFields,
} from "./synthesize/guardrail.js";
import { buildImagesEditResponse, buildImagesResponse } from "./synthesize/images.js";
import {
  buildNativeChatResponse,
  buildNativeChatStream,
  readNativeChatView,
} from "./synthesize/native-chat.js";
import type { NativeChatContext } from "./synthesize/native-kit.js";
import { type ChatPlan, planChat } from "./synthesize/plan.js";
import { buildRerankResponse } from "./synthesize/rerank.js";
import { countTokens } from "./synthesize/text.js";
import { type ChatView, readConverseView } from "./synthesize/view.js";
import { validateNativeBody, validateServiceBody } from "./validate.js";

/** The latencies an answer reports: the first byte after the latency, then one chunk interval per piece. */
function metricsFor(context: EmulatorContext, exchange: Exchange, plan: ChatPlan | undefined) {
  const firstByteLatency = Math.max(1, latencyOf(context, exchange.headers));
  const interval = chunkIntervalOf(context, exchange);
  return {
    firstByteLatency,
    invocationLatency: firstByteLatency + interval * Math.max(0, (plan?.pieces.length ?? 1) - 1),
  };
}

function invokeGuardrail(exchange: Exchange): GuardrailRequest | undefined {
  const identifier = exchange.headers["x-amzn-bedrock-guardrailidentifier"];
  if (!identifier) return undefined;
  const trace = (exchange.headers["x-amzn-bedrock-trace"] ?? "").toUpperCase();
  return {
    identifier,
    version: exchange.headers["x-amzn-bedrock-guardrailversion"] ?? "DRAFT",
    trace: trace === "ENABLED" || trace === "ENABLED_FULL",
  };
}

function converseGuardrail(body: Json): GuardrailRequest | undefined {
  const config = body.guardrailConfig as Json | undefined;
  if (!config || typeof config.guardrailIdentifier !== "string") return undefined;
  const trace = String(config.trace ?? "disabled").toLowerCase();
  return {
    identifier: config.guardrailIdentifier,
    version: String(config.guardrailVersion ?? "DRAFT"),
    trace: trace === "enabled" || trace === "enabled_full",
  };
}

/** Plans the chat answer: blocked when a guardrail is configured and the last user text holds the trigger. */
function planFor(
  context: EmulatorContext,
  exchange: Exchange,
  entry: CatalogEntry,
  view: ChatView,
  guardrail: GuardrailRequest | undefined,
  reasoning = false,
) {
  const blocked = guardrail !== undefined && view.lastUserText.includes(context.trigger);
  const count =
    positiveInteger(exchange.headers[controlHeaders.streamChunks]) ?? context.options.streamChunks;
  const plan = planChat(view, {
    modelId: entry.id,
    ...(count !== undefined ? { chunkCount: count } : {}),
    ...(blocked ? { blockedMessage: context.blockedMessage } : {}),
    reasoning,
  });
  return { plan, blocked };
}

function noMapping(entry: CatalogEntry, operation: string): EmulatorError {
  return createError(
    "ValidationException",
    `bedrock-forge emulator: the ${entry.family} spec has no ${operation} mapping for ${entry.id}`,
  );
}

/** The answer of an embeddings, images, image-edit or rerank InvokeModel call, completed to the family's response schema. */
function synthesizeNonChat(
  context: EmulatorContext,
  exchange: Exchange,
  model: ResolvedModel,
  kind: "embeddings" | "images" | "images_edit" | "rerank",
  body: Json,
): Answer {
  const { entry, family, schemas } = model;
  const descriptor = family.descriptor;
  const latency = {
    "X-Amzn-Bedrock-Invocation-Latency": String(metricsFor(context, exchange, undefined).invocationLatency),
  };
  switch (kind) {
    case "embeddings": {
      if (!descriptor.embeddings) throw noMapping(entry, "embeddings");
      const answer = buildEmbeddingsResponse(body, descriptor, entry);
      fillRequired(answer.body, schemas.embeddings_response);
      return jsonAnswer(exchange, answer.body, {
        ...latency,
        "X-Amzn-Bedrock-Input-Token-Count": String(answer.inputTokens),
      });
    }
    case "images": {
      if (!descriptor.images) throw noMapping(entry, "images");
      const maxPixels = context.options.maxImagePixels;
      const answer = buildImagesResponse(body, descriptor, entry, maxPixels ? { maxPixels } : {});
      fillRequired(answer, schemas.images_response);
      return jsonAnswer(exchange, answer, latency);
    }
    case "images_edit": {
      if (!descriptor.images_edit) throw noMapping(entry, "images_edit");
      const maxPixels = context.options.maxImagePixels;
      const answer = buildImagesEditResponse(body, descriptor, entry, maxPixels ? { maxPixels } : {});
      fillRequired(answer, schemas.images_edit_response);
      return jsonAnswer(exchange, answer, latency);
    }
    case "rerank": {
      if (!descriptor.rerank) throw noMapping(entry, "rerank");
      const answer = buildRerankResponse(body, descriptor, entry);
      fillRequired(answer, schemas.rerank_response);
      return jsonAnswer(exchange, answer, latency);
    }
    default: {
      const unknown: never = kind;
      throw new Error(`no synthesizer for ${unknown}`);
    }
  }
}

/** A chat InvokeModel or InvokeModelWithResponseStream answer in the family's native shape. */
function synthesizeInvokeChat(
  context: EmulatorContext,
  exchange: Exchange,
  model: ResolvedModel,
  body: Json,
  streaming: boolean,
): Answer {
  const { entry, family, schemas } = model;
  const descriptor = family.descriptor;
  if (!descriptor.chat) throw noMapping(entry, "chat");
  const view = readNativeChatView(body, descriptor);
  const guardrail = invokeGuardrail(exchange);
  // Families whose spec says where reasoning travels get reasoning before their answers.
  const reasoning = descriptor.chat.response.reasoning !== undefined;
  const { plan, blocked } = planFor(context, exchange, entry, view, guardrail, reasoning);
  const native: NativeChatContext = {
    descriptor,
    modelId: entry.id,
    created: Math.floor(Date.now() / 1000),
    metrics: metricsFor(context, exchange, plan),
    streamChunkSchema: schemas.chat_stream_chunk,
    ...(blocked && guardrail ? { guardrail: invokeGuardrailFields(guardrail, view.lastUserText) } : {}),
  };
  if (streaming) {
    const chunks = buildNativeChatStream(plan, native, view.lastUserText);
    return {
      kind: "stream",
      headers: { ...baseHeaders(exchange, EVENTSTREAM), "X-Amzn-Bedrock-Content-Type": "application/json" },
      frames: chunks.map((chunk, index) =>
        encodeChunkFrame(chunk, context.padding ? { p: paddingFor(index) } : undefined),
      ),
    };
  }
  const responseBody = buildNativeChatResponse(plan, native, view.lastUserText);
  fillRequired(responseBody, schemas.chat_response);
  const headers: Record<string, string> = {
    "X-Amzn-Bedrock-Invocation-Latency": String(native.metrics.invocationLatency),
    "X-Amzn-Bedrock-Output-Token-Count": String(plan.outputTokens),
    "X-Amzn-Bedrock-Input-Token-Count": String(plan.inputTokens),
  };
  const usage = descriptor.chat.response.usage;
  if (usage.cache_read_tokens) headers["X-Amzn-Bedrock-Cache-Read-Input-Token-Count"] = "0";
  if (usage.cache_write_tokens) headers["X-Amzn-Bedrock-Cache-Write-Input-Token-Count"] = "0";
  return jsonAnswer(exchange, responseBody, headers);
}

/** An InvokeModel or InvokeModelWithResponseStream answer, after the body passed the family's native schema. */
export function synthesizeInvoke(
  context: EmulatorContext,
  exchange: Exchange,
  operation: "invoke" | "invoke-stream",
  model: ResolvedModel,
  body: Json,
): Answer {
  const { entry } = model;
  if (entry.routes.includes("bidirectional-stream")) {
    throw createError(
      "ValidationException",
      `bedrock-forge emulator: ${entry.id} is served over InvokeModelWithBidirectionalStream only (speech-to-speech), not InvokeModel`,
    );
  }
  if (!entry.routes.includes("invoke")) {
    throw createError(
      "ValidationException",
      `bedrock-forge emulator: the ${entry.family} spec has no InvokeModel mapping for ${entry.id}; call it through Converse`,
    );
  }
  const kind = invokeKindOf(model);
  const streaming = operation === "invoke-stream";
  if (streaming && (kind !== "chat" || !entry.operations.includes("chat-stream"))) {
    throw createError("ValidationException", errorMessages.unsupportedStreaming);
  }
  const schema = nativeRequestSchemaOf(model, kind);
  if (context.validate && schema) validateNativeBody(schema, body, nativeWordingOf(model));
  if (kind === "chat") return synthesizeInvokeChat(context, exchange, model, body, streaming);
  return synthesizeNonChat(context, exchange, model, kind, body);
}

/** A Converse or ConverseStream answer, after the body passed the service model's shape. */
export function synthesizeConverse(
  context: EmulatorContext,
  exchange: Exchange,
  operation: "converse" | "converse-stream",
  model: ResolvedModel,
  body: Json,
): Answer {
  const { entry } = model;
  if (!entry.routes.includes("converse") || !entry.operations.includes("chat")) {
    throw createError("ValidationException", errorMessages.converseUnsupported);
  }
  const streaming = operation === "converse-stream";
  if (streaming && !entry.operations.includes("chat-stream")) {
    throw createError("ValidationException", errorMessages.unsupportedStreaming);
  }
  if (context.validate) {
    validateServiceBody(streaming ? "ConverseStreamRequest" : "ConverseRequest", body, {
      rejectUnknownMembers: context.options.rejectUnknownConverseMembers ?? true,
    });
    validateConverseModelFields(model, body);
  }
  const view = readConverseView(body);
  const guardrail = converseGuardrail(body);
  const { plan, blocked } = planFor(context, exchange, entry, view, guardrail);
  const trace = blocked && guardrail ? converseGuardrailTrace(guardrail, view.lastUserText) : undefined;
  const converse = {
    latencyMs: metricsFor(context, exchange, plan).invocationLatency,
    ...(trace ? { trace } : {}),
  };
  if (!streaming) return jsonAnswer(exchange, buildConverseResponse(plan, converse));
  const events = buildConverseStream(plan, converse);
  return {
    kind: "stream",
    headers: baseHeaders(exchange, EVENTSTREAM),
    frames: events.map((event, index) =>
      encodeEventFrame(
        event.eventType,
        context.padding ? { ...event.payload, p: paddingFor(index) } : event.payload,
      ),
    ),
  };
}

/** The input text CountTokens counts: of a Converse body, or of a native InvokeModel body read by its codec. */
function countedText(model: ResolvedModel, input: Json): string {
  if (input.converse && typeof input.converse === "object") {
    return readConverseView(input.converse as Json).inputText;
  }
  if (!input.invokeModel || typeof input.invokeModel !== "object") return "";
  const encoded = (input.invokeModel as Json).body;
  let native: Json;
  try {
    native = JSON.parse(Buffer.from(String(encoded ?? ""), "base64").toString("utf8")) as Json;
  } catch {
    throw createError("ValidationException", errorMessages.malformedInput);
  }
  const descriptor = model.family.descriptor;
  return descriptor.chat ? readNativeChatView(native, descriptor).inputText : JSON.stringify(native);
}

/** A CountTokens answer. */
export function synthesizeCountTokens(
  context: EmulatorContext,
  exchange: Exchange,
  model: ResolvedModel,
  body: Json,
): Answer {
  if (model.profile || model.registered || !model.entry.operations.includes("chat")) {
    // Recorded: count-tokens through a `us.` profile id answers this (recordings/errors/pydantic-ai_test_anthropic_bedrock_count_tokens_error.json).
    throw createError("ValidationException", errorMessages.countTokensUnsupported);
  }
  if (context.validate) {
    validateServiceBody("CountTokensRequest", body, {
      rejectUnknownMembers: context.options.rejectUnknownConverseMembers ?? true,
    });
    const converse = (body.input as Json | undefined)?.converse;
    if (converse && typeof converse === "object") validateConverseModelFields(model, converse as Json);
  }
  const text = countedText(model, (body.input ?? {}) as Json);
  return jsonAnswer(exchange, { inputTokens: Math.max(1, countTokens(text)) });
}

/** Answers a request from the specs (no fixture answered it). */
export function synthesize(
  context: EmulatorContext,
  exchange: Exchange,
  operation: FixtureOperation,
  modelId: string,
  body: Json,
): Answer {
  const model = context.registry.resolve(modelId);
  switch (operation) {
    case "invoke":
    case "invoke-stream":
      return synthesizeInvoke(context, exchange, operation, model, body);
    case "converse":
    case "converse-stream":
      return synthesizeConverse(context, exchange, operation, model, body);
    case "count-tokens":
      return synthesizeCountTokens(context, exchange, model, body);
    default: {
      const unknown: never = operation;
      throw new Error(`no synthesizer for ${unknown}`);
    }
  }
}
