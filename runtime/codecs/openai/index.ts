/**
 * OpenAI Chat Completions bodies on InvokeModel: OpenAI gpt-oss, AI21 Jamba, and the OpenAI-chat-like
 * families whose differences are spec data — the form of message content (`chat.request.content_form`)
 * and where reasoning travels (`chat.response.reasoning`, see reasoning.ts).
 * https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-openai.html
 * https://platform.openai.com/docs/api-reference/chat/create
 */
import type { StreamEvent } from "../../chat/model.js";
import { ResponseParseError } from "../../errors.js";
import { writePointer } from "../../pointer.js";
import type { ThinkingBlock, ToolChoice } from "../../types.js";
import { addInvocationMetrics } from "../shared/invocation-metrics.js";
import {
  decodeToolCalls,
  encodeFunctionTools,
  readMessageText,
  writeMessages,
} from "../shared/openai-chat.js";
import type { CodecUnit, MessagesCodec, StreamCodec } from "../types.js";
import { ReasoningSplitter, readReasoningField, separateReasoning } from "./reasoning.js";

type NativeObject = Record<string, unknown>;

function encodeToolChoice(choice: ToolChoice): unknown {
  return typeof choice === "string" ? choice : { type: "function", function: { name: choice.function.name } };
}

const openaiMessages: MessagesCodec = {
  encode(chat, body, context) {
    const { mapping } = context;
    const form = mapping.content_form ?? "string";
    writeMessages(chat, body, context, { form, typedToolCalls: true, nullContentWithCalls: true });
    if (chat.tools.length > 0 && mapping.tools) {
      writePointer(body, mapping.tools, encodeFunctionTools(chat.tools, { keepStrict: true }));
      if (chat.toolChoice !== undefined && mapping.tool_choice)
        writePointer(body, mapping.tool_choice, encodeToolChoice(chat.toolChoice));
    }
  },

  decode(content, _body, mapping) {
    if (content === null || typeof content !== "object") {
      throw new ResponseParseError("the chat completion has no choices[0].message");
    }
    const message = content as NativeObject;
    const { reasoning, text } = separateReasoning(
      message,
      readMessageText(message.content),
      mapping.reasoning,
    );
    const thinking: ThinkingBlock[] = reasoning ? [{ type: "thinking", thinking: reasoning }] : [];
    return { text, toolCalls: decodeToolCalls(message.tool_calls), reasoning: thinking };
  },
};

/** Adds the events of tool-call deltas: one start per call index (with its id and name), then argument pieces. */
function addToolCallDeltas(toolCalls: unknown, opened: Set<number>, events: StreamEvent[]): void {
  for (const call of Array.isArray(toolCalls) ? (toolCalls as NativeObject[]) : []) {
    const index = typeof call.index === "number" ? call.index : 0;
    const fn = (call.function ?? {}) as { name?: unknown; arguments?: unknown };
    if (!opened.has(index) && (typeof call.id === "string" || typeof fn.name === "string")) {
      opened.add(index);
      events.push({
        kind: "tool_start",
        block: index,
        id: typeof call.id === "string" ? call.id : `call_${index}`,
        name: String(fn.name ?? ""),
      });
    }
    if (typeof fn.arguments === "string" && fn.arguments !== "")
      events.push({ kind: "tool_delta", block: index, arguments: fn.arguments });
  }
}

/** Adds the token counts of a chunk: `usage` (last chunk) and Bedrock's invocation metrics. */
function addUsage(chunk: NativeObject, events: StreamEvent[]): void {
  const usage = chunk.usage as { prompt_tokens?: number; completion_tokens?: number } | null | undefined;
  if (usage && (usage.prompt_tokens !== undefined || usage.completion_tokens !== undefined)) {
    events.push({
      kind: "usage",
      promptTokens: usage.prompt_tokens,
      completionTokens: usage.completion_tokens,
    });
  }
  addInvocationMetrics(chunk, events);
}

/** chat.completion.chunk objects: deltas of content, reasoning and tool calls; usage from the last chunk. */
const openaiStream: StreamCodec = {
  createDecoder(_mapping, response) {
    const carriage = response.reasoning;
    let started = false;
    const splitter = new ReasoningSplitter(carriage?.tags);
    const openedTools = new Set<number>();
    return (chunk) => {
      const events: StreamEvent[] = [];
      if (!started) {
        started = true;
        events.push({ kind: "start", id: typeof chunk.id === "string" ? chunk.id : undefined });
      }
      const choice = (Array.isArray(chunk.choices) ? (chunk.choices as NativeObject[]) : [])[0];
      const delta = (choice?.delta ?? choice?.message ?? {}) as NativeObject;
      const reasoning = readReasoningField(delta, carriage);
      if (reasoning !== "") events.push({ kind: "reasoning", text: reasoning });
      if (typeof delta.content === "string" && delta.content !== "")
        events.push(...splitter.push(delta.content));
      addToolCallDeltas(delta.tool_calls, openedTools, events);
      addUsage(chunk, events);
      const finish = choice?.finish_reason;
      if (typeof finish === "string" && finish !== "") {
        events.push(...splitter.flush(), { kind: "finish", reason: finish });
      }
      return events;
    };
  },
};

export const openai: CodecUnit<"openai"> = { messages: openaiMessages, stream: openaiStream };
