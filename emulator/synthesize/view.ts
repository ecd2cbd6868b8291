/**
 * What a synthesizer needs to know about a chat request, read from a Converse body here and from a
 * family's native body by its codec's emulator half (runtime/codecs/<name>/emulator.ts).
 */
import { readPointer } from "../../runtime/pointer.js";

export interface ToolView {
  readonly name: string;
  readonly schema: unknown;
}

export interface ChatView {
  /** Text of the last user turn (what the answer quotes). */
  readonly lastUserText: string;
  /** All input text, for input token counts. */
  readonly inputText: string;
  readonly tools: readonly ToolView[];
  /** `none` forbids tools; `tool` forces `toolName`; `any` forces some tool. */
  readonly toolChoice: { readonly kind: "auto" | "any" | "none" | "tool"; readonly toolName?: string };
  /** True when the conversation ends with tool results (the answer is then text). */
  readonly afterToolResult: boolean;
  readonly maxTokens?: number;
}

type Json = Record<string, unknown>;

export function isObject(value: unknown): value is Json {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** Text of a content value: a string, `{text}`, or blocks with `text` (Anthropic, Converse and OpenAI blocks). */
export function textOfContent(content: unknown): string {
  if (typeof content === "string") return content;
  if (isObject(content) && typeof content.text === "string") return content.text;
  if (!Array.isArray(content)) return "";
  const texts: string[] = [];
  for (const block of content) {
    if (typeof block === "string") texts.push(block);
    else if (isObject(block)) {
      if (typeof block.text === "string") texts.push(block.text);
      else if (isObject(block.text) && typeof block.text.text === "string") texts.push(block.text.text);
      else if (isObject(block.guardContent)) texts.push(textOfContent([block.guardContent]));
    }
  }
  return texts.join("\n");
}

export function numberAt(body: unknown, pointer: string | undefined): number | undefined {
  if (!pointer) return undefined;
  const value = readPointer(body, pointer);
  return typeof value === "number" ? value : undefined;
}

/** Reads Converse-style tools (`[{toolSpec: {name, inputSchema: {json}}}]`) and tool choice. */
export function readConverseTools(
  tools: unknown,
  toolChoice: unknown,
): Pick<ChatView, "tools" | "toolChoice"> {
  const list: ToolView[] = [];
  if (Array.isArray(tools)) {
    for (const tool of tools) {
      const spec = isObject(tool) && isObject(tool.toolSpec) ? tool.toolSpec : undefined;
      if (spec && typeof spec.name === "string") {
        list.push({
          name: spec.name,
          schema: isObject(spec.inputSchema) ? spec.inputSchema.json : undefined,
        });
      }
    }
  }
  let choice: ChatView["toolChoice"] = { kind: "auto" };
  if (isObject(toolChoice)) {
    if (isObject(toolChoice.tool) && typeof toolChoice.tool.name === "string") {
      choice = { kind: "tool", toolName: toolChoice.tool.name };
    } else if ("any" in toolChoice) choice = { kind: "any" };
  }
  return { tools: list, toolChoice: choice };
}

export interface MessageListReading {
  /** True when the last message answers tool calls (the answer is then text). */
  readonly answersTools: (last: Json) => boolean;
  /** Adds more input text of a message than its text content (tool results of some shapes). */
  readonly addExtraTexts?: (message: Json, texts: string[]) => void;
}

/** Reads a `[{role, content}]` message list: the last user text, all input text, and whether it ends with tool results. */
export function readMessageList(
  messages: unknown,
  system: unknown,
  reading: MessageListReading,
): Pick<ChatView, "lastUserText" | "afterToolResult" | "inputText"> {
  let lastUserText = "";
  let afterToolResult = false;
  const texts: string[] = [textOfContent(system)];
  if (Array.isArray(messages)) {
    for (const message of messages) {
      if (!isObject(message)) continue;
      const text = textOfContent(message.content);
      texts.push(text);
      reading.addExtraTexts?.(message, texts);
      if (message.role === "user" && text) lastUserText = text;
    }
    const last = messages[messages.length - 1];
    afterToolResult = isObject(last) && reading.answersTools(last);
  }
  return { lastUserText, afterToolResult, inputText: texts.filter(Boolean).join("\n") };
}

/** True when a message's content list has a block that `matches`. */
export function hasBlock(message: Json, matches: (block: Json) => boolean): boolean {
  return Array.isArray(message.content) && message.content.some((block) => isObject(block) && matches(block));
}

/** The JSON of each Converse toolResult block's content (it counts as input text). */
function addToolResultTexts(message: Json, texts: string[]): void {
  if (!Array.isArray(message.content)) return;
  for (const block of message.content) {
    if (isObject(block) && isObject(block.toolResult))
      texts.push(JSON.stringify(block.toolResult.content ?? ""));
  }
}

function isToolResultBlock(block: Json): boolean {
  return isObject(block.toolResult) || block.type === "tool_result";
}

const converseReading: MessageListReading = {
  answersTools: (last) => hasBlock(last, isToolResultBlock),
  addExtraTexts: addToolResultTexts,
};

/** Reads a Converse-shaped message list (Converse API and Nova's invoke body). */
export function readConverseMessages(
  messages: unknown,
  system: unknown,
): Pick<ChatView, "lastUserText" | "afterToolResult" | "inputText"> {
  return readMessageList(messages, system, converseReading);
}

/** A Converse / ConverseStream / CountTokens(converse) body. */
export function readConverseView(body: Json): ChatView {
  const { lastUserText, afterToolResult, inputText } = readConverseMessages(body.messages, body.system);
  const toolConfig = isObject(body.toolConfig) ? body.toolConfig : {};
  const maxTokens = numberAt(body, "/inferenceConfig/maxTokens");
  return {
    lastUserText,
    inputText,
    afterToolResult,
    ...readConverseTools(toolConfig.tools, toolConfig.toolChoice),
    ...(maxTokens !== undefined ? { maxTokens } : {}),
  };
}
