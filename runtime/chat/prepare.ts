import type { PriceFields } from "../../generated/spec-types.js";
import { resolvePrice } from "../cost.js";
import type { CatalogEntry, FamilyDescriptor } from "../descriptor.js";
import { RequestValidationError } from "../errors.js";
import { loadFamily } from "../families.js";
import {
  chooseChatRoute,
  onDemandModel,
  type ResolvedModel,
  requireOperation,
  resolveModel,
} from "../models.js";
import type { OperationCall } from "../send.js";
import type { FunctionTool, GuardrailConfig, ToolChoice } from "../types.js";
import { type CompletionMeta, completionId, jsonToolName } from "./assemble.js";
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
  readonly route: "invoke" | "converse";
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

/** JSON output through a forced tool, for models whose API has no JSON mode. */
export function jsonToolFor(
  request: Readonly<Record<string, unknown>>,
): { tools: FunctionTool[]; toolChoice: ToolChoice } | undefined {
  const format = request.response_format as
    | { type?: string; json_schema?: { schema?: Record<string, unknown>; description?: string } }
    | undefined;
  if (!format || (format.type !== "json_object" && format.type !== "json_schema")) return undefined;
  if (request.tools !== undefined && (request.tools as unknown[]).length > 0) {
    throw new RequestValidationError(
      "response_format with tools is not supported for this model: JSON output is produced through a tool",
      { param: "response_format" },
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

/** The request's conversation normalized for the model, with the JSON tool in place of the caller's tools when asked. */
export async function normalizeRequestChat(
  call: Pick<ChatCall, "request" | "modifyParams">,
  prepared: PreparedChat,
  codecTools: Readonly<Record<string, unknown>>,
  jsonTool: boolean,
): Promise<NormalizedChat> {
  const { request } = call;
  const json = jsonTool ? jsonToolFor(request) : undefined;
  const allowPrefill = prepared.entry ? prepared.entry.capabilities.includes("prefill") : true;
  return normalizeChat(request.messages as never, {
    model: prepared.resolved.displayName,
    allowPrefill,
    modify_params: call.modifyParams,
    user_continue_message: request.user_continue_message as never,
    fetchImage: request.fetchImage as never,
    imageFetch: request.imageFetch as never,
    tools: json ? json.tools : (codecTools.tools as FunctionTool[] | undefined),
    toolChoice: json ? json.toolChoice : (codecTools.tool_choice as ToolChoice | undefined),
  });
}
