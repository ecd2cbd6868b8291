/**
 * Anthropic Claude Messages API bodies on Bedrock.
 * https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-anthropic-claude-messages-request-response.html
 */
import type {
  CacheMark,
  ContentBlock,
  DecodedMessage,
  DocumentBlock,
  ImageBlock,
  NormalizedChat,
  StreamEvent,
} from "../../chat/model.js";
import { RequestValidationError, ResponseParseError } from "../../errors.js";
import { deletePointer, readPointer, writePointer } from "../../pointer.js";
import type { ThinkingBlock, ToolChoice } from "../../types.js";
import { addInvocationMetrics } from "../shared/invocation-metrics.js";
import { requireInlineMedia } from "../shared/media.js";
import { sendsTools } from "../shared/tools.js";
import type { CodecContext, CodecUnit, MessagesCodec, StreamCodec } from "../types.js";

type NativeBlock = Record<string, unknown>;

function encodeMedia(block: ImageBlock | DocumentBlock, model: string): NativeBlock {
  requireInlineMedia(block, model);
  if (block.kind === "image") {
    return { type: "image", source: { type: "base64", media_type: block.mediaType, data: block.base64 } };
  }
  if (block.format === "pdf") {
    return {
      type: "document",
      source: { type: "base64", media_type: "application/pdf", data: block.base64 },
    };
  }
  if (block.format === "txt" || block.format === "md" || block.format === "csv" || block.format === "html") {
    return {
      type: "document",
      source: { type: "text", media_type: "text/plain", data: Buffer.from(block.bytes).toString("utf8") },
    };
  }
  throw new RequestValidationError(
    `${model} reads PDF and text documents on the invoke route; ${block.format} needs the converse route`,
    {
      param: "messages",
      model,
    },
  );
}

/** Anthropic's cache_control, kept on the cached block (Bedrock needs no prompt-caching beta flag for it). */
function withCacheControl(block: NativeBlock, cache: CacheMark | undefined): NativeBlock {
  if (!cache) return block;
  block.cache_control = cache.ttl ? { type: "ephemeral", ttl: cache.ttl } : { type: "ephemeral" };
  return block;
}

/** The system prompt: one string, or a list of text blocks when one of them carries cache_control. */
function encodeSystem(chat: NormalizedChat): string | NativeBlock[] {
  const blocks = chat.systemBlocks;
  if (!blocks?.some((block) => block.cache)) return chat.system.join("\n\n");
  return blocks.map((block) => withCacheControl({ type: "text", text: block.text }, block.cache));
}

function encodeBlock(block: ContentBlock, model: string): NativeBlock {
  return "cache" in block
    ? withCacheControl(encodeContent(block, model), block.cache)
    : encodeContent(block, model);
}

function encodeContent(block: ContentBlock, model: string): NativeBlock {
  switch (block.kind) {
    case "text":
      return { type: "text", text: block.text };
    case "image":
    case "document":
      return encodeMedia(block, model);
    case "audio":
      throw new RequestValidationError(`${model} takes no audio on the invoke route`, {
        param: "messages",
        model,
      });
    case "tool_call":
      return { type: "tool_use", id: block.id, name: block.name, input: block.input };
    case "tool_result": {
      const content = block.content.map((part) =>
        part.kind === "text" ? { type: "text", text: part.text } : encodeMedia(part, model),
      );
      const only = content[0];
      const simple = content.length === 1 && only?.type === "text";
      return { type: "tool_result", tool_use_id: block.toolCallId, content: simple ? only.text : content };
    }
    case "reasoning":
      return block.redacted !== undefined
        ? { type: "redacted_thinking", data: block.redacted }
        : { type: "thinking", thinking: block.text ?? "", signature: block.signature ?? "" };
  }
}

function nativeToolChoice(choice: ToolChoice): NativeBlock {
  if (choice === "auto") return { type: "auto" };
  if (choice === "required") return { type: "any" };
  if (choice === "none") return { type: "none" };
  return { type: "tool", name: choice.function.name };
}

/**
 * Writes Claude's tool_choice, keeping what the param table already put there
 * (`disable_parallel_tool_use` from parallel_tool_calls false); without a choice that object gets
 * Claude's default type, auto, which the Messages API requires.
 */
function writeToolChoice(
  body: Record<string, unknown>,
  pointer: string,
  choice: ToolChoice | undefined,
): void {
  const existing = readPointer(body, pointer);
  const qualifiers =
    existing !== null && typeof existing === "object" ? (existing as NativeBlock) : undefined;
  if (choice === undefined && !qualifiers) return;
  writePointer(body, pointer, {
    ...(choice === undefined ? { type: "auto" } : nativeToolChoice(choice)),
    ...qualifiers,
  });
}

/**
 * A Claude model without structured output gets output_config.format's schema as a text part of the last
 * user message instead (the field would be refused), as LiteLLM does (its Bedrock invoke test
 * test_bedrock_chat_invoke_drop_params_still_inlines_for_non_native); the rest of output_config stays.
 */
function inlineOutputFormat(
  body: Record<string, unknown>,
  messages: { role: string; content: NativeBlock[] }[],
  model: CodecContext["model"],
): void {
  const config = body.output_config as { format?: { schema?: unknown } } | undefined;
  if (!config?.format || model.capabilities.includes("structured-output")) return;
  const { format, ...rest } = config;
  if (Object.keys(rest).length > 0) body.output_config = rest;
  else delete body.output_config;
  const lastUser = messages.findLast((message) => message.role === "user");
  if (format.schema !== undefined && lastUser)
    lastUser.content.push({ type: "text", text: JSON.stringify(format.schema) });
}

const anthropicMessages: MessagesCodec = {
  encode(chat, body, { mapping, model }) {
    if (chat.system.length > 0 && mapping.system) writePointer(body, mapping.system, encodeSystem(chat));
    const messages: { role: string; content: NativeBlock[] }[] = [];
    for (const turn of chat.turns) {
      const role = turn.role === "assistant" ? "assistant" : "user";
      const content = turn.content.map((block) => encodeBlock(block, model.id));
      const last = messages[messages.length - 1];
      // Tool results travel in a user message, before any text of the same turn.
      if (last && last.role === role) last.content.push(...content);
      else messages.push({ role, content });
    }
    if (chat.prefill) {
      // Claude rejects a pre-fill that ends with whitespace.
      const lastMessage = messages[messages.length - 1]!;
      const lastBlock = lastMessage.content[lastMessage.content.length - 1];
      if (lastBlock?.type === "text") lastBlock.text = String(lastBlock.text).trimEnd();
    }
    writePointer(body, mapping.messages!, messages);
    inlineOutputFormat(body, messages, model);

    // Claude's own tools (computer use, bash, text editor) travel in their native form beside the functions.
    const serverTools = mapping.tools && chat.toolChoice !== "none" ? (chat.serverTools ?? []) : [];
    if (sendsTools(chat, mapping) || (mapping.tools && serverTools.length > 0)) {
      const functionTools = sendsTools(chat, mapping) ? chat.tools : [];
      writePointer(body, mapping.tools!, [
        ...functionTools.map((tool, index) =>
          withCacheControl(
            {
              name: tool.function.name,
              ...(tool.function.description ? { description: tool.function.description } : {}),
              input_schema: tool.function.parameters ?? { type: "object", properties: {} },
            },
            chat.toolCache?.get(index),
          ),
        ),
        ...serverTools,
      ]);
      if (mapping.tool_choice) writeToolChoice(body, mapping.tool_choice, chat.toolChoice);
    } else if (mapping.tool_choice && readPointer(body, mapping.tool_choice) !== undefined) {
      // parallel_tool_calls without tools: there is no tool choice to qualify.
      deletePointer(body, mapping.tool_choice);
    }
  },

  decode(content) {
    if (!Array.isArray(content)) throw new ResponseParseError("the Claude response has no content list");
    let text = "";
    const toolCalls: { id: string; name: string; arguments: string }[] = [];
    const reasoning: ThinkingBlock[] = [];
    for (const block of content as NativeBlock[]) {
      switch (block.type) {
        case "text":
          text += String(block.text ?? "");
          break;
        case "tool_use":
          toolCalls.push({
            id: String(block.id),
            name: String(block.name),
            arguments: JSON.stringify(block.input ?? {}),
          });
          break;
        case "thinking":
          reasoning.push({
            type: "thinking",
            thinking: String(block.thinking ?? ""),
            signature: block.signature as string | undefined,
          });
          break;
        case "redacted_thinking":
          reasoning.push({ type: "redacted_thinking", data: String(block.data ?? "") });
          break;
      }
    }
    return { text, toolCalls, reasoning } satisfies DecodedMessage;
  },
};

/** Claude's stream events: message_start, content_block_start/delta/stop, message_delta, message_stop. */
const anthropicStream: StreamCodec = {
  createDecoder() {
    return (chunk) => {
      const events: StreamEvent[] = [];
      switch (chunk.type) {
        case "message_start": {
          const message = (chunk.message ?? {}) as { id?: string; usage?: Record<string, number> };
          events.push({ kind: "start", id: message.id });
          if (message.usage) {
            events.push({
              kind: "usage",
              promptTokens: message.usage.input_tokens,
              cacheReadTokens: message.usage.cache_read_input_tokens,
              cacheWriteTokens: message.usage.cache_creation_input_tokens,
            });
          }
          break;
        }
        case "content_block_start": {
          const block = (chunk.content_block ?? {}) as NativeBlock;
          const index = Number(chunk.index ?? 0);
          if (block.type === "tool_use")
            events.push({ kind: "tool_start", block: index, id: String(block.id), name: String(block.name) });
          else if (block.type === "text" && typeof block.text === "string" && block.text !== "")
            events.push({ kind: "text", text: block.text });
          else if (block.type === "redacted_thinking")
            events.push({ kind: "reasoning", redacted: String(block.data ?? "") });
          break;
        }
        case "content_block_delta": {
          const delta = (chunk.delta ?? {}) as NativeBlock;
          const index = Number(chunk.index ?? 0);
          if (delta.type === "text_delta") events.push({ kind: "text", text: String(delta.text ?? "") });
          else if (delta.type === "input_json_delta")
            events.push({ kind: "tool_delta", block: index, arguments: String(delta.partial_json ?? "") });
          else if (delta.type === "thinking_delta")
            events.push({ kind: "reasoning", text: String(delta.thinking ?? "") });
          else if (delta.type === "signature_delta")
            events.push({ kind: "reasoning", signature: String(delta.signature ?? "") });
          break;
        }
        case "message_delta": {
          const delta = (chunk.delta ?? {}) as { stop_reason?: string | null };
          const usage = chunk.usage as { output_tokens?: number } | undefined;
          if (usage?.output_tokens !== undefined)
            events.push({ kind: "usage", completionTokens: usage.output_tokens });
          if (delta.stop_reason !== undefined && delta.stop_reason !== null)
            events.push({ kind: "finish", reason: delta.stop_reason });
          break;
        }
        case "error": {
          const error = chunk.error as { type?: string; message?: string } | undefined;
          throw new ResponseParseError(
            `Claude stream error ${error?.type ?? ""}: ${error?.message ?? JSON.stringify(chunk)}`,
          );
        }
      }
      addInvocationMetrics(chunk, events);
      return events;
    };
  },
};

export const anthropic: CodecUnit<"anthropic"> = { messages: anthropicMessages, stream: anthropicStream };
