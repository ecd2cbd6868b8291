import { RequestValidationError } from "../errors.js";
import type {
  BehaviourOptions,
  ChatMessage,
  ContentPart,
  FunctionTool,
  ResponseFormat,
  ThinkingBlock,
  ToolCall,
  ToolChoice,
} from "../types.js";
import type {
  ContentBlock,
  DocumentBlock,
  ImageBlock,
  NormalizedChat,
  TextBlock,
  ToolCallBlock,
  ToolResultBlock,
  Turn,
} from "./model.js";

const imageFormats: Readonly<Record<string, string>> = {
  "image/png": "png",
  "image/jpeg": "jpeg",
  "image/jpg": "jpeg",
  "image/gif": "gif",
  "image/webp": "webp",
};

const documentFormats: Readonly<Record<string, string>> = {
  "application/pdf": "pdf",
  "text/csv": "csv",
  "application/msword": "doc",
  "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
  "application/vnd.ms-excel": "xls",
  "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
  "text/html": "html",
  "text/plain": "txt",
  "text/markdown": "md",
};

/** The user turn LiteLLM inserts under modify_params. */
export const defaultContinueMessage: ChatMessage = { role: "user", content: "Please continue." };

export interface NormalizeOptions
  extends Pick<BehaviourOptions, "modify_params" | "user_continue_message" | "fetchImage"> {
  readonly model: string;
  /** The model accepts a final assistant turn as the start of its answer. */
  readonly allowPrefill: boolean;
  readonly tools?: readonly FunctionTool[];
  readonly toolChoice?: ToolChoice;
  readonly responseFormat?: ResponseFormat;
}

function fail(message: string, param: string, model: string): never {
  throw new RequestValidationError(message, { param, model });
}

/** Decodes a `data:` URL; returns undefined for other URLs. */
export function parseDataUrl(url: string): { mediaType: string; base64: string } | undefined {
  const match = /^data:([^;,]*)((?:;[^;,]*)*),(.*)$/s.exec(url);
  if (!match) return undefined;
  const mediaType = (match[1] || "text/plain").toLowerCase();
  const isBase64 = /;base64/i.test(match[2] ?? "");
  const data = match[3] ?? "";
  const base64 = isBase64
    ? data.replace(/\s+/g, "")
    : Buffer.from(decodeURIComponent(data), "utf8").toString("base64");
  return { mediaType, base64 };
}

function imageFromBase64(mediaType: string, base64: string, param: string, model: string): ImageBlock {
  const format = imageFormats[mediaType];
  if (!format) {
    fail(`${param}: image type ${mediaType} is not supported (use png, jpeg, gif or webp)`, param, model);
  }
  const bytes = Buffer.from(base64, "base64");
  if (bytes.length === 0) fail(`${param}: the image data is empty`, param, model);
  return {
    kind: "image",
    mediaType: mediaType === "image/jpg" ? "image/jpeg" : mediaType,
    format,
    base64,
    bytes,
  };
}

/** A document name Bedrock accepts: letters, digits, spaces, hyphens, parentheses and brackets. */
function documentName(filename: string | undefined, index: number): string {
  const base = (filename ?? `document-${index + 1}`).replace(/\.[A-Za-z0-9]+$/, "");
  const cleaned = base
    .replace(/[^A-Za-z0-9\s\-()[\]]/g, " ")
    .replace(/\s+/g, " ")
    .trim();
  return cleaned || `document-${index + 1}`;
}

async function convertPart(
  part: ContentPart,
  param: string,
  options: NormalizeOptions,
  documentIndex: { next: number },
): Promise<TextBlock | ImageBlock | DocumentBlock> {
  const { model } = options;
  if (part === null || typeof part !== "object") fail(`${param} must be a content part object`, param, model);
  switch (part.type) {
    case "text":
      if (typeof part.text !== "string") fail(`${param}.text must be a string`, param, model);
      return { kind: "text", text: part.text };
    case "image_url": {
      const url = typeof part.image_url === "string" ? part.image_url : part.image_url?.url;
      if (typeof url !== "string" || url === "")
        fail(`${param}.image_url.url must be a URL string`, param, model);
      const data = parseDataUrl(url);
      if (data) return imageFromBase64(data.mediaType, data.base64, param, model);
      if (/^https?:\/\//i.test(url)) {
        if (!options.fetchImage) {
          fail(
            `${param}: ${model} needs image bytes; an http(s) image URL is not fetched implicitly. Pass a data: URL (data:image/png;base64,…) or give a fetchImage function.`,
            param,
            model,
          );
        }
        const fetched = await options.fetchImage(url);
        return imageFromBase64(
          fetched.mediaType,
          Buffer.from(fetched.bytes).toString("base64"),
          param,
          model,
        );
      }
      return fail(`${param}: unsupported image URL (use a data: URL)`, param, model);
    }
    case "file": {
      const fileData = part.file?.file_data;
      if (typeof fileData !== "string") fail(`${param}.file.file_data must be a data: URL`, param, model);
      const data = parseDataUrl(fileData) ?? { mediaType: "application/pdf", base64: fileData };
      if (imageFormats[data.mediaType]) return imageFromBase64(data.mediaType, data.base64, param, model);
      const format = part.file.format ?? documentFormats[data.mediaType];
      if (!format) {
        fail(
          `${param}: document type ${data.mediaType} is not supported (pdf, csv, doc, docx, xls, xlsx, html, txt, md)`,
          param,
          model,
        );
      }
      const index = documentIndex.next++;
      return {
        kind: "document",
        mediaType: data.mediaType,
        format,
        name: documentName(part.file.filename, index),
        base64: data.base64,
        bytes: Buffer.from(data.base64, "base64"),
      };
    }
    default:
      return fail(
        `${param}: content part type "${(part as { type?: unknown }).type}" is not supported (text, image_url, file)`,
        param,
        model,
      );
  }
}

function textOf(content: unknown, param: string, model: string): string {
  if (typeof content === "string") return content;
  if (Array.isArray(content)) {
    return content
      .map((part, index) => {
        if (part?.type !== "text" || typeof part.text !== "string") {
          fail(`${param}[${index}] must be a text part`, `${param}[${index}]`, model);
        }
        return part.text as string;
      })
      .join("\n");
  }
  if (content === null || content === undefined) return "";
  return fail(`${param} must be a string or a list of text parts`, param, model);
}

function parseArguments(text: unknown, param: string, model: string): Record<string, unknown> {
  if (text === undefined || text === null || text === "") return {};
  if (typeof text !== "string") fail(`${param} must be a JSON string`, param, model);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    fail(`${param} is not valid JSON: ${(error as Error).message}`, param, model);
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    fail(`${param} must be a JSON object`, param, model);
  }
  return parsed as Record<string, unknown>;
}

function validateTools(tools: readonly FunctionTool[] | undefined, model: string): readonly FunctionTool[] {
  if (tools === undefined || tools === null) return [];
  if (!Array.isArray(tools)) fail("tools must be a list of function tools", "tools", model);
  const names = new Set<string>();
  tools.forEach((tool, index) => {
    const param = `tools[${index}]`;
    if (tool?.type !== "function" || typeof tool.function !== "object")
      fail(`${param} must be {type: "function", function: {…}}`, param, model);
    const name = tool.function.name;
    if (typeof name !== "string" || !/^[a-zA-Z0-9_-]{1,64}$/.test(name)) {
      fail(
        `${param}.function.name must be 1–64 letters, digits, underscores or hyphens (got ${JSON.stringify(name)})`,
        param,
        model,
      );
    }
    if (names.has(name)) fail(`${param}: the tool name "${name}" is used twice`, param, model);
    names.add(name);
    const parameters = tool.function.parameters;
    if (
      parameters !== undefined &&
      (parameters === null || typeof parameters !== "object" || Array.isArray(parameters))
    ) {
      fail(`${param}.function.parameters must be a JSON Schema object`, param, model);
    }
  });
  return tools;
}

function validateToolChoice(
  choice: ToolChoice | undefined,
  tools: readonly FunctionTool[],
  model: string,
): ToolChoice | undefined {
  if (choice === undefined || choice === null) return undefined;
  if (choice === "auto" || choice === "none" || choice === "required") {
    if (choice === "required" && tools.length === 0)
      fail('tool_choice "required" needs at least one tool', "tool_choice", model);
    return choice;
  }
  if (typeof choice === "object" && choice.type === "function" && typeof choice.function?.name === "string") {
    if (!tools.some((tool) => tool.function.name === choice.function.name)) {
      fail(`tool_choice names "${choice.function.name}", which is not in tools`, "tool_choice", model);
    }
    return choice;
  }
  return fail(
    'tool_choice must be "auto", "none", "required" or {type: "function", function: {name}}',
    "tool_choice",
    model,
  );
}

/**
 * Validates an OpenAI-shaped conversation and normalizes it: system messages collected, data URLs
 * decoded, tool arguments parsed, consecutive user turns merged, tool results grouped. Conversations
 * a Bedrock model would reject (not starting with a user turn, two assistant turns in a row, an
 * unsupported pre-fill) fail here with a clear error, or are repaired under modify_params /
 * user_continue_message the way LiteLLM repairs them.
 */
export async function normalizeChat(
  messages: readonly ChatMessage[],
  options: NormalizeOptions,
): Promise<NormalizedChat> {
  const { model } = options;
  if (!Array.isArray(messages) || messages.length === 0)
    fail("messages must be a non-empty list", "messages", model);
  const repair = options.modify_params === true || options.user_continue_message !== undefined;
  const continueMessage = options.user_continue_message ?? defaultContinueMessage;
  const system: string[] = [];
  const turns: { role: Turn["role"]; content: ContentBlock[] }[] = [];
  const documentIndex = { next: 0 };
  const pendingToolCalls = new Set<string>();

  const push = (role: Turn["role"], content: ContentBlock[]) => {
    const last = turns[turns.length - 1];
    if (last && last.role === role && role !== "assistant") {
      last.content.push(...content);
      return;
    }
    turns.push({ role, content });
  };

  const given = options.user_continue_message as unknown;
  if (
    given !== undefined &&
    (given === null ||
      typeof given !== "object" ||
      (typeof (given as ChatMessage).content !== "string" && !Array.isArray((given as ChatMessage).content)))
  ) {
    fail(
      'user_continue_message must be a user message ({role: "user", content})',
      "user_continue_message",
      model,
    );
  }

  const continueBlocks = async (): Promise<ContentBlock[]> => {
    const content = continueMessage.content as string | readonly ContentPart[];
    if (typeof content === "string") return [{ kind: "text", text: content }];
    return Promise.all(
      content.map((part, index) =>
        convertPart(part, `user_continue_message.content[${index}]`, options, documentIndex),
      ),
    );
  };

  // Bedrock wants a toolResult for every toolUse of the previous assistant turn, before the conversation goes on.
  const requireToolResults = (param: string, next: string) => {
    if (pendingToolCalls.size === 0) return;
    fail(
      `${param}: the assistant's tool calls (${[...pendingToolCalls].join(", ")}) need tool messages before the next ${next} message`,
      param,
      model,
    );
  };

  for (const [index, message] of messages.entries()) {
    const param = `messages[${index}]`;
    if (message === null || typeof message !== "object")
      fail(`${param} must be a message object`, param, model);
    switch (message.role) {
      case "system":
      case "developer": {
        const text = textOf(message.content, `${param}.content`, model);
        if (text.trim() !== "") system.push(text);
        break;
      }
      case "user": {
        const content = message.content;
        let blocks: ContentBlock[];
        if (typeof content === "string") blocks = [{ kind: "text", text: content }];
        else if (Array.isArray(content)) {
          blocks = await Promise.all(
            content.map((part, partIndex) =>
              convertPart(part, `${param}.content[${partIndex}]`, options, documentIndex),
            ),
          );
        } else
          return fail(
            `${param}.content must be a string or a list of content parts`,
            `${param}.content`,
            model,
          );
        blocks = blocks.filter((block) => block.kind !== "text" || block.text.trim() !== "");
        if (blocks.length === 0) {
          if (!repair)
            fail(
              `${param} has empty content; Bedrock rejects blank messages (set modify_params to repair)`,
              `${param}.content`,
              model,
            );
          blocks = [{ kind: "text", text: "." }];
        }
        requireToolResults(param, "user");
        push("user", blocks);
        break;
      }
      case "assistant": {
        requireToolResults(param, "assistant");
        const blocks: ContentBlock[] = [];
        const thinkingBlocks = message.thinking_blocks ?? [];
        if (!Array.isArray(thinkingBlocks))
          fail(`${param}.thinking_blocks must be a list`, `${param}.thinking_blocks`, model);
        thinkingBlocks.forEach((thinking: ThinkingBlock, blockIndex: number) => {
          const blockParam = `${param}.thinking_blocks[${blockIndex}]`;
          const field = thinking?.type === "redacted_thinking" ? thinking.data : thinking?.thinking;
          if (
            (thinking?.type !== "thinking" && thinking?.type !== "redacted_thinking") ||
            (field !== undefined && typeof field !== "string") ||
            (thinking.signature !== undefined && typeof thinking.signature !== "string")
          ) {
            fail(
              `${blockParam} must be {type: "thinking", thinking, signature} or {type: "redacted_thinking", data}`,
              blockParam,
              model,
            );
          }
          if (thinking.type === "redacted_thinking")
            blocks.push({ kind: "reasoning", redacted: thinking.data ?? "" });
          else
            blocks.push({ kind: "reasoning", text: thinking.thinking ?? "", signature: thinking.signature });
        });
        const text = textOf(message.content, `${param}.content`, model);
        if (text !== "") blocks.push({ kind: "text", text });
        const calls: readonly ToolCall[] = message.tool_calls ?? [];
        if (!Array.isArray(calls)) fail(`${param}.tool_calls must be a list`, `${param}.tool_calls`, model);
        calls.forEach((call, callIndex) => {
          const callParam = `${param}.tool_calls[${callIndex}]`;
          if (
            call?.type !== "function" ||
            typeof call.function?.name !== "string" ||
            typeof call.id !== "string"
          ) {
            fail(
              `${callParam} must be {id, type: "function", function: {name, arguments}}`,
              callParam,
              model,
            );
          }
          const block: ToolCallBlock = {
            kind: "tool_call",
            id: call.id,
            name: call.function.name,
            arguments: call.function.arguments ?? "",
            input: parseArguments(call.function.arguments, `${callParam}.function.arguments`, model),
          };
          pendingToolCalls.add(call.id);
          blocks.push(block);
        });
        if (blocks.length === 0 || blocks.every((block) => block.kind === "reasoning")) {
          if (index === messages.length - 1) fail(`${param} is an empty assistant message`, param, model);
          if (!repair)
            fail(
              `${param} has empty content; Bedrock rejects blank messages (set modify_params to repair)`,
              `${param}.content`,
              model,
            );
          blocks.push({ kind: "text", text: "." });
        }
        const last = turns[turns.length - 1];
        if (!last) {
          if (!repair) {
            fail(
              `${param}: the conversation must start with a user message; set modify_params or user_continue_message to insert one`,
              param,
              model,
            );
          }
          push("user", await continueBlocks());
        } else if (last.role === "assistant") {
          if (!repair) {
            fail(
              `${param}: two assistant messages in a row; Bedrock needs user and assistant turns to alternate (set modify_params or user_continue_message to insert a user turn)`,
              param,
              model,
            );
          }
          push("user", await continueBlocks());
        }
        push("assistant", blocks);
        break;
      }
      case "tool": {
        const callId = message.tool_call_id;
        if (typeof callId !== "string" || callId === "")
          fail(`${param}.tool_call_id is required`, `${param}.tool_call_id`, model);
        if (!pendingToolCalls.has(callId)) {
          fail(
            `${param}: tool_call_id "${callId}" does not answer a tool call of an earlier assistant message`,
            `${param}.tool_call_id`,
            model,
          );
        }
        pendingToolCalls.delete(callId);
        const content = message.content;
        let parts: (TextBlock | ImageBlock | DocumentBlock)[];
        if (typeof content === "string") parts = [{ kind: "text", text: content }];
        else if (Array.isArray(content)) {
          parts = await Promise.all(
            content.map((part, partIndex) =>
              convertPart(part, `${param}.content[${partIndex}]`, options, documentIndex),
            ),
          );
        } else
          return fail(
            `${param}.content must be a string or a list of content parts`,
            `${param}.content`,
            model,
          );
        const result: ToolResultBlock = { kind: "tool_result", toolCallId: callId, content: parts };
        push("tool", [result]);
        break;
      }
      default:
        fail(
          `${param}.role must be system, developer, user, assistant or tool (got ${JSON.stringify((message as { role?: unknown }).role)})`,
          `${param}.role`,
          model,
        );
    }
  }

  if (turns.length === 0) fail("messages has no user message (only system messages)", "messages", model);
  if (pendingToolCalls.size > 0) {
    fail(
      turns[turns.length - 1]?.role === "assistant"
        ? `the last assistant message calls tools (${[...pendingToolCalls].join(", ")}) but no tool messages answer them`
        : `the tool calls ${[...pendingToolCalls].join(", ")} have no tool message answering them`,
      "messages",
      model,
    );
  }
  let prefill = turns[turns.length - 1]?.role === "assistant";
  if (prefill && !options.allowPrefill) {
    if (!repair) {
      fail(
        `${model} does not accept a final assistant message (pre-fill); end with a user message, or set modify_params / user_continue_message to append one`,
        "messages",
        model,
      );
    }
    push("user", await continueBlocks());
    prefill = false;
  }
  const tools = validateTools(options.tools, model);
  return {
    system,
    turns,
    tools,
    toolChoice: validateToolChoice(options.toolChoice, tools, model),
    responseFormat: options.responseFormat,
    prefill,
  };
}

/** The text of a turn's text blocks (template codecs render turns as text). */
export function turnText(turn: Turn): string {
  return turn.content
    .filter((block): block is TextBlock => block.kind === "text")
    .map((block) => block.text)
    .join("\n");
}
