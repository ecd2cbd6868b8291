/**
 * OpenAI Chat Completions bodies on InvokeModel (OpenAI gpt-oss; AI21 Jamba uses the same shape).
 * https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-openai.html
 * https://platform.openai.com/docs/api-reference/chat/create
 *
 * On InvokeModel gpt-oss writes its reasoning first in the message text, wrapped in `<reasoning>` tags;
 * the decoders move it to `reasoning_content`. A `reasoning_content` or `reasoning` field, where a model
 * sends one, is read the same way.
 */
import type { DecodedMessage, StreamEvent, Turn } from "../../chat/model.js";
import { ResponseParseError } from "../../errors.js";
import { writePointer } from "../../pointer.js";
import type { ThinkingBlock, ToolChoice } from "../../types.js";
import {
  decodeToolCalls,
  encodeFunctionTools,
  encodeUserContent,
  readMessageText,
  textOf,
} from "../shared/openai-chat.js";
import type { CodecUnit, MessagesCodec, StreamCodec } from "../types.js";

type NativeMessage = Record<string, unknown>;

const openTag = "<reasoning>";
const closeTag = "</reasoning>";

function encodeTurn(turn: Turn, model: string): NativeMessage[] {
  if (turn.role === "tool") {
    return turn.content.map((block) =>
      block.kind === "tool_result"
        ? { role: "tool", tool_call_id: block.toolCallId, content: textOf(block.content, model) }
        : { role: "user", content: encodeUserContent([block], model) },
    );
  }
  if (turn.role === "assistant") {
    const calls = turn.content.filter((block) => block.kind === "tool_call");
    const text = textOf(
      turn.content.filter((block) => block.kind !== "tool_call"),
      model,
    );
    const message: NativeMessage = {
      role: "assistant",
      content: text === "" && calls.length > 0 ? null : text,
    };
    if (calls.length > 0) {
      message.tool_calls = calls.map((call) => ({
        id: call.id,
        type: "function",
        function: { name: call.name, arguments: call.arguments === "" ? "{}" : call.arguments },
      }));
    }
    return [message];
  }
  return [{ role: "user", content: encodeUserContent(turn.content, model) }];
}

function encodeToolChoice(choice: ToolChoice): unknown {
  return typeof choice === "string" ? choice : { type: "function", function: { name: choice.function.name } };
}

/** Splits a leading `<reasoning>…</reasoning>` from the answer text. */
export function splitReasoning(text: string): { reasoning: string; text: string } {
  const trimmed = text.trimStart();
  if (!trimmed.startsWith(openTag)) return { reasoning: "", text };
  const end = trimmed.indexOf(closeTag);
  if (end === -1) return { reasoning: trimmed.slice(openTag.length), text: "" };
  return { reasoning: trimmed.slice(openTag.length, end), text: trimmed.slice(end + closeTag.length) };
}

function readReasoningField(source: Record<string, unknown>): string {
  const value = source.reasoning_content ?? source.reasoning;
  return typeof value === "string" ? value : "";
}

const openaiMessages: MessagesCodec = {
  encode(chat, body, { mapping, model }) {
    const messages: NativeMessage[] = [];
    if (chat.system.length > 0) {
      if (mapping.system) writePointer(body, mapping.system, chat.system.join("\n\n"));
      else messages.push({ role: "system", content: chat.system.join("\n\n") });
    }
    for (const turn of chat.turns) messages.push(...encodeTurn(turn, model.id));
    writePointer(body, mapping.messages!, messages);
    if (chat.tools.length > 0 && mapping.tools) {
      writePointer(body, mapping.tools, encodeFunctionTools(chat.tools, { keepStrict: true }));
      if (chat.toolChoice !== undefined && mapping.tool_choice)
        writePointer(body, mapping.tool_choice, encodeToolChoice(chat.toolChoice));
    }
  },

  decode(content) {
    if (content === null || typeof content !== "object") {
      throw new ResponseParseError("the chat completion has no choices[0].message");
    }
    const message = content as Record<string, unknown>;
    const split = splitReasoning(readMessageText(message.content));
    const reasoningText = readReasoningField(message) || split.reasoning;
    const reasoning: ThinkingBlock[] = reasoningText ? [{ type: "thinking", thinking: reasoningText }] : [];
    const toolCalls = decodeToolCalls(message.tool_calls);
    return { text: split.text, toolCalls, reasoning } satisfies DecodedMessage;
  },
};

/** Length of the longest suffix of `text` that is a prefix of `tag` (a tag possibly split across chunks). */
function partialTagLength(text: string, tag: string): number {
  for (let length = Math.min(tag.length - 1, text.length); length > 0; length--) {
    if (text.endsWith(tag.slice(0, length))) return length;
  }
  return 0;
}

/**
 * Separates `<reasoning>…</reasoning>` at the start of streamed content from the answer, whatever the
 * chunk boundaries: text that may still turn into a tag is held back until the next delta decides it.
 */
class ReasoningSplitter {
  private state: "start" | "reasoning" | "answer" = "start";
  private held = "";

  push(delta: string): StreamEvent[] {
    this.held += delta;
    const events: StreamEvent[] = [];
    if (this.state === "start") {
      const trimmed = this.held.trimStart();
      if (trimmed === "" || (openTag.startsWith(trimmed) && trimmed.length < openTag.length)) return events;
      if (trimmed.startsWith(openTag)) {
        this.state = "reasoning";
        this.held = trimmed.slice(openTag.length);
      } else {
        this.state = "answer";
      }
    }
    if (this.state === "reasoning") {
      const end = this.held.indexOf(closeTag);
      if (end === -1) {
        const keep = partialTagLength(this.held, closeTag);
        const ready = this.held.slice(0, this.held.length - keep);
        if (ready !== "") events.push({ kind: "reasoning", text: ready });
        this.held = this.held.slice(this.held.length - keep);
        return events;
      }
      if (end > 0) events.push({ kind: "reasoning", text: this.held.slice(0, end) });
      this.held = this.held.slice(end + closeTag.length);
      this.state = "answer";
    }
    if (this.held !== "") events.push({ kind: "text", text: this.held });
    this.held = "";
    return events;
  }

  /** Whatever is still held when the stream ends. */
  flush(): StreamEvent[] {
    const rest = this.held;
    this.held = "";
    if (rest === "") return [];
    return [this.state === "reasoning" ? { kind: "reasoning", text: rest } : { kind: "text", text: rest }];
  }
}

/** chat.completion.chunk objects: deltas of content, reasoning and tool calls; usage from the last chunk. */
const openaiStream: StreamCodec = {
  createDecoder() {
    let started = false;
    const splitter = new ReasoningSplitter();
    const openedTools = new Set<number>();
    return (chunk) => {
      const events: StreamEvent[] = [];
      if (!started) {
        started = true;
        events.push({ kind: "start", id: typeof chunk.id === "string" ? chunk.id : undefined });
      }
      const choices = Array.isArray(chunk.choices) ? (chunk.choices as Record<string, unknown>[]) : [];
      const choice = choices[0];
      let finish: string | undefined;
      if (choice) {
        const delta = (choice.delta ?? choice.message ?? {}) as Record<string, unknown>;
        const reasoning = readReasoningField(delta);
        if (reasoning !== "") events.push({ kind: "reasoning", text: reasoning });
        if (typeof delta.content === "string" && delta.content !== "")
          events.push(...splitter.push(delta.content));
        for (const call of Array.isArray(delta.tool_calls)
          ? (delta.tool_calls as Record<string, unknown>[])
          : []) {
          const index = typeof call.index === "number" ? call.index : 0;
          const fn = (call.function ?? {}) as { name?: unknown; arguments?: unknown };
          if (!openedTools.has(index) && (typeof call.id === "string" || typeof fn.name === "string")) {
            openedTools.add(index);
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
        if (typeof choice.finish_reason === "string" && choice.finish_reason !== "")
          finish = choice.finish_reason;
      }
      const usage = chunk.usage as { prompt_tokens?: number; completion_tokens?: number } | null | undefined;
      if (usage && (usage.prompt_tokens !== undefined || usage.completion_tokens !== undefined)) {
        events.push({
          kind: "usage",
          promptTokens: usage.prompt_tokens,
          completionTokens: usage.completion_tokens,
        });
      }
      const metrics = chunk["amazon-bedrock-invocationMetrics"] as
        | { inputTokenCount?: number; outputTokenCount?: number }
        | undefined;
      if (metrics) {
        events.push({
          kind: "usage",
          promptTokens: metrics.inputTokenCount,
          completionTokens: metrics.outputTokenCount,
        });
      }
      if (finish !== undefined) {
        events.push(...splitter.flush());
        events.push({ kind: "finish", reason: finish });
      }
      return events;
    };
  },
};

export const openai: CodecUnit<"openai"> = { messages: openaiMessages, stream: openaiStream };
