/**
 * The InvokeModel route of chat: the family-native body built from the spec's mapping and the
 * family's codec, and the native answer read back into an OpenAI completion.
 */
import type {
  ChatMapping,
  ChatResponseMapping,
  PriceFields,
  UsageMap,
  ValueSource,
} from "../../generated/spec-types.js";
import { splitReasoningText } from "../codecs/openai/reasoning.js";
import { messagesCodecFor } from "../codecs/registry.js";
import type { FamilyDescriptor } from "../descriptor.js";
import { RequestValidationError } from "../errors.js";
import { applyBodyParams, paramTableFor } from "../params.js";
import { readPointer, writeConstants, writePointer } from "../pointer.js";
import { invokeJson } from "../send.js";
import type { ChatCompletion, FinishReason, GuardrailConfig, ProviderFields } from "../types.js";
import {
  buildCompletion,
  buildUsage,
  type CompletionMeta,
  mapFinishReason,
  type TokenUsage,
} from "./assemble.js";
import type { DecodedMessage, NormalizedChat } from "./model.js";
import { type ChatCall, markJsonTool, normalizeRequestChat, type PreparedChat } from "./prepare.js";

interface InvokeRequest {
  readonly body: Record<string, unknown>;
  readonly chat: NormalizedChat;
  readonly mapping: ChatMapping;
}

/** Builds the family-native body for a chat request (exported for contract tests). */
export async function buildInvokeChatBody(
  call: Pick<ChatCall, "request" | "warn" | "dropParams" | "modifyParams">,
  prepared: PreparedChat,
): Promise<InvokeRequest> {
  const { descriptor, entry } = prepared;
  const mapping = descriptor?.chat;
  if (!mapping || !entry || !descriptor) {
    throw new RequestValidationError(`${prepared.resolved.displayName} has no InvokeModel chat mapping`, {
      model: prepared.resolved.displayName,
    });
  }
  const body: Record<string, unknown> = {};
  writeConstants(body, mapping.request.constants);
  // Imported OpenAI-format models take the id they are called by in the body too.
  if (mapping.request.model) writePointer(body, mapping.request.model, prepared.resolved.wireModelId);
  const table = paramTableFor(mapping.request.params, entry);
  const applied = applyBodyParams(call.request, body, call, { kind: "chat", entry, descriptor }, table);
  const format = applied.codec.response_format;
  const formatTarget = table.response_format?.to;
  // A family whose JSON mode is its tool member gets JSON output through a forced tool.
  const jsonTool =
    format !== undefined && formatTarget !== undefined && formatTarget === mapping.request.tools;
  if (format !== undefined && !jsonTool && formatTarget) writePointer(body, formatTarget, format);
  const chat = await normalizeRequestChat(call, prepared, applied.codec, jsonTool);
  messagesCodecFor(mapping.request.codec).encode(chat, body, {
    model: entry,
    mapping: mapping.request,
  });
  if (jsonTool) markJsonTool(prepared);
  return { body, chat, mapping };
}

function readSource(
  body: unknown,
  headers: Record<string, string> | undefined,
  source: ValueSource | undefined,
): number | undefined {
  if (source === undefined) return undefined;
  const value = typeof source === "string" ? readPointer(body, source) : headers?.[source.header];
  if (typeof value === "number") return value;
  if (typeof value === "string" && value.trim() !== "" && Number.isFinite(Number(value)))
    return Number(value);
  return undefined;
}

/** Token counts from the body fields the spec names, else from Bedrock's token-count headers. */
function readUsage(body: unknown, headers: Record<string, string> | undefined, map: UsageMap): TokenUsage {
  return {
    promptTokens:
      readSource(body, headers, map.prompt_tokens) ??
      Number(headers?.["x-amzn-bedrock-input-token-count"] ?? 0),
    completionTokens:
      readSource(body, headers, map.completion_tokens) ??
      Number(headers?.["x-amzn-bedrock-output-token-count"] ?? 0),
    cacheReadTokens: readSource(body, headers, map.cache_read_tokens),
    cacheWriteTokens: readSource(body, headers, map.cache_write_tokens),
  };
}

/** InvokeModel's guardrail members (ConverseStream and Converse carry theirs in the body). */
export function invokeGuardrailParams(guardrail: GuardrailConfig | undefined) {
  if (!guardrail) return {};
  return {
    guardrailIdentifier: guardrail.guardrailIdentifier,
    guardrailVersion: guardrail.guardrailVersion,
    ...(guardrail.trace
      ? { trace: guardrail.trace.toUpperCase() as "ENABLED" | "DISABLED" | "ENABLED_FULL" }
      : {}),
  };
}

/** Removes chat-template markers a model echoed around its answer (`text_markers`). */
function stripTextMarkers(text: string, markers: ChatResponseMapping["text_markers"]): string {
  if (!markers) return text;
  let stripped = text;
  if (markers.start && stripped.startsWith(markers.start)) stripped = stripped.slice(markers.start.length);
  if (markers.end && stripped.endsWith(markers.end)) stripped = stripped.slice(0, -markers.end.length);
  return stripped;
}

/** A flat answer's message: the text (or its fallback field), without echoed markers, its tagged reasoning split off. */
function decodeTextAnswer(body: Record<string, unknown>, response: ChatResponseMapping): DecodedMessage {
  let value = readPointer(body, response.text!);
  if ((value === undefined || value === "") && response.text_fallback)
    value = readPointer(body, response.text_fallback);
  const whole = stripTextMarkers(String(value ?? ""), response.text_markers);
  if (!response.reasoning) return { text: whole, toolCalls: [], reasoning: [] };
  const { reasoning, text } = splitReasoningText(whole, response.reasoning);
  return { text, toolCalls: [], reasoning: reasoning ? [{ type: "thinking", thinking: reasoning }] : [] };
}

/** The assistant message of a native answer: one text field, or content the family's codec decodes. */
function decodeInvokeMessage(body: Record<string, unknown>, descriptor: FamilyDescriptor): DecodedMessage {
  const mapping = descriptor.chat!;
  const response = mapping.response;
  if (response.text) return decodeTextAnswer(body, response);
  return messagesCodecFor(mapping.request.codec).decode(readPointer(body, response.content!), body, response);
}

/** Parses a native InvokeModel chat response into an OpenAI completion (exported for contract tests). */
export function parseInvokeChatResponse(
  body: Record<string, unknown>,
  headers: Record<string, string> | undefined,
  descriptor: FamilyDescriptor,
  meta: CompletionMeta,
  price: PriceFields | undefined,
  requestId: string | undefined,
): ChatCompletion {
  const response = descriptor.chat!.response;
  const decoded = decodeInvokeMessage(body, descriptor);
  const native =
    typeof response.finish_reason.from === "string"
      ? readPointer(body, response.finish_reason.from)
      : headers?.[response.finish_reason.from.header];
  let finish: FinishReason = mapFinishReason(native, response.finish_reason, decoded.toolCalls.length > 0);
  const fields: ProviderFields = {
    route: "invoke",
    request_id: requestId,
    stop_reason: (native as string | null | undefined) ?? null,
  };
  if (response.guardrail) {
    const action = readPointer(body, response.guardrail);
    if (action === "INTERVENED") finish = "content_filter";
    if (action !== undefined) fields.guardrail_action = action;
  }
  if (body["amazon-bedrock-trace"] !== undefined) fields.guardrail_trace = body["amazon-bedrock-trace"];
  const usage = buildUsage(readUsage(body, headers, response.usage), price);
  const id = response.id ? readPointer(body, response.id) : undefined;
  return buildCompletion(decoded, finish, usage, typeof id === "string" ? { ...meta, id } : meta, fields);
}

/** A unary chat call over InvokeModel. */
export async function invokeChat(call: ChatCall, prepared: PreparedChat): Promise<ChatCompletion> {
  const { body } = await buildInvokeChatBody(call, prepared);
  const entry = prepared.entry!;
  const answer = await invokeJson(call.client, call.options, {
    modelId: prepared.resolved.wireModelId,
    body,
    model: entry.id,
    what: `the ${entry.id} response`,
    ...invokeGuardrailParams(call.guardrail),
  });
  return parseInvokeChatResponse(
    answer.body,
    answer.headers as Record<string, string> | undefined,
    prepared.descriptor!,
    prepared.meta,
    prepared.price,
    answer.requestId,
  );
}
