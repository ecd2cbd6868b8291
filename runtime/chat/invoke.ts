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
import { checkAnswer } from "../answer-check.js";
import { invokeRequestMetadata } from "../call-members.js";
import { splitReasoningText } from "../codecs/openai/reasoning.js";
import { messagesCodecFor } from "../codecs/registry.js";
import type { CatalogEntry, FamilyDescriptor } from "../descriptor.js";
import { RequestValidationError } from "../errors.js";
import { applyBodyParams, paramTableFor } from "../params.js";
import { readPointer, writeConstants, writePointer } from "../pointer.js";
import { invokeJson } from "../send.js";
import type { ChatCompletion, FinishReason, GuardrailConfig, ProviderFields } from "../types.js";
import { headerSetsOf, readAnthropicBetaHeaders, writeAnthropicBeta } from "./anthropic-beta.js";
import {
  buildCompletion,
  buildUsage,
  type CompletionMeta,
  mapFinishReason,
  type TokenUsage,
} from "./assemble.js";
import type { DecodedMessage, NormalizedChat } from "./model.js";
import { type ChatCall, markJsonTool, normalizeRequestChat, type PreparedChat } from "./prepare.js";
import { buildOutputFormat, type JsonSchemaFormat, nativeJsonSchema } from "./structured-output.js";

interface InvokeRequest {
  readonly body: Record<string, unknown>;
  readonly chat: NormalizedChat;
  readonly mapping: ChatMapping;
}

/** Builds the family-native body for a chat request (exported for contract tests). */
export async function buildInvokeChatBody(
  call: Pick<ChatCall, "request" | "warn" | "dropParams" | "modifyParams"> &
    Partial<Pick<ChatCall, "options">>,
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
  const { request, inlined } = splitUnsupportedOutputFormat(call.request, table, entry);
  const applied = applyBodyParams(request, body, call, { kind: "chat", entry, descriptor }, table);
  // The format's schema goes back into the body for the codec to write into the last user message.
  if (inlined) mergeAtPointer(body, table.output_config!.to!, { format: inlined });
  const format = applied.codec.response_format;
  const formatTarget = table.response_format?.to;
  // A model with structured output whose body has output_config answers a json_schema natively there.
  const nativeFormat = table.output_config?.to ? nativeJsonSchema(format, entry) : undefined;
  if (nativeFormat) writeNativeFormat(body, table.output_config!.to!, nativeFormat);
  // A family whose JSON mode is its tool member gets JSON output through a forced tool.
  const jsonTool =
    !nativeFormat &&
    format !== undefined &&
    formatTarget !== undefined &&
    formatTarget === mapping.request.tools;
  if (format !== undefined && !jsonTool && !nativeFormat && formatTarget)
    writePointer(body, formatTarget, format);
  const chat = await normalizeRequestChat(call, prepared, applied.codec, jsonTool, {
    serverToolTypes: table.tools?.server_tool_types,
  });
  messagesCodecFor(mapping.request.codec).encode(chat, body, {
    model: entry,
    mapping: mapping.request,
  });
  writeAnthropicBeta(
    body,
    table,
    chat,
    readAnthropicBetaHeaders(headerSetsOf(call.request, call.options?.headers)),
  );
  if (jsonTool || nativeFormat) markJsonTool(prepared);
  return { body, chat, mapping };
}

/**
 * output_config.format for a Claude model without structured output: taken out of the request before the
 * param checks (the rest of output_config is checked as usual), since the codec writes its schema into the
 * last user message instead — as LiteLLM does, drop_params or not
 * (test_bedrock_chat_invoke_drop_params_still_inlines_for_non_native).
 */
function splitUnsupportedOutputFormat(
  request: Readonly<Record<string, unknown>>,
  table: ReturnType<typeof paramTableFor>,
  entry: CatalogEntry,
): { request: Readonly<Record<string, unknown>>; inlined?: unknown } {
  const config = request.output_config as { format?: unknown } | null | undefined;
  if (!table.output_config?.to || entry.capabilities.includes("structured-output")) return { request };
  if (config === null || typeof config !== "object" || config.format === undefined) return { request };
  const { format, ...rest } = config;
  const { output_config: _dropped, ...others } = request;
  return {
    request: Object.keys(rest).length > 0 ? { ...others, output_config: rest } : others,
    inlined: format,
  };
}

/** Writes `fields` into the object at `pointer`, beside what it already holds. */
function mergeAtPointer(
  body: Record<string, unknown>,
  pointer: string,
  fields: Record<string, unknown>,
): void {
  const current = readPointer(body, pointer);
  const existing = current !== null && typeof current === "object" ? current : {};
  writePointer(body, pointer, { ...existing, ...fields });
}

/**
 * A json_schema response_format as output_config.format, beside what output_config already holds (an
 * effort): LiteLLM's Bedrock invoke transformation for the Claude models with native structured output
 * (BEDROCK_INVOKE_NATIVE_STRUCTURED_OUTPUT_MODELS: Haiku/Sonnet 4.5, Sonnet 4.6, Opus 4.5/4.6).
 */
function writeNativeFormat(body: Record<string, unknown>, target: string, format: JsonSchemaFormat): void {
  mergeAtPointer(body, target, { format: buildOutputFormat(format) });
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

/** The further generations of a family that answers several per call (n): choices 1, 2, … of the completion. */
function readFurtherChoices(
  body: Record<string, unknown>,
  response: ChatResponseMapping,
): ChatCompletion["choices"] {
  const choices = response.choices;
  const list = choices ? readPointer(body, choices.list) : undefined;
  if (!choices || !Array.isArray(list)) return [];
  return list.slice(1).map((element: unknown, offset) => ({
    index: offset + 1,
    message: { role: "assistant", content: String(readPointer(element, choices.text) ?? ""), refusal: null },
    finish_reason: mapFinishReason(
      readPointer(element, choices.finish_reason),
      response.finish_reason,
      false,
    ),
    logprobs: null,
  }));
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
  checkAnswer(body, descriptor.response_reads?.chat, `the ${meta.model} response`, meta.model);
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
  const completion = buildCompletion(
    decoded,
    finish,
    usage,
    typeof id === "string" ? { ...meta, id } : meta,
    fields,
  );
  if (response.choices) completion.choices.push(...readFurtherChoices(body, response));
  return completion;
}

/** InvokeModel's call members of a chat call: the guardrail headers and the invocation-log metadata. */
export function invokeCallMembers(call: ChatCall, model: string) {
  return {
    ...invokeGuardrailParams(call.guardrail),
    ...invokeRequestMetadata(call.request.requestMetadata, model),
  };
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
    ...invokeCallMembers(call, entry.id),
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
