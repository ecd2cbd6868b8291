/**
 * The Converse route of chat: the request built from the spec's Converse param table and the
 * normalized conversation, with the capability checks Converse needs before anything is sent.
 */
import type {
  ConverseCommandInput,
  ConverseCommandOutput,
  ToolConfiguration,
} from "@aws-sdk/client-bedrock-runtime";
import type { ParamTable } from "../../generated/spec-types.js";
import { ConverseCommand } from "../aws-sdk.js";
import { readRequestMetadata } from "../call-members.js";
import type { CatalogEntry } from "../descriptor.js";
import { RequestValidationError } from "../errors.js";
import { type AppliedParams, applyParams, paramTableFor } from "../params.js";
import { writeConstants, writePointer } from "../pointer.js";
import { sendCommand } from "../send.js";
import type { ChatCompletion, ProviderFields } from "../types.js";
import { headerSetsOf, readAnthropicBetaHeaders, writeAnthropicBeta } from "./anthropic-beta.js";
import { buildCompletion, buildUsage, jsonToolName, mapFinishReason } from "./assemble.js";
import {
  buildConverseMessages,
  converseFinishReasons,
  decodeConverseOutput,
  genericConverseParams,
} from "./converse.js";
import type { NormalizedChat } from "./model.js";
import {
  type ChatCall,
  jsonToolFor,
  markJsonTool,
  normalizeRequestChat,
  type PreparedChat,
} from "./prepare.js";
import { buildOutputConfig, nativeJsonSchema } from "./structured-output.js";
import { isForcedToolChoice, isThinkingOn, lacksThinkingBlocks } from "./thinking.js";

const converseCodecTables = new WeakMap<ParamTable, ParamTable>();

/**
 * Converse carries tools, tool choice and JSON output in its own members (toolConfig), written by
 * `buildConverseMessages` after the capability checks below: a spec's Converse table need not list them.
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

/** The model's Converse param table; the Converse API's own fields for a model the catalog does not know. */
function converseParamTable(prepared: PreparedChat): ParamTable {
  const { entry, descriptor } = prepared;
  return entry && descriptor?.converse
    ? withConverseCodecParams(paramTableFor(descriptor.converse.params, entry))
    : genericConverseParams;
}

/** Converse refuses toolConfig.toolChoice for models without tool choice; "auto" is their default anyway. */
function dropUnsupportedToolChoice(
  call: ChatCall,
  entry: CatalogEntry,
  codecParams: Record<string, unknown>,
): void {
  const choice = codecParams.tool_choice;
  if (choice == null || entry.capabilities.includes("tool-choice") || choice === "none") return;
  if (choice !== "auto" && !call.dropParams) {
    throw new RequestValidationError(
      `tool_choice ${JSON.stringify(choice)} is not supported by ${entry.id}: the model decides which tool to call. Remove it, or set drop_params: true to drop it.`,
      { param: "tool_choice", model: entry.id, code: "unsupported_param" },
    );
  }
  if (choice !== "auto")
    call.warn(
      `bedrock-forge: dropping tool_choice for ${entry.id}: the model has no tool choice (drop_params)`,
    );
  delete codecParams.tool_choice;
}

/**
 * True when JSON output goes through the JSON tool (Converse has no JSON mode of its own): forced where the
 * model has tool choice, offered beside the others where it has tools without tool choice, as LiteLLM's
 * _translate_response_format_param does (it sets tool_choice only when supports_tool_choice).
 */
function usesJsonTool(call: ChatCall, prepared: PreparedChat, applied: AppliedParams): boolean {
  const { entry } = prepared;
  const wantsJson = (entry ? applied.codec.response_format : call.request.response_format) !== undefined;
  return wantsJson && jsonToolFor(call.request, { skipSchemaless: true }) !== undefined;
}

/**
 * Tools (and JSON output, which needs a tool) on a model without tool use: refused, or dropped with a
 * warning under drop_params. Returns whether JSON output still goes through the forced tool.
 */
function settleToolSupport(
  call: ChatCall,
  entry: CatalogEntry,
  jsonTool: boolean,
  codecParams: Record<string, unknown>,
): boolean {
  if (entry.capabilities.includes("tools")) return jsonTool;
  const hasTools = (codecParams.tools as unknown[] | undefined)?.length;
  if (!jsonTool && !hasTools) return jsonTool;
  const param = jsonTool ? "response_format" : "tools";
  if (!call.dropParams) {
    throw new RequestValidationError(
      `${entry.id} does not support tools${jsonTool ? " (needed for response_format JSON output)" : ""}. Remove ${param}, or set drop_params: true to drop it.`,
      { param, model: entry.id, code: "unsupported_param" },
    );
  }
  for (const name of ["tools", "tool_choice"]) {
    if (codecParams[name] === undefined) continue;
    call.warn(`bedrock-forge: dropping ${name} for ${entry.id}: the model has no tool use (drop_params)`);
    delete codecParams[name];
  }
  if (jsonTool) {
    call.warn(
      `bedrock-forge: dropping response_format for ${entry.id}: JSON output needs tool use, which the model lacks (drop_params)`,
    );
  }
  return false;
}

/**
 * Thinking and what it rules out, as LiteLLM settles them: under modify_params thinking is dropped when the
 * conversation's last assistant tool call has no thinking block (Claude would refuse the request); while
 * thinking, a forced tool choice becomes auto (Claude refuses forced tools then).
 */
function settleThinking(
  call: ChatCall,
  input: Record<string, unknown>,
  chat: NormalizedChat,
  model: string,
): void {
  const fields = input.additionalModelRequestFields as Record<string, unknown> | undefined;
  if (!fields || !isThinkingOn(fields.thinking)) return;
  if (call.modifyParams && lacksThinkingBlocks(chat)) {
    delete fields.thinking;
    if (Object.keys(fields).length === 0) delete input.additionalModelRequestFields;
    call.warn(
      `bedrock-forge: dropping thinking for ${model}: the last assistant tool call has no thinking block (modify_params)`,
    );
    return;
  }
  const toolConfig = input.toolConfig as ToolConfiguration | undefined;
  const choice = toolConfig?.toolChoice;
  if (!toolConfig || !isForcedToolChoice(choice)) return;
  toolConfig.toolChoice = { auto: {} };
  // The JSON tool is forced only for want of a JSON mode; with thinking the model is asked to call it.
  if (choice?.tool?.name !== jsonToolName) {
    call.warn(
      `bedrock-forge: tool_choice for ${model} becomes auto: the model does not take a forced tool while thinking`,
    );
  }
}

/**
 * The model's own tools (Claude's computer use, bash, text editor) have no Converse toolSpec: they go where
 * the spec's tools rule points, additionalModelRequestFields.tools, as LiteLLM sends them.
 */
function writeServerTools(input: Record<string, unknown>, table: ParamTable, chat: NormalizedChat): void {
  const target = table.tools?.to;
  if (!chat.serverTools?.length || !target || chat.toolChoice === "none") return;
  writePointer(input, target, chat.serverTools);
}

/** The Converse request of a chat call (the capability checks run before anything is sent). */
export async function buildConverseInput(
  call: ChatCall,
  prepared: PreparedChat,
): Promise<ConverseCommandInput> {
  const { entry, descriptor, resolved } = prepared;
  const input: Record<string, unknown> = {};
  writeConstants(input, descriptor?.converse?.constants);
  const table = converseParamTable(prepared);
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
  if (entry) dropUnsupportedToolChoice(call, entry, codecParams);
  // Models with native structured output answer a json_schema in outputConfig, without the JSON tool.
  const nativeFormat = nativeJsonSchema(applied.codec.response_format, entry);
  if (nativeFormat) input.outputConfig = buildOutputConfig(nativeFormat);
  const wantsJsonTool = !nativeFormat && usesJsonTool(call, prepared, applied);
  const jsonTool = entry ? settleToolSupport(call, entry, wantsJsonTool, codecParams) : wantsJsonTool;
  const chat = await normalizeRequestChat(call, prepared, codecParams, jsonTool, {
    sanitizeToolNames: true,
    serverToolTypes: table.tools?.server_tool_types,
    forceJsonTool: entry ? entry.capabilities.includes("tool-choice") : true,
  });
  // JSON mode either way, as LiteLLM's json_mode: a json_tool_call in the answer becomes the content.
  if (jsonTool || nativeFormat) markJsonTool(prepared);
  buildConverseMessages(chat, input, {
    model: entry?.id ?? resolved.displayName,
    supportsSystem: entry ? entry.capabilities.includes("system") : true,
    guardrail: call.guardrail,
  });
  const metadata = readRequestMetadata(call.request.requestMetadata, entry?.id ?? resolved.displayName);
  if (metadata) input.requestMetadata = metadata;
  writeServerTools(input, table, chat);
  writeAnthropicBeta(
    input,
    table,
    chat,
    readAnthropicBetaHeaders(headerSetsOf(call.request, call.options.headers)),
  );
  settleThinking(call, input, chat, entry?.id ?? resolved.displayName);
  input.modelId = resolved.wireModelId;
  return input as unknown as ConverseCommandInput;
}

/** An OpenAI completion from a Converse answer. */
function readConverseCompletion(output: ConverseCommandOutput, prepared: PreparedChat): ChatCompletion {
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

/** A unary chat call over Converse. */
export async function converseChat(call: ChatCall, prepared: PreparedChat): Promise<ChatCompletion> {
  const input = await buildConverseInput(call, prepared);
  const output = (await sendCommand(
    call.client,
    new ConverseCommand(input),
    call.options,
    prepared.resolved.displayName,
  )) as ConverseCommandOutput;
  return readConverseCompletion(output, prepared);
}
