/**
 * The emulator half of the openai codec: reads OpenAI Chat Completions bodies and writes chat completion
 * objects (`choices[].message`, `finish_reason`, `usage`) and `chat.completion.chunk` streams whose last chunk
 * carries the finish reason and the invocation metrics.
 * https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-openai.html
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
import { deterministicUuid } from "../../../emulator/synthesize/text.js";
import {
  type ChatView,
  isObject,
  readMessageList,
  type ToolView,
} from "../../../emulator/synthesize/view.js";
import type { ChatRequestMapping } from "../../../generated/spec-types.js";
import { readPointer } from "../../pointer.js";

function readTools(tools: unknown): ToolView[] {
  if (!Array.isArray(tools)) return [];
  const list: ToolView[] = [];
  for (const tool of tools) {
    const fn = isObject(tool) && isObject(tool.function) ? tool.function : undefined;
    if (fn && typeof fn.name === "string") list.push({ name: fn.name, schema: fn.parameters });
  }
  return list;
}

/** OpenAI's `none | auto | required | {function: {name}}`, and Mistral's `any`. */
function readToolChoice(choice: unknown): ChatView["toolChoice"] {
  if (choice === "none") return { kind: "none" };
  if (choice === "required" || choice === "any") return { kind: "any" };
  if (isObject(choice) && isObject(choice.function) && typeof choice.function.name === "string") {
    return { kind: "tool", toolName: choice.function.name };
  }
  return { kind: "auto" };
}

/** Reads an OpenAI-style chat body (the openai and mistral-chat codecs): system turns are in the list. */
export function readOpenAIChatView(body: Json, mapping: ChatRequestMapping): NativeChatView {
  return {
    ...readMessageList(readPointer(body, mapping.messages ?? "/messages"), {
      answersTools: (last) => last.role === "tool",
    }),
    tools: readTools(readPointer(body, mapping.tools ?? "/tools")),
    toolChoice: readToolChoice(readPointer(body, mapping.tool_choice ?? "/tool_choice")),
  };
}

function completionId(plan: ChatPlan, context: NativeChatContext): string {
  return `chatcmpl-${deterministicUuid([context.modelId, plan.text, plan.toolCall?.seed])}`;
}

function toolCallId(plan: ChatPlan): string {
  return `call_${plan.toolCall!.seed.slice(0, 24)}`;
}

function buildResponse(plan: ChatPlan, context: NativeChatContext) {
  const toolCalls = plan.toolCall
    ? [
        {
          id: toolCallId(plan),
          type: "function",
          function: { name: plan.toolCall.name, arguments: JSON.stringify(plan.toolCall.arguments) },
        },
      ]
    : undefined;
  const body: Json = {
    id: completionId(plan, context),
    object: "chat.completion",
    created: context.created,
    model: context.modelId,
    choices: [
      {
        index: 0,
        message: {
          role: "assistant",
          content: toolCalls ? null : plan.text,
          ...(toolCalls ? { tool_calls: toolCalls } : {}),
        },
        finish_reason: finishFor(context.descriptor, plan, plan.finish),
      },
    ],
    usage: {
      prompt_tokens: plan.inputTokens,
      completion_tokens: plan.outputTokens,
      total_tokens: plan.inputTokens + plan.outputTokens,
    },
  };
  return { body, fallbackFinish: plan.finish };
}

/** The delta of one stream piece: content, or the tool call (named in the first piece, then its arguments). */
function pieceDelta(plan: ChatPlan, piece: string, first: boolean): Json {
  const role = first ? { role: "assistant" } : {};
  if (!plan.toolCall) return { ...role, content: piece };
  const call = first
    ? {
        index: 0,
        id: toolCallId(plan),
        type: "function",
        function: { name: plan.toolCall.name, arguments: piece },
      }
    : { index: 0, function: { arguments: piece } };
  return { ...role, tool_calls: [call] };
}

function buildStream(plan: ChatPlan, context: NativeChatContext): Json[] {
  const base = {
    id: completionId(plan, context),
    object: "chat.completion.chunk",
    created: context.created,
    model: context.modelId,
  };
  const chunks: Json[] = plan.pieces.map((piece, index) => ({
    ...base,
    choices: [{ index: 0, delta: pieceDelta(plan, piece, index === 0), finish_reason: null }],
  }));
  chunks.push({
    ...base,
    choices: [{ index: 0, delta: {}, finish_reason: streamFinish(context, plan, plan.finish) }],
    "amazon-bedrock-invocationMetrics": invocationMetrics(plan, context),
  });
  return chunks;
}

export const openaiEmulator: EmulatorCodecUnit<"openai"> = {
  messages: { readChatView: readOpenAIChatView, buildResponse },
  stream: { buildStream },
};
