/**
 * Amazon Nova's messages-v1 InvokeModel bodies: Converse-shaped content blocks with base64 bytes.
 * https://docs.aws.amazon.com/nova/latest/userguide/complete-request-schema.html
 * https://docs.aws.amazon.com/nova/latest/nova2-userguide/request-response-schema.html
 */
import type {
  CacheMark,
  ContentBlock,
  DecodedMessage,
  ImageBlock,
  NormalizedChat,
  SystemBlock,
  ToolResultBlock,
} from "../../chat/model.js";
import { RequestValidationError, ResponseParseError } from "../../errors.js";
import { writePointer } from "../../pointer.js";
import type { ThinkingBlock } from "../../types.js";
import { createConverseEventDecoder } from "../shared/converse-events.js";
import { requireInlineMedia } from "../shared/media.js";
import { sendsTools } from "../shared/tools.js";
import type { CodecUnit, MessagesCodec, StreamCodec } from "../types.js";

type NativeBlock = Record<string, unknown>;

function encodeImage(block: ImageBlock, model: string): NativeBlock {
  requireInlineMedia(block, model);
  return { image: { format: block.format, source: { bytes: block.base64 } } };
}

/** A tool result that is one JSON object is sent as a `json` block (as Nova's own examples do), anything else as text. */
function encodeToolResultContent(block: ToolResultBlock, model: string): NativeBlock[] {
  const only = block.content[0];
  if (block.content.length === 1 && only?.kind === "text") {
    const parsed = parseJsonObject(only.text);
    if (parsed) return [{ json: parsed }];
  }
  return block.content.map((part) => {
    if (part.kind === "text") return { text: part.text };
    if (part.kind === "image") return encodeImage(part, model);
    throw documentsUnsupported(model);
  });
}

function parseJsonObject(text: string): Record<string, unknown> | undefined {
  const trimmed = text.trim();
  if (!trimmed.startsWith("{")) return undefined;
  try {
    const value = JSON.parse(trimmed) as unknown;
    return value !== null && typeof value === "object" && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

function documentsUnsupported(model: string): RequestValidationError {
  // "The Invoke API supports the same features as the Converse API except for document input modality."
  return new RequestValidationError(`${model} reads documents only through the converse route`, {
    param: "messages",
    model,
  });
}

/**
 * Nova's InvokeModel body carries a cache checkpoint as a `cachePoint` key of the cached block; it rejects
 * Converse's standalone cachePoint block ("#/system/1: required key [text] not found").
 */
function withCachePoint(block: NativeBlock, cache: CacheMark | undefined): NativeBlock {
  if (cache) block.cachePoint = cache.ttl ? { type: "default", ttl: cache.ttl } : { type: "default" };
  return block;
}

function encodeBlock(block: ContentBlock, model: string): NativeBlock | undefined {
  const native = encodeContent(block, model);
  return native && "cache" in block ? withCachePoint(native, block.cache) : native;
}

function encodeContent(block: ContentBlock, model: string): NativeBlock | undefined {
  switch (block.kind) {
    case "text":
      return { text: block.text };
    case "image":
      return encodeImage(block, model);
    case "document":
      throw documentsUnsupported(model);
    case "audio":
      throw new RequestValidationError(`${model} takes no audio on the invoke route`, {
        param: "messages",
        model,
      });
    case "tool_call":
      return { toolUse: { toolUseId: block.id, name: block.name, input: block.input } };
    case "tool_result":
      return { toolResult: { toolUseId: block.toolCallId, content: encodeToolResultContent(block, model) } };
    case "reasoning":
      // Nova returns its reasoning redacted; there is nothing it accepts back.
      return undefined;
  }
}

function encodeToolChoice(choice: NormalizedChat["toolChoice"]): NativeBlock | undefined {
  if (choice === undefined || choice === "none") return undefined;
  if (choice === "auto") return { auto: {} };
  if (choice === "required") return { any: {} };
  return { tool: { name: choice.function.name } };
}

const novaMessages: MessagesCodec = {
  encode(chat, body, { mapping, model }) {
    if (chat.system.length > 0 && mapping.system) {
      const blocks: readonly SystemBlock[] = chat.systemBlocks ?? chat.system.map((text) => ({ text }));
      writePointer(
        body,
        mapping.system,
        blocks.map((block) => withCachePoint({ text: block.text }, block.cache)),
      );
    }
    const messages: { role: string; content: NativeBlock[] }[] = [];
    for (const turn of chat.turns) {
      const role = turn.role === "assistant" ? "assistant" : "user";
      const content = turn.content
        .map((block) => encodeBlock(block, model.id))
        .filter((block): block is NativeBlock => block !== undefined);
      if (content.length === 0) continue;
      const last = messages[messages.length - 1];
      // Nova wants alternating roles: tool results join the user turn that follows them.
      if (last && last.role === role) last.content.push(...content);
      else messages.push({ role, content });
    }
    writePointer(body, mapping.messages!, messages);

    if (sendsTools(chat, mapping)) {
      writePointer(
        body,
        mapping.tools,
        chat.tools.map((tool) => ({
          toolSpec: {
            name: tool.function.name,
            ...(tool.function.description ? { description: tool.function.description } : {}),
            inputSchema: { json: tool.function.parameters ?? { type: "object", properties: {} } },
          },
        })),
      );
      const choice = encodeToolChoice(chat.toolChoice);
      if (choice && mapping.tool_choice) writePointer(body, mapping.tool_choice, choice);
    }
  },

  decode(content) {
    if (!Array.isArray(content))
      throw new ResponseParseError("the Nova response has no output.message.content list");
    let text = "";
    const toolCalls: DecodedMessage["toolCalls"][number][] = [];
    const reasoning: ThinkingBlock[] = [];
    for (const block of content as NativeBlock[]) {
      if (typeof block.text === "string") text += block.text;
      const toolUse = block.toolUse as { toolUseId?: string; name?: string; input?: unknown } | undefined;
      if (toolUse) {
        toolCalls.push({
          id: String(toolUse.toolUseId ?? ""),
          name: String(toolUse.name ?? ""),
          arguments: JSON.stringify(toolUse.input ?? {}),
        });
      }
      const reasoningContent = block.reasoningContent as { reasoningText?: { text?: string } } | undefined;
      if (reasoningContent?.reasoningText) {
        reasoning.push({ type: "thinking", thinking: String(reasoningContent.reasoningText.text ?? "") });
      }
    }
    return { text, toolCalls, reasoning } satisfies DecodedMessage;
  },
};

/** Nova's InvokeModelWithResponseStream chunks are Converse stream events. */
const novaStream: StreamCodec = { createDecoder: createConverseEventDecoder };

export const nova: CodecUnit<"nova"> = { messages: novaMessages, stream: novaStream };
