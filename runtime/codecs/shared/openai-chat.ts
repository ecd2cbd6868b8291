/**
 * OpenAI's chat message shape, shared by the codecs whose native bodies use it (the `openai` codec of
 * gpt-oss, AI21 Jamba and the OpenAI-chat-like families, and `mistral-chat`): message content with text and
 * images as data URLs, function tools, and the `tool_calls` of an answer.
 * https://platform.openai.com/docs/api-reference/chat/object
 */
import type { ContentBlock, DecodedMessage } from "../../chat/model.js";
import { RequestValidationError } from "../../errors.js";
import type { FunctionTool } from "../../types.js";

export type NativePart = { type: "text"; text: string } | { type: "image_url"; image_url: { url: string } };

function unsupported(kind: string, model: string): never {
  throw new RequestValidationError(
    `${model} takes text and images in chat messages on the invoke route; ${kind} content needs the converse route (bedrock/converse/${model})`,
    { param: "messages", model },
  );
}

/** User content: a plain string for text, a list of text and image_url parts when images are present. */
export function encodeUserContent(blocks: readonly ContentBlock[], model: string): string | NativePart[] {
  const parts: NativePart[] = [];
  for (const block of blocks) {
    if (block.kind === "text") parts.push({ type: "text", text: block.text });
    else if (block.kind === "image")
      parts.push({ type: "image_url", image_url: { url: `data:${block.mediaType};base64,${block.base64}` } });
    else if (block.kind !== "reasoning") unsupported(block.kind, model);
  }
  if (parts.every((part) => part.type === "text"))
    return parts.map((part) => (part as { text: string }).text).join("\n");
  return parts;
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

/** The text of a message's `content`: a string, or the `text` of each part of a list. */
export function readMessageText(content: unknown): string {
  if (typeof content === "string") return content;
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
