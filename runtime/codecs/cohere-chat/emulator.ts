/**
 * The emulator half of the cohere-chat codec: reads Command R bodies (`message`, `chat_history`,
 * `parameter_definitions` tools, `tool_results`) and writes `{response_id, text, generation_id, chat_history,
 * finish_reason, tool_calls?}`; streams are `text-generation` (or `tool-calls-generation`) events and a
 * `stream-end` carrying the whole response (test/recordings/cohere-command-r).
 * https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-cohere-command-r-plus.html
 */
import {
  applyResponseMapping,
  type EmulatorCodecUnit,
  finishFor,
  invocationMetrics,
  type Json,
  type NativeChatContext,
  type NativeChatView,
} from "../../../emulator/synthesize/native-kit.js";
import type { ChatPlan } from "../../../emulator/synthesize/plan.js";
import { deterministicUuid } from "../../../emulator/synthesize/text.js";
import { isObject, type ToolView } from "../../../emulator/synthesize/view.js";

/** Cohere's Python type names, back to JSON Schema types. */
const COHERE_TYPES: Record<string, string> = {
  str: "string",
  int: "integer",
  float: "number",
  bool: "boolean",
};

function readTool(tool: Json): ToolView {
  const definitions = isObject(tool.parameter_definitions) ? tool.parameter_definitions : {};
  const properties: Record<string, unknown> = {};
  const required: string[] = [];
  for (const [name, definition] of Object.entries(definitions)) {
    const type = isObject(definition) && typeof definition.type === "string" ? definition.type : "str";
    properties[name] = { type: COHERE_TYPES[type] ?? "string" };
    if (isObject(definition) && definition.required === true) required.push(name);
  }
  return { name: String(tool.name), schema: { type: "object", properties, required } };
}

function readChatView(body: Json): NativeChatView {
  const lastUserText = typeof body.message === "string" ? body.message : "";
  const texts = [lastUserText];
  if (typeof body.preamble === "string") texts.push(body.preamble);
  if (Array.isArray(body.chat_history)) {
    for (const turn of body.chat_history)
      if (isObject(turn) && typeof turn.message === "string") texts.push(turn.message);
  }
  const tools = Array.isArray(body.tools)
    ? body.tools.filter((tool): tool is Json => isObject(tool) && typeof tool.name === "string").map(readTool)
    : [];
  return {
    lastUserText,
    afterToolResult: Array.isArray(body.tool_results) && body.tool_results.length > 0,
    inputText: texts.join("\n"),
    tools,
    toolChoice: { kind: "auto" },
  };
}

function fallbackFinishOf(plan: ChatPlan): string {
  return plan.finish === "length" ? "MAX_TOKENS" : "COMPLETE";
}

function buildBody(plan: ChatPlan, context: NativeChatContext, userText: string): Json {
  const body: Json = {
    response_id: deterministicUuid(["response", context.modelId, plan.text]),
    text: plan.text,
    generation_id: deterministicUuid(["generation", context.modelId, plan.text]),
    chat_history: [
      { role: "USER", message: userText },
      { role: "CHATBOT", message: plan.text },
    ],
    finish_reason: finishFor(context.descriptor, plan, fallbackFinishOf(plan)),
  };
  if (plan.toolCall) body.tool_calls = [{ name: plan.toolCall.name, parameters: plan.toolCall.arguments }];
  return body;
}

function buildStream(plan: ChatPlan, context: NativeChatContext, userText: string): Json[] {
  const chunks: Json[] = plan.toolCall
    ? [
        {
          is_finished: false,
          event_type: "tool-calls-generation",
          tool_calls: [{ name: plan.toolCall.name, parameters: plan.toolCall.arguments }],
        },
      ]
    : plan.pieces.map((piece) => ({ is_finished: false, event_type: "text-generation", text: piece }));
  const response = buildBody(plan, context, userText);
  applyResponseMapping(response, { ...context, guardrail: undefined }, plan, String(response.finish_reason));
  chunks.push({
    is_finished: true,
    event_type: "stream-end",
    response,
    finish_reason: response.finish_reason,
    "amazon-bedrock-invocationMetrics": invocationMetrics(plan, context),
  });
  return chunks;
}

export const cohereChatEmulator: EmulatorCodecUnit<"cohere-chat"> = {
  messages: {
    readChatView,
    buildResponse: (plan, context, userText) => ({
      body: buildBody(plan, context, userText),
      fallbackFinish: fallbackFinishOf(plan),
    }),
  },
  stream: { buildStream },
};
