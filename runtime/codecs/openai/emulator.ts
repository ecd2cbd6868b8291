/**
 * The emulator half of the openai codec: reads OpenAI Chat Completions bodies (message content as a string,
 * `{text}` or parts) and writes chat completion objects (`choices[].message`, `finish_reason`, `usage`) and
 * `chat.completion.chunk` streams whose last chunk carries the finish reason and the invocation metrics.
 * Reasoning goes where the spec says (`chat.response.reasoning`): in its field, or first in the text
 * between tags (gpt-oss's `<reasoning>`, test/fixtures/openai-gpt-oss).
 * https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-openai.html
 */
import {
  type EmulatorCodecUnit,
  finishFor,
  invocationMetrics,
  type Json,
  type NativeChatContext,
  type NativeChatView,
  responseMappingOf,
  streamFinish,
} from "../../../emulator/synthesize/native-kit.js";
import type { ChatPlan } from "../../../emulator/synthesize/plan.js";
import { deterministicUuid, splitIntoChunks } from "../../../emulator/synthesize/text.js";
import {
  type ChatView,
  isObject,
  type MessageListReading,
  readMessageList,
  type ToolView,
} from "../../../emulator/synthesize/view.js";
import type { ChatRequestMapping, ReasoningCarriage } from "../../../generated/spec-types.js";
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

/** System turns are in the list; a conversation that ends with a `tool` message answers tool calls. */
const openAIReading: MessageListReading = { answersTools: (last) => last.role === "tool" };

/** Reads an OpenAI-style chat body (the openai and mistral-chat codecs): system turns are in the list. */
export function readOpenAIChatView(body: Json, mapping: ChatRequestMapping): NativeChatView {
  const messages = readPointer(body, mapping.messages ?? "/messages");
  const { lastUserText, afterToolResult, inputText } = readMessageList(messages, undefined, openAIReading);
  return {
    lastUserText,
    afterToolResult,
    inputText,
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

/** The family's reasoning carriage, when the plan has reasoning to carry. */
function carriageOf(plan: ChatPlan, context: NativeChatContext): ReasoningCarriage | undefined {
  return plan.reasoning ? responseMappingOf(context.descriptor).reasoning : undefined;
}

/** The reasoning written into the text, between the carriage's tags ("" when it travels in a field). */
function taggedReasoning(plan: ChatPlan, carriage: ReasoningCarriage | undefined): string {
  const tags = carriage?.field ? undefined : carriage?.tags;
  return tags ? `${tags.open}${plan.reasoning}${tags.close}` : "";
}

/** The answer message: text (or tool calls), with the reasoning in its field or before the text in tags. */
function buildMessage(plan: ChatPlan, carriage: ReasoningCarriage | undefined): Json {
  const tagged = taggedReasoning(plan, carriage);
  const field = carriage?.field ? { [carriage.field]: plan.reasoning } : {};
  if (!plan.toolCall) return { role: "assistant", content: tagged + plan.text, ...field };
  const toolCalls = [
    {
      id: toolCallId(plan),
      type: "function",
      function: { name: plan.toolCall.name, arguments: JSON.stringify(plan.toolCall.arguments) },
    },
  ];
  return { role: "assistant", content: tagged || null, ...field, tool_calls: toolCalls };
}

function buildResponse(plan: ChatPlan, context: NativeChatContext) {
  const body: Json = {
    id: completionId(plan, context),
    object: "chat.completion",
    created: context.created,
    model: context.modelId,
    choices: [
      {
        index: 0,
        message: buildMessage(plan, carriageOf(plan, context)),
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

/** The delta of one answer piece: content, or the tool call (named in its first piece, then its arguments). */
function pieceDelta(plan: ChatPlan, piece: string, first: boolean): Json {
  if (!plan.toolCall) return { content: piece };
  const call = first
    ? {
        index: 0,
        id: toolCallId(plan),
        type: "function",
        function: { name: plan.toolCall.name, arguments: piece },
      }
    : { index: 0, function: { arguments: piece } };
  return { tool_calls: [call] };
}

/**
 * The deltas of a stream: reasoning first (pieces of its field, or of the tagged text as content, so tags
 * may be cut across chunks), then the answer's pieces; the first delta names the role.
 */
function streamDeltas(plan: ChatPlan, carriage: ReasoningCarriage | undefined): Json[] {
  const reasoning: Json[] = [];
  if (carriage?.field) {
    for (const piece of plan.reasoningPieces ?? []) reasoning.push({ [carriage.field]: piece });
  } else if (carriage?.tags) {
    const tagged = taggedReasoning(plan, carriage);
    for (const piece of splitIntoChunks(tagged, (plan.reasoningPieces?.length ?? 1) + 2)) {
      reasoning.push({ content: piece });
    }
  }
  const answer = plan.pieces.map((piece, index) => pieceDelta(plan, piece, index === 0));
  const deltas = [...reasoning, ...answer];
  deltas[0] = { role: "assistant", ...deltas[0] };
  return deltas;
}

function buildStream(plan: ChatPlan, context: NativeChatContext): Json[] {
  const base = {
    id: completionId(plan, context),
    object: "chat.completion.chunk",
    created: context.created,
    model: context.modelId,
  };
  const chunks: Json[] = streamDeltas(plan, carriageOf(plan, context)).map((delta) => ({
    ...base,
    choices: [{ index: 0, delta, finish_reason: null }],
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
