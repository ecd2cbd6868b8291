/**
 * OpenAI's chat message shape, shared by the codecs whose native bodies use it (the `openai` codec of
 * gpt-oss, AI21 Jamba and the OpenAI-chat-like families, and `mistral-chat`): message content with text and
 * images as data URLs, function tools, and the `tool_calls` of an answer.
 * https://platform.openai.com/docs/api-reference/chat/object
 */
import type { ContentForm } from "../../../generated/spec-types.js";
import type { ContentBlock, DecodedMessage, NormalizedChat, Turn } from "../../chat/model.js";
import { RequestValidationError } from "../../errors.js";
import { writePointer } from "../../pointer.js";
import type { FunctionTool } from "../../types.js";
import type { CodecContext } from "../types.js";
import { requireInlineMedia } from "./media.js";

export type NativePart = { type: "text"; text: string } | { type: "image_url"; image_url: { url: string } };

/** Message content as sent: a string, `{text}`, a list of parts, or null (an assistant turn of only tool calls). */
export type NativeContent = string | { text: string } | NativePart[] | null;

type NativeMessage = Record<string, unknown>;

/** How a codec writes OpenAI-style messages. */
export interface MessageStyle {
  /** The form of every message's content (the spec's `content_form`). */
  readonly form: ContentForm;
  /** Tool calls carry `type: "function"` (OpenAI) or not (Mistral). */
  readonly typedToolCalls: boolean;
  /** An assistant turn of only tool calls has `content: null` (OpenAI) or `""` (Mistral). */
  readonly nullContentWithCalls: boolean;
}

function unsupported(kind: string, model: string): never {
  throw new RequestValidationError(
    `${model} takes text and images in chat messages on the invoke route; ${kind} content needs the converse route (bedrock/converse/${model})`,
    { param: "messages", model },
  );
}

/** Text in the content form: a string, `{text}`, or a list of one text part. */
export function formatText(text: string, form: ContentForm): NativeContent {
  if (form === "text-object") return { text };
  if (form === "parts") return [{ type: "text", text }];
  return text;
}

/**
 * User content in the content form. With the `string` form, text is a string and a message with images a
 * list of text and image_url parts (the only form that carries images); `text-object` carries no images.
 */
export function encodeUserContent(
  blocks: readonly ContentBlock[],
  model: string,
  form: ContentForm = "string",
): NativeContent {
  const parts: NativePart[] = [];
  for (const block of blocks) {
    if (block.kind === "text") parts.push({ type: "text", text: block.text });
    else if (block.kind === "image") {
      requireInlineMedia(block, model);
      parts.push({ type: "image_url", image_url: { url: `data:${block.mediaType};base64,${block.base64}` } });
    } else if (block.kind !== "reasoning") unsupported(block.kind, model);
  }
  const textOnly = parts.every((part) => part.type === "text");
  if (form === "parts" || !textOnly) {
    if (form === "text-object") {
      throw new RequestValidationError(
        `${model} takes text only in chat messages on the invoke route; images need the converse route (bedrock/converse/${model}) where the model supports them`,
        { param: "messages", model },
      );
    }
    return parts;
  }
  return formatText(parts.map((part) => (part as { text: string }).text).join("\n"), form);
}

/** The text of blocks that must be text only (tool results, assistant turns). */
export function textOf(blocks: readonly ContentBlock[], model: string): string {
  const pieces: string[] = [];
  for (const block of blocks) {
    if (block.kind === "text") pieces.push(block.text);
    else if (block.kind !== "reasoning") unsupported(block.kind, model);
  }
  return pieces.join("\n");
}

/** A turn as OpenAI-style messages: tool results become `tool` messages answering their call ids. */
function encodeTurn(turn: Turn, model: string, style: MessageStyle): NativeMessage[] {
  if (turn.role === "tool") {
    return turn.content.map((block) =>
      block.kind === "tool_result"
        ? {
            role: "tool",
            tool_call_id: block.toolCallId,
            content: formatText(textOf(block.content, model), style.form),
          }
        : { role: "user", content: encodeUserContent([block], model, style.form) },
    );
  }
  if (turn.role === "user")
    return [{ role: "user", content: encodeUserContent(turn.content, model, style.form) }];
  const calls = turn.content.filter((block) => block.kind === "tool_call");
  const text = textOf(
    turn.content.filter((block) => block.kind !== "tool_call"),
    model,
  );
  const empty = text === "" && calls.length > 0;
  const message: NativeMessage = {
    role: "assistant",
    content: empty && style.nullContentWithCalls ? null : formatText(text, style.form),
  };
  if (calls.length > 0) {
    message.tool_calls = calls.map((call) => ({
      id: call.id,
      ...(style.typedToolCalls ? { type: "function" } : {}),
      function: { name: call.name, arguments: call.arguments === "" ? "{}" : call.arguments },
    }));
  }
  return [message];
}

/** Writes the conversation: system text at the spec's `system` pointer, else as a leading `system` message. */
export function writeMessages(
  chat: NormalizedChat,
  body: Record<string, unknown>,
  { mapping, model }: CodecContext,
  style: MessageStyle,
): void {
  const messages: NativeMessage[] = [];
  if (chat.system.length > 0) {
    const system = chat.system.join("\n\n");
    if (mapping.system) writePointer(body, mapping.system, system);
    else messages.push({ role: "system", content: formatText(system, style.form) });
  }
  for (const turn of chat.turns) messages.push(...encodeTurn(turn, model.id, style));
  writePointer(body, mapping.messages!, messages);
}

/** Tool definitions in OpenAI's shape; `strict` is kept where the model's API takes it. */
export function encodeFunctionTools(
  tools: readonly FunctionTool[],
  options: { keepStrict: boolean },
): Record<string, unknown>[] {
  return tools.map((tool) => ({
    type: "function",
    function: {
      name: tool.function.name,
      ...(tool.function.description ? { description: tool.function.description } : {}),
      parameters: tool.function.parameters ?? { type: "object", properties: {} },
      ...(options.keepStrict && tool.function.strict !== undefined ? { strict: tool.function.strict } : {}),
    },
  }));
}

/** The text of a message's `content`: a string, `{text}`, or the `text` of each part of a list. */
export function readMessageText(content: unknown): string {
  if (typeof content === "string") return content;
  if (content !== null && typeof content === "object" && "text" in content) {
    return typeof content.text === "string" ? content.text : "";
  }
  if (!Array.isArray(content)) return "";
  return content
    .map((part) => (part && typeof part === "object" && "text" in part ? String(part.text ?? "") : ""))
    .join("");
}

/**
 * The `tool_calls` of an answer message (`[{id, function: {name, arguments}}]`); a call without an id gets
 * `call_<index>`, arguments that arrive as an object are serialized.
 */
export function decodeToolCalls(toolCalls: unknown): DecodedMessage["toolCalls"] {
  return (Array.isArray(toolCalls) ? toolCalls : []).map((call, index) => {
    const native = call as { id?: unknown; function?: { name?: unknown; arguments?: unknown } };
    const args = native.function?.arguments;
    return {
      id: typeof native.id === "string" && native.id !== "" ? native.id : `call_${index}`,
      name: String(native.function?.name ?? ""),
      arguments: typeof args === "string" ? args : JSON.stringify(args ?? {}),
    };
  });
}
