import type { PriceFields } from "../../generated/spec-types.js";
import { checkGuardrailConfig } from "../call-members.js";
import { resolvePrice } from "../cost.js";
import type { CatalogEntry, FamilyDescriptor } from "../descriptor.js";
import { loadFamily } from "../families.js";
import {
  type ChatRoute,
  chooseChatRoute,
  onDemandModel,
  type ResolvedModel,
  requireOperation,
  resolveModel,
} from "../models.js";
import type { OperationCall } from "../send.js";
import type { FunctionTool, GuardrailConfig, ToolChoice } from "../types.js";
import { type CompletionMeta, completionId, jsonToolName } from "./assemble.js";
import { allCacheFields, type CacheField, cacheFieldsOf, injectCacheControl } from "./cache.js";
import type { NormalizedChat } from "./model.js";
import { normalizeChat } from "./normalize.js";

/** Everything a chat call needs, resolved from the request and the client's defaults. */
export interface ChatCall extends OperationCall {
  readonly guardrail: GuardrailConfig | undefined;
  readonly modifyParams: boolean;
}

/** A chat call's model resolved against the catalog: route, family descriptor, result metadata and price. */
export interface PreparedChat {
  readonly resolved: ResolvedModel;
  readonly route: ChatRoute;
  readonly entry: CatalogEntry | undefined;
  readonly descriptor: FamilyDescriptor | undefined;
  readonly meta: CompletionMeta;
  readonly price: PriceFields | undefined;
}

/** Resolves the model of a chat call and loads its family (before anything is sent). */
export async function prepareChat(call: ChatCall, operation: "chat" | "chat-stream"): Promise<PreparedChat> {
  const { request } = call;
  const resolved = onDemandModel(
    resolveModel(request.model as string, request.model_id as string | undefined),
    call.region,
    call,
  );
  checkGuardrailConfig(call.guardrail, resolved.displayName);
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

/** Records that the answer comes through the forced JSON tool (its arguments become the message text). */
export function markJsonTool(prepared: PreparedChat): void {
  (prepared.meta as { jsonTool: boolean }).jsonTool = true;
}

/**
 * JSON output through a tool named json_tool_call, for models whose API has no JSON mode: forced when it is
 * the only tool; beside the caller's own tools it is one more tool, and the caller's tool_choice stands, so
 * real tool calls stay possible (LiteLLM adds it beside them: test_map_openai_params_with_response_format).
 * `skipSchemaless`: json_object without a schema gets no tool (an empty schema makes the model answer `{}`;
 * LiteLLM's test_json_object_no_schema_skips_tool_injection).
 */
export function jsonToolFor(
  request: Readonly<Record<string, unknown>>,
  options: { readonly skipSchemaless?: boolean } = {},
): { tools: FunctionTool[]; toolChoice: ToolChoice | undefined } | undefined {
  const format = request.response_format as
    | { type?: string; json_schema?: { schema?: Record<string, unknown>; description?: string } }
    | undefined;
  if (!format || (format.type !== "json_object" && format.type !== "json_schema")) return undefined;
  if (format.type === "json_object" && options.skipSchemaless) return undefined;
  const schema =
    format.type === "json_schema" ? (format.json_schema?.schema ?? { type: "object" }) : { type: "object" };
  const callerTools = Array.isArray(request.tools) && request.tools.length > 0;
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
    toolChoice: callerTools ? undefined : { type: "function", function: { name: jsonToolName } },
  };
}

/**
 * Where the model takes prompt-cache checkpoints on the call's route: the spec's `cache_points` for a model
 * with the prompt-caching capability, none for other catalog models, everywhere for ids outside the catalog.
 */
function cacheFieldsFor(prepared: PreparedChat): ReadonlySet<CacheField> {
  const { entry, descriptor } = prepared;
  if (!entry) return allCacheFields;
  const points =
    prepared.route === "converse"
      ? descriptor?.converse?.cache_points
      : descriptor?.chat?.request.cache_points;
  return cacheFieldsOf(points, entry.capabilities.includes("prompt-caching"));
}

/** How a route takes tools: names rewritten for Converse, and the model's own tool types (from the spec). */
export interface ToolHandling {
  readonly sanitizeToolNames?: boolean;
  readonly serverToolTypes?: readonly string[];
  /**
   * False for a model without tool choice: the JSON tool is offered, not forced (LiteLLM sets tool_choice
   * only where supports_tool_choice). Default true.
   */
  readonly forceJsonTool?: boolean;
}

/** Records the caller's names of tools whose names were rewritten, so answers give them back. */
export function markToolNames(prepared: PreparedChat, chat: NormalizedChat): void {
  if (chat.toolNames)
    (prepared.meta as { toolNames?: ReadonlyMap<string, string> }).toolNames = chat.toolNames;
}

/** The request's conversation normalized for the model, with the JSON tool in place of the caller's tools when asked. */
export async function normalizeRequestChat(
  call: Pick<ChatCall, "request" | "modifyParams" | "warn"> & Partial<Pick<ChatCall, "guardrail">>,
  prepared: PreparedChat,
  codecTools: Readonly<Record<string, unknown>>,
  jsonTool: boolean,
  handling: ToolHandling = {},
): Promise<NormalizedChat> {
  const { request } = call;
  const { forceJsonTool = true, ...toolHandling } = handling;
  const json = jsonTool ? jsonToolFor(request) : undefined;
  const jsonChoice = forceJsonTool ? json?.toolChoice : undefined;
  const allowPrefill = prepared.entry ? prepared.entry.capabilities.includes("prefill") : true;
  const inputs = prepared.entry?.inputModalities;
  const model = prepared.resolved.displayName;
  const injected = injectCacheControl(
    request.messages as never,
    codecTools.tools as FunctionTool[] | undefined,
    request.cache_control_injection_points,
    model,
  );
  const chat = await normalizeChat(injected.messages, {
    model,
    allowPrefill,
    acceptsAudio: inputs ? inputs.includes("audio") || inputs.includes("speech") : true,
    modify_params: call.modifyParams,
    user_continue_message: request.user_continue_message as never,
    assistantContinueMessage: request.assistant_continue_message,
    fetchImage: request.fetchImage as never,
    imageFetch: request.imageFetch as never,
    // A `tools` that is not a list goes on as it came, for normalizeChat to refuse by name.
    tools:
      json && (injected.tools === undefined || Array.isArray(injected.tools))
        ? [...(injected.tools ?? []), ...json.tools]
        : injected.tools,
    toolChoice: jsonChoice ?? (codecTools.tool_choice as ToolChoice | undefined),
    cacheFields: cacheFieldsFor(prepared),
    warn: call.warn,
    guardUserText: prepared.route === "converse" && call.guardrail !== undefined,
    ...toolHandling,
  });
  markToolNames(prepared, chat);
  return chat;
}
