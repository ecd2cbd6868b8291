import {
  ConverseCommand,
  type ConverseCommandInput,
  type ConverseCommandOutput,
  ConverseStreamCommand,
  type ConverseStreamCommandOutput,
  CountTokensCommand,
  type CountTokensCommandOutput,
  InvokeModelWithResponseStreamCommand,
  type InvokeModelWithResponseStreamCommandOutput,
} from "@aws-sdk/client-bedrock-runtime";
import type {
  ChatMapping,
  FinishReasonMap,
  ParamTable,
  PriceFields,
  UsageMap,
  ValueSource,
} from "../../generated/spec-types.js";
import { messagesCodecFor, streamCodecFor } from "../codecs/registry.js";
import { createConverseEventDecoder } from "../codecs/shared/converse-events.js";
import { resolvePrice } from "../cost.js";
import type { CatalogEntry, FamilyDescriptor } from "../descriptor.js";
import { mapBedrockError, RequestValidationError } from "../errors.js";
import { loadFamily } from "../families.js";
import {
  chooseChatRoute,
  onDemandModel,
  type ResolvedModel,
  requireOperation,
  resolveModel,
} from "../models.js";
import { applyParams, paramTableFor } from "../params.js";
import { readPointer, writeConstants, writePointer } from "../pointer.js";
import { type CallOptions, invokeJson, type OperationCall, parseJsonBody, sendCommand } from "../send.js";
import type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatCompletionStream,
  FunctionTool,
  GuardrailConfig,
  ProviderFields,
  ToolChoice,
} from "../types.js";
import {
  buildCompletion,
  buildUsage,
  ChunkAssembler,
  type CompletionMeta,
  completionId,
  jsonToolName,
  mapFinishReason,
  type TokenUsage,
} from "./assemble.js";
import {
  buildConverseMessages,
  converseFinishReasons,
  decodeConverseOutput,
  genericConverseParams,
} from "./converse.js";
import type { NormalizedChat, StreamEvent } from "./model.js";
import { normalizeChat } from "./normalize.js";

/** Everything a chat call needs, resolved from the request and the client's defaults. */
export interface ChatCall extends OperationCall {
  readonly guardrail: GuardrailConfig | undefined;
  readonly modifyParams: boolean;
}

interface PreparedChat {
  readonly resolved: ResolvedModel;
  readonly route: "invoke" | "converse";
  readonly entry: CatalogEntry | undefined;
  readonly descriptor: FamilyDescriptor | undefined;
  readonly meta: CompletionMeta;
  readonly price: PriceFields | undefined;
}

/** JSON output through a forced tool, for models whose API has no JSON mode. */
function withJsonTool(
  request: Readonly<Record<string, unknown>>,
): { tools: FunctionTool[]; toolChoice: ToolChoice } | undefined {
  const format = request.response_format as
    | { type?: string; json_schema?: { schema?: Record<string, unknown>; description?: string } }
    | undefined;
  if (!format || (format.type !== "json_object" && format.type !== "json_schema")) return undefined;
  if (request.tools !== undefined && (request.tools as unknown[]).length > 0) {
    throw new RequestValidationError(
      "response_format with tools is not supported for this model: JSON output is produced through a tool",
      {
        param: "response_format",
      },
    );
  }
  const schema =
    format.type === "json_schema" ? (format.json_schema?.schema ?? { type: "object" }) : { type: "object" };
  return {
    tools: [
      {
        type: "function",
        function: {
          name: jsonToolName,
          description: format.json_schema?.description ?? "Respond with the JSON output.",
          parameters: schema,
        },
      },
    ],
    toolChoice: { type: "function", function: { name: jsonToolName } },
  };
}

async function prepare(call: ChatCall, operation: "chat" | "chat-stream"): Promise<PreparedChat> {
  const { request } = call;
  const resolved = onDemandModel(
    resolveModel(request.model as string, request.model_id as string | undefined),
    call.region,
  );
  const route = chooseChatRoute(resolved);
  const entry = resolved.entry ? requireOperation(resolved, operation) : undefined;
  const descriptor = entry ? (await loadFamily(entry.family)).descriptor : undefined;
  return {
    resolved,
    route,
    entry,
    descriptor,
    meta: {
      id: completionId(),
      model: resolved.displayName,
      created: Math.floor(Date.now() / 1000),
      jsonTool: false,
    },
    price: entry ? resolvePrice(entry, resolved.profile, resolved.arnRegion ?? call.region) : undefined,
  };
}

async function normalizeFor(
  call: ChatCall,
  prepared: PreparedChat,
  codecTools: Readonly<Record<string, unknown>>,
  jsonTool: boolean,
) {
  const { request } = call;
  const json = jsonTool ? withJsonTool(request) : undefined;
  const allowPrefill = prepared.entry ? prepared.entry.capabilities.includes("prefill") : true;
  return normalizeChat(request.messages as never, {
    model: prepared.resolved.displayName,
    allowPrefill,
    modify_params: call.modifyParams,
    user_continue_message: request.user_continue_message as never,
    fetchImage: request.fetchImage as never,
    tools: json ? json.tools : (codecTools.tools as FunctionTool[] | undefined),
    toolChoice: json ? json.toolChoice : (codecTools.tool_choice as ToolChoice | undefined),
  });
}

// ---------------------------------------------------------------------------------------------
// InvokeModel
// ---------------------------------------------------------------------------------------------

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
  const table = paramTableFor(mapping.request.params, entry);
  const applied = applyParams(call.request, body, {
    kind: "chat",
    entry,
    model: entry.id,
    table,
    providerParams: descriptor.params ?? {},
    passthroughBase: "",
    dropParams: call.dropParams,
    warn: call.warn,
  });
  const formatRule = table.response_format;
  const jsonTool =
    applied.codec.response_format !== undefined &&
    formatRule?.to !== undefined &&
    formatRule.to === mapping.request.tools;
  if (applied.codec.response_format !== undefined && !jsonTool && formatRule?.to) {
    writePointer(body, formatRule.to, applied.codec.response_format);
  }
  const chat = await normalizeFor(call as ChatCall, prepared, applied.codec, jsonTool);
  messagesCodecFor(mapping.request.codec).encode(chat, body, {
    model: entry,
    mapping: mapping.request,
  });
  if (jsonTool) (prepared.meta as { jsonTool: boolean }).jsonTool = true;
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

function invokeGuardrailParams(guardrail: GuardrailConfig | undefined) {
  if (!guardrail) return {};
  return {
    guardrailIdentifier: guardrail.guardrailIdentifier,
    guardrailVersion: guardrail.guardrailVersion,
    ...(guardrail.trace
      ? { trace: guardrail.trace.toUpperCase() as "ENABLED" | "DISABLED" | "ENABLED_FULL" }
      : {}),
  };
}

/** Parses a native InvokeModel chat response into an OpenAI completion (exported for contract tests). */
export function parseInvokeChatResponse(
  body: Record<string, unknown>,
  headers: Record<string, string> | undefined,
  descriptor: FamilyDescriptor,
  _entry: CatalogEntry,
  meta: CompletionMeta,
  price: PriceFields | undefined,
  requestId: string | undefined,
): ChatCompletion {
  const mapping = descriptor.chat!;
  const response = mapping.response;
  const decoded = response.text
    ? { text: String(readPointer(body, response.text) ?? ""), toolCalls: [], reasoning: [] }
    : messagesCodecFor(mapping.request.codec).decode(readPointer(body, response.content!), body, response);
  const native =
    typeof response.finish_reason.from === "string"
      ? readPointer(body, response.finish_reason.from)
      : headers?.[response.finish_reason.from.header];
  let finish = mapFinishReason(native, response.finish_reason, decoded.toolCalls.length > 0);
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

async function invokeChat(call: ChatCall, prepared: PreparedChat): Promise<ChatCompletion> {
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
    entry,
    prepared.meta,
    prepared.price,
    answer.requestId,
  );
}

// ---------------------------------------------------------------------------------------------
// Converse
// ---------------------------------------------------------------------------------------------

const converseCodecTables = new WeakMap<ParamTable, ParamTable>();

/**
 * Converse carries tools, tool choice and JSON output in its own members (toolConfig), written by
 * `buildConverseMessages` after the capability check below: a spec's Converse table need not list them.
 * A spec that does list one (to reject or drop it) keeps its rule.
 */
function withConverseCodecParams(table: ParamTable): ParamTable {
  let extended = converseCodecTables.get(table);
  if (!extended) {
    extended = { tools: {}, tool_choice: {}, response_format: {}, ...table };
    converseCodecTables.set(table, extended);
  }
  return extended;
}

async function buildConverseInput(call: ChatCall, prepared: PreparedChat): Promise<ConverseCommandInput> {
  const { entry, descriptor, resolved } = prepared;
  const input: Record<string, unknown> = {};
  writeConstants(input, descriptor?.converse?.constants);
  const table =
    entry && descriptor?.converse
      ? withConverseCodecParams(paramTableFor(descriptor.converse.params, entry))
      : genericConverseParams;
  const applied = applyParams(call.request, input, {
    kind: "chat",
    entry,
    model: entry?.id ?? resolved.displayName,
    table,
    providerParams: descriptor?.params ?? {},
    passthroughBase: "/additionalModelRequestFields",
    dropParams: call.dropParams,
    warn: call.warn,
  });
  const codecParams: Record<string, unknown> = entry
    ? { ...applied.codec }
    : { tools: call.request.tools, tool_choice: call.request.tool_choice };
  const choice = codecParams.tool_choice;
  if (entry && choice != null && !entry.capabilities.includes("tool-choice")) {
    // Converse refuses toolConfig.toolChoice for models without tool choice; "auto" is their default anyway.
    if (choice === "auto") delete codecParams.tool_choice;
    else if (choice !== "none") {
      if (!call.dropParams) {
        throw new RequestValidationError(
          `tool_choice ${JSON.stringify(choice)} is not supported by ${entry.id}: the model decides which tool to call. Remove it, or set drop_params: true to drop it.`,
          { param: "tool_choice", model: entry.id, code: "unsupported_param" },
        );
      }
      call.warn(
        `bedrock-forge: dropping tool_choice for ${entry.id}: the model has no tool choice (drop_params)`,
      );
      delete codecParams.tool_choice;
    }
  }
  const wantsJson = (entry ? applied.codec.response_format : call.request.response_format) !== undefined;
  let jsonTool = wantsJson && withJsonTool(call.request) !== undefined;
  if (jsonTool && entry?.capabilities.includes("tools") && !entry.capabilities.includes("tool-choice")) {
    // JSON output on Converse is a forced tool call, which Converse refuses for models without tool choice.
    if (!call.dropParams) {
      throw new RequestValidationError(
        `response_format is not supported by ${entry.id} on the converse route: JSON output needs a forced tool call and the model has no tool choice. Remove it, set drop_params: true to drop it${descriptor?.chat?.request.params.response_format?.to ? `, or use bedrock/invoke/${entry.id}` : ""}.`,
        { param: "response_format", model: entry.id, code: "unsupported_param" },
      );
    }
    call.warn(
      `bedrock-forge: dropping response_format for ${entry.id}: JSON output needs tool choice on the converse route (drop_params)`,
    );
    jsonTool = false;
  }
  if (
    entry &&
    !entry.capabilities.includes("tools") &&
    (jsonTool || (codecParams.tools as unknown[] | undefined)?.length)
  ) {
    throw new RequestValidationError(
      `${entry.id} does not support tools${jsonTool ? " (needed for response_format JSON output)" : ""}`,
      {
        param: jsonTool ? "response_format" : "tools",
        model: entry.id,
        code: "unsupported_param",
      },
    );
  }
  const chat = await normalizeFor(call, prepared, codecParams, jsonTool);
  if (jsonTool) (prepared.meta as { jsonTool: boolean }).jsonTool = true;
  buildConverseMessages(chat, input, {
    model: entry?.id ?? resolved.displayName,
    supportsSystem: entry ? entry.capabilities.includes("system") : true,
    guardrail: call.guardrail,
  });
  input.modelId = resolved.wireModelId;
  return input as unknown as ConverseCommandInput;
}

async function converseChat(call: ChatCall, prepared: PreparedChat): Promise<ChatCompletion> {
  const input = await buildConverseInput(call, prepared);
  const output = (await sendCommand(
    call.client,
    new ConverseCommand(input),
    call.options,
    prepared.resolved.displayName,
  )) as ConverseCommandOutput;
  const decoded = decodeConverseOutput(output);
  const finish = mapFinishReason(output.stopReason, converseFinishReasons, decoded.toolCalls.length > 0);
  const fields: ProviderFields = {
    route: "converse",
    request_id: output.$metadata.requestId,
    stop_reason: output.stopReason ?? null,
  };
  if (output.trace) fields.guardrail_trace = output.trace;
  if (output.additionalModelResponseFields)
    fields.additional_model_response_fields = output.additionalModelResponseFields;
  const usage = buildUsage(
    {
      promptTokens: output.usage?.inputTokens ?? 0,
      completionTokens: output.usage?.outputTokens ?? 0,
      cacheReadTokens: output.usage?.cacheReadInputTokens,
      cacheWriteTokens: output.usage?.cacheWriteInputTokens,
    },
    prepared.price,
  );
  return buildCompletion(decoded, finish, usage, prepared.meta, fields);
}

// ---------------------------------------------------------------------------------------------
// Streams
// ---------------------------------------------------------------------------------------------

class BedrockChatStream implements ChatCompletionStream {
  private consumed = false;

  constructor(
    private readonly chunks: AsyncGenerator<ChatCompletionChunk>,
    readonly controller: AbortController,
  ) {}

  abort(): void {
    this.controller.abort();
  }

  [Symbol.asyncIterator](): AsyncIterator<ChatCompletionChunk> {
    if (this.consumed) throw new RequestValidationError("a chat completion stream can be iterated only once");
    this.consumed = true;
    const chunks = this.chunks;
    const controller = this.controller;
    return {
      next: () => chunks.next(),
      return: async (value?: unknown) => {
        // Breaking out of `for await` cancels the HTTP request.
        controller.abort();
        await chunks.return(undefined).catch(() => undefined);
        return { done: true, value: value as ChatCompletionChunk };
      },
      throw: (error?: unknown) => {
        controller.abort();
        return chunks.throw(error);
      },
    };
  }
}

function decodeInvokeChunk(bytes: Uint8Array | undefined): Record<string, unknown> {
  return parseJsonBody(bytes, "an invoke stream chunk");
}

async function* streamChunks(
  events: AsyncIterable<unknown>,
  decode: (event: unknown) => StreamEvent[],
  assembler: ChunkAssembler,
  finish: () => ChatCompletionChunk[],
  model: string,
  signal: AbortSignal,
  requestId: string | undefined,
): AsyncGenerator<ChatCompletionChunk> {
  try {
    for await (const event of events) {
      const chunks = assembler.push(decode(event));
      for (const chunk of chunks) yield chunk;
    }
  } catch (error) {
    if (signal.aborted) return;
    throw mapBedrockError(error, { model, requestId });
  }
  for (const chunk of finish()) yield chunk;
}

async function streamChat(
  call: ChatCall,
  prepared: PreparedChat,
  controller: AbortController,
): Promise<ChatCompletionStream> {
  const includeUsage =
    (call.request.stream_options as { include_usage?: boolean } | undefined)?.include_usage === true;
  const name = prepared.entry?.id ?? prepared.resolved.displayName;
  if (prepared.route === "converse") {
    const input = await buildConverseInput(call, prepared);
    // Only ConverseStream's guardrail configuration has a processing mode.
    const mode = call.guardrail?.streamProcessingMode;
    if (mode && input.guardrailConfig) Object.assign(input.guardrailConfig, { streamProcessingMode: mode });
    const output = (await sendCommand(
      call.client,
      new ConverseStreamCommand(input),
      call.options,
      name,
    )) as ConverseStreamCommandOutput;
    const assembler = new ChunkAssembler(prepared.meta, converseFinishReasons);
    const decoder = createConverseEventDecoder();
    const fields: ProviderFields = { route: "converse", request_id: output.$metadata.requestId };
    const generator = streamChunks(
      output.stream ?? emptyStream(),
      (event) => decoder(event as Record<string, unknown>),
      assembler,
      () => assembler.finish({ includeUsage, price: prepared.price, providerFields: fields }),
      name,
      call.options.signal!,
      output.$metadata.requestId,
    );
    return new BedrockChatStream(generator, controller);
  }
  const { body, mapping } = await buildInvokeChatBody(call, prepared);
  const streamMapping = mapping.stream;
  if (!streamMapping) {
    throw new RequestValidationError(`${name} has no invoke stream mapping`, {
      model: name,
      param: "stream",
    });
  }
  // Fields some families need only when streaming (Cohere Command's `stream: true`).
  writeConstants(body, streamMapping.constants);
  const command = new InvokeModelWithResponseStreamCommand({
    modelId: prepared.resolved.wireModelId,
    body: JSON.stringify(body),
    contentType: "application/json",
    accept: "application/json",
    ...invokeGuardrailParams(call.guardrail),
  });
  const output = (await sendCommand(
    call.client,
    command,
    call.options,
    name,
  )) as InvokeModelWithResponseStreamCommandOutput;
  const guardrailPointer = mapping.response.guardrail;
  const baseFinishMap: FinishReasonMap = streamMapping.finish_reason ?? mapping.response.finish_reason;
  // A guardrail intervention shows as a body field, not a stop reason: it is fed to the assembler as one.
  const finishMap: FinishReasonMap = guardrailPointer
    ? { ...baseFinishMap, map: { ...baseFinishMap.map, [guardrailIntervened]: "content_filter" } }
    : baseFinishMap;
  const assembler = new ChunkAssembler(prepared.meta, finishMap);
  const decoder = streamCodecFor(streamMapping.codec).createDecoder(streamMapping, mapping.response);
  const fields: ProviderFields = { route: "invoke", request_id: output.$metadata.requestId };
  const decode = (event: unknown): StreamEvent[] => {
    const payload = (event as { chunk?: { bytes?: Uint8Array } }).chunk;
    if (!payload) return [];
    const chunk = decodeInvokeChunk(payload.bytes);
    const events = decoder(chunk);
    if (guardrailPointer && readPointer(chunk, guardrailPointer) === "INTERVENED") {
      events.push({ kind: "finish", reason: guardrailIntervened });
    }
    if (chunk["amazon-bedrock-trace"] !== undefined)
      events.push({ kind: "guardrail", trace: chunk["amazon-bedrock-trace"] });
    return events;
  };
  const generator = streamChunks(
    output.body ?? emptyStream(),
    decode,
    assembler,
    () => assembler.finish({ includeUsage, price: prepared.price, providerFields: fields }),
    name,
    call.options.signal!,
    output.$metadata.requestId,
  );
  return new BedrockChatStream(generator, controller);
}

async function* emptyStream(): AsyncGenerator<never> {}

const guardrailIntervened = "guardrail_intervened";

// ---------------------------------------------------------------------------------------------
// Entry points
// ---------------------------------------------------------------------------------------------

/** A unary chat completion over the route the catalog (or the caller) picks. */
export async function createChatCompletion(call: ChatCall): Promise<ChatCompletion> {
  const prepared = await prepare(call, "chat");
  return prepared.route === "converse" ? converseChat(call, prepared) : invokeChat(call, prepared);
}

/** A streamed chat completion; the HTTP call is made before this resolves, so request errors throw here. */
export async function createChatCompletionStream(call: ChatCall): Promise<ChatCompletionStream> {
  const prepared = await prepare(call, "chat-stream");
  const controller = new AbortController();
  const outer = call.options.signal;
  const signal = outer ? AbortSignal.any([controller.signal, outer]) : controller.signal;
  const options: CallOptions = { ...call.options, signal, streaming: true };
  return streamChat({ ...call, options }, prepared, controller);
}

export type { PreparedChat };

/** Input tokens of a chat request as Bedrock's CountTokens counts them, without running the model. */
export async function countChatTokens(call: ChatCall): Promise<{ input_tokens: number; model: string }> {
  const prepared = await prepare(call, "chat");
  const name = prepared.entry?.id ?? prepared.resolved.displayName;
  let input: ConstructorParameters<typeof CountTokensCommand>[0]["input"];
  if (prepared.route === "converse") {
    const converse = await buildConverseInput(call, prepared);
    input = {
      converse: {
        messages: converse.messages,
        ...(converse.system ? { system: converse.system } : {}),
        ...(converse.toolConfig ? { toolConfig: converse.toolConfig } : {}),
        ...(converse.additionalModelRequestFields
          ? { additionalModelRequestFields: converse.additionalModelRequestFields }
          : {}),
      },
    };
  } else {
    const { body } = await buildInvokeChatBody(call, prepared);
    input = { invokeModel: { body: new TextEncoder().encode(JSON.stringify(body)) } };
  }
  const command = new CountTokensCommand({ modelId: prepared.resolved.wireModelId, input });
  const output = (await sendCommand(call.client, command, call.options, name)) as CountTokensCommandOutput;
  return { input_tokens: output.inputTokens ?? 0, model: prepared.resolved.displayName };
}
