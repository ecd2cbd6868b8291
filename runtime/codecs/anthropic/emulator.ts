/**
 * The emulator half of the anthropic codec: reads Claude Messages bodies and writes Messages API answers
 * (`content` blocks, `stop_reason`, `usage.input_tokens`) and streams (message_start, content_block_start /
 * delta / stop, message_delta, message_stop with `amazon-bedrock-invocationMetrics`), after
 * test/recordings/anthropic-claude-messages.
 * https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-anthropic-claude-messages-request-response.html
 */
import {
  type EmulatorCodecUnit,
  finishFor,
  invocationMetrics,
  type Json,
  type NativeChatContext,
  type NativeChatView,
  streamFinish,
} from "../../../emulator/synthesize/native-kit.js";
import type { ChatPlan } from "../../../emulator/synthesize/plan.js";
import { deterministicId } from "../../../emulator/synthesize/text.js";
import {
  type ChatView,
  hasBlock,
  isObject,
  type MessageListReading,
  readMessageList,
  type ToolView,
} from "../../../emulator/synthesize/view.js";
import type { ChatRequestMapping } from "../../../generated/spec-types.js";
import { readPointer } from "../../pointer.js";

function readTools(tools: unknown): ToolView[] {
  if (!Array.isArray(tools)) return [];
  return tools
    .filter((tool): tool is Json => isObject(tool) && typeof tool.name === "string")
    .map((tool) => ({ name: String(tool.name), schema: tool.input_schema }));
}

function readToolChoice(choice: unknown): ChatView["toolChoice"] {
  if (!isObject(choice)) return { kind: "auto" };
  if (choice.type === "tool" && typeof choice.name === "string")
    return { kind: "tool", toolName: choice.name };
  if (choice.type === "any") return { kind: "any" };
  if (choice.type === "none") return { kind: "none" };
  return { kind: "auto" };
}

/** A conversation that ends with tool results answers tool calls. */
const anthropicReading: MessageListReading = {
  answersTools: (last) => hasBlock(last, (block) => block.type === "tool_result"),
};

function readChatView(body: Json, mapping: ChatRequestMapping): NativeChatView {
  const { lastUserText, afterToolResult, inputText } = readMessageList(
    readPointer(body, mapping.messages ?? "/messages"),
    readPointer(body, mapping.system ?? "/system"),
    anthropicReading,
  );
  return {
    lastUserText,
    afterToolResult,
    inputText,
    tools: readTools(readPointer(body, mapping.tools ?? "/tools")),
    toolChoice: readToolChoice(readPointer(body, mapping.tool_choice ?? "/tool_choice")),
  };
}

/** The model name Anthropic writes in `model` (the id without provider prefix and version suffix). */
function anthropicModelName(modelId: string): string {
  return modelId.replace(/^[a-z-]+\./, "").replace(/-v\d+(:\d+)?$/, "");
}

function toolUseId(plan: ChatPlan): string {
  return `toolu_bdrk_${plan.toolCall!.seed}`;
}

function buildMessage(plan: ChatPlan, context: NativeChatContext): Json {
  const content: Json[] = plan.toolCall
    ? [{ type: "tool_use", id: toolUseId(plan), name: plan.toolCall.name, input: plan.toolCall.arguments }]
    : [{ type: "text", text: plan.text }];
  return {
    id: deterministicId("msg_bdrk_", [context.modelId, plan.text, plan.toolCall?.seed]),
    type: "message",
    role: "assistant",
    model: anthropicModelName(context.modelId),
    content,
    stop_reason: finishFor(context.descriptor, plan, "end_turn"),
    stop_sequence: null,
    usage: { input_tokens: plan.inputTokens, output_tokens: plan.outputTokens },
  };
}

function buildStream(plan: ChatPlan, context: NativeChatContext): Json[] {
  const message = buildMessage(plan, context);
  const start: Json = {
    ...message,
    content: [],
    stop_reason: null,
    stop_sequence: null,
    usage: { input_tokens: plan.inputTokens, output_tokens: 1 },
  };
  const block = plan.toolCall
    ? { type: "tool_use", id: toolUseId(plan), name: plan.toolCall.name, input: {} }
    : { type: "text", text: "" };
  const delta = (piece: string) =>
    plan.toolCall ? { type: "input_json_delta", partial_json: piece } : { type: "text_delta", text: piece };
  return [
    { type: "message_start", message: start },
    { type: "content_block_start", index: 0, content_block: block },
    ...plan.pieces.map((piece) => ({ type: "content_block_delta", index: 0, delta: delta(piece) })),
    { type: "content_block_stop", index: 0 },
    {
      type: "message_delta",
      delta: { stop_reason: streamFinish(context, plan, "end_turn"), stop_sequence: null },
      usage: { output_tokens: plan.outputTokens },
    },
    { type: "message_stop", "amazon-bedrock-invocationMetrics": invocationMetrics(plan, context) },
  ];
}

export const anthropicEmulator: EmulatorCodecUnit<"anthropic"> = {
  messages: {
    readChatView,
    buildResponse: (plan, context) => ({ body: buildMessage(plan, context), fallbackFinish: "end_turn" }),
  },
  stream: { buildStream },
};
