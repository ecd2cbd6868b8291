/**
 * What a synthesizer needs to know about a chat request, read from any family's native body (at the
 * pointers its spec names) or from a Converse body.
 */
import type { PromptTemplate } from "../../generated/spec-types.js";
import type { FamilyDescriptor } from "../../runtime/descriptor.js";
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

function isObject(value: unknown): value is Json {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** Text of a content value: a string, or blocks with `text` (Anthropic, Converse and OpenAI blocks). */
export function textOfContent(content: unknown): string {
  if (typeof content === "string") return content;
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

function numberAt(body: unknown, pointer: string | undefined): number | undefined {
  if (!pointer) return undefined;
  const value = readPointer(body, pointer);
  return typeof value === "number" ? value : undefined;
}

/** Reads Converse-style tools (`[{toolSpec: {name, inputSchema: {json}}}]`) and tool choice. */
function readConverseTools(tools: unknown, toolChoice: unknown): Pick<ChatView, "tools" | "toolChoice"> {
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

/** Reads a Converse-shaped message list (Converse API and Nova's invoke body). */
function readConverseMessages(messages: unknown, system: unknown) {
  let lastUserText = "";
  let afterToolResult = false;
  const texts: string[] = [textOfContent(system)];
  if (Array.isArray(messages)) {
    for (const message of messages) {
      if (!isObject(message)) continue;
      const text = textOfContent(message.content);
      texts.push(text);
      if (Array.isArray(message.content)) {
        for (const block of message.content) {
          if (isObject(block) && isObject(block.toolResult))
            texts.push(JSON.stringify(block.toolResult.content ?? ""));
        }
      }
      if (message.role === "user" && text) lastUserText = text;
    }
    const last = messages[messages.length - 1];
    afterToolResult =
      isObject(last) &&
      Array.isArray(last.content) &&
      last.content.some(
        (block) => isObject(block) && (isObject(block.toolResult) || block.type === "tool_result"),
      );
  }
  return { lastUserText, afterToolResult, inputText: texts.filter(Boolean).join("\n") };
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

function readAnthropic(body: Json, descriptor: FamilyDescriptor) {
  const mapping = descriptor.chat!.request;
  const messages = readPointer(body, mapping.messages ?? "/messages");
  let lastUserText = "";
  let afterToolResult = false;
  const texts = [textOfContent(readPointer(body, mapping.system ?? "/system"))];
  if (Array.isArray(messages)) {
    for (const message of messages) {
      if (!isObject(message)) continue;
      const text = textOfContent(message.content);
      texts.push(text);
      if (message.role === "user" && text) lastUserText = text;
    }
    const last = messages[messages.length - 1];
    afterToolResult =
      isObject(last) &&
      Array.isArray(last.content) &&
      last.content.some((block) => isObject(block) && block.type === "tool_result");
  }
  const tools: ToolView[] = [];
  const rawTools = readPointer(body, mapping.tools ?? "/tools");
  if (Array.isArray(rawTools)) {
    for (const tool of rawTools) {
      if (isObject(tool) && typeof tool.name === "string")
        tools.push({ name: tool.name, schema: tool.input_schema });
    }
  }
  const rawChoice = readPointer(body, mapping.tool_choice ?? "/tool_choice");
  let toolChoice: ChatView["toolChoice"] = { kind: "auto" };
  if (isObject(rawChoice)) {
    if (rawChoice.type === "tool" && typeof rawChoice.name === "string") {
      toolChoice = { kind: "tool", toolName: rawChoice.name };
    } else if (rawChoice.type === "any") toolChoice = { kind: "any" };
    else if (rawChoice.type === "none") toolChoice = { kind: "none" };
  }
  return { lastUserText, afterToolResult, inputText: texts.filter(Boolean).join("\n"), tools, toolChoice };
}

function readOpenAIStyle(body: Json, descriptor: FamilyDescriptor) {
  const mapping = descriptor.chat!.request;
  const messages = readPointer(body, mapping.messages ?? "/messages");
  let lastUserText = "";
  let afterToolResult = false;
  const texts: string[] = [];
  if (Array.isArray(messages)) {
    for (const message of messages) {
      if (!isObject(message)) continue;
      const text = textOfContent(message.content);
      texts.push(text);
      if (message.role === "user" && text) lastUserText = text;
    }
    const last = messages[messages.length - 1];
    afterToolResult = isObject(last) && last.role === "tool";
  }
  const tools: ToolView[] = [];
  const rawTools = readPointer(body, mapping.tools ?? "/tools");
  if (Array.isArray(rawTools)) {
    for (const tool of rawTools) {
      const fn = isObject(tool) && isObject(tool.function) ? tool.function : undefined;
      if (fn && typeof fn.name === "string") tools.push({ name: fn.name, schema: fn.parameters });
    }
  }
  const rawChoice = readPointer(body, mapping.tool_choice ?? "/tool_choice");
  let toolChoice: ChatView["toolChoice"] = { kind: "auto" };
  if (rawChoice === "none") toolChoice = { kind: "none" };
  else if (rawChoice === "required" || rawChoice === "any") toolChoice = { kind: "any" };
  else if (
    isObject(rawChoice) &&
    isObject(rawChoice.function) &&
    typeof rawChoice.function.name === "string"
  ) {
    toolChoice = { kind: "tool", toolName: rawChoice.function.name };
  }
  return { lastUserText, afterToolResult, inputText: texts.filter(Boolean).join("\n"), tools, toolChoice };
}

const COHERE_TYPES: Record<string, string> = {
  str: "string",
  int: "integer",
  float: "number",
  bool: "boolean",
};

function readCohereChat(body: Json) {
  const lastUserText = typeof body.message === "string" ? body.message : "";
  const texts = [lastUserText];
  if (typeof body.preamble === "string") texts.push(body.preamble);
  if (Array.isArray(body.chat_history)) {
    for (const turn of body.chat_history)
      if (isObject(turn) && typeof turn.message === "string") texts.push(turn.message);
  }
  const tools: ToolView[] = [];
  if (Array.isArray(body.tools)) {
    for (const tool of body.tools) {
      if (!isObject(tool) || typeof tool.name !== "string") continue;
      const definitions = isObject(tool.parameter_definitions) ? tool.parameter_definitions : {};
      const properties: Record<string, unknown> = {};
      const required: string[] = [];
      for (const [name, definition] of Object.entries(definitions)) {
        const type = isObject(definition) && typeof definition.type === "string" ? definition.type : "str";
        properties[name] = { type: COHERE_TYPES[type] ?? "string" };
        if (isObject(definition) && definition.required === true) required.push(name);
      }
      tools.push({ name: tool.name, schema: { type: "object", properties, required } });
    }
  }
  const afterToolResult = Array.isArray(body.tool_results) && body.tool_results.length > 0;
  return {
    lastUserText,
    afterToolResult,
    inputText: texts.join("\n"),
    tools,
    toolChoice: { kind: "auto" as const },
  };
}

/** The text before `{content}` in a turn template (its prefix), if any. */
function prefixOf(template: string | undefined): string {
  return template?.includes("{content}") ? template.slice(0, template.indexOf("{content}")) : "";
}

/**
 * The text of the last user turn inside a rendered prompt, using the spec's turn template: after the last
 * user prefix, up to the user suffix or (for templates without one) the next turn's prefix or the
 * generation prompt, whichever comes first.
 */
function lastUserTurnOfPrompt(prompt: string, template: PromptTemplate | undefined): string {
  const user = template?.user;
  if (!template || !user?.includes("{content}")) return prompt.trim();
  const prefix = prefixOf(user);
  const suffix = user.slice(user.indexOf("{content}") + "{content}".length);
  if (!prefix) return prompt.trim();
  const start = prompt.lastIndexOf(prefix);
  if (start < 0) return prompt.trim();
  const from = start + prefix.length;
  const terminators = [
    suffix,
    prefixOf(template.assistant),
    prefixOf(template.tool),
    template.generation,
    template.end,
  ]
    .filter((terminator): terminator is string => Boolean(terminator?.trim()))
    .map((terminator) => prompt.indexOf(terminator, from))
    .filter((index) => index >= 0);
  const end = terminators.length > 0 ? Math.min(...terminators) : prompt.length;
  return prompt.slice(from, end).trim();
}

/** Reads a native InvokeModel chat body with the family's codec. */
export function readNativeChatView(body: Json, descriptor: FamilyDescriptor): ChatView {
  const mapping = descriptor.chat!.request;
  let view: Omit<ChatView, "maxTokens">;
  switch (mapping.codec) {
    case "anthropic":
      view = readAnthropic(body, descriptor);
      break;
    case "nova": {
      const read = readConverseMessages(
        readPointer(body, mapping.messages ?? "/messages"),
        readPointer(body, mapping.system ?? "/system"),
      );
      view = {
        ...read,
        ...readConverseTools(
          readPointer(body, mapping.tools ?? "/toolConfig/tools"),
          readPointer(body, mapping.tool_choice ?? "/toolConfig/toolChoice"),
        ),
      };
      break;
    }
    case "openai":
    case "mistral-chat":
      view = readOpenAIStyle(body, descriptor);
      break;
    case "cohere-chat":
      view = readCohereChat(body);
      break;
    default: {
      const prompt = readPointer(body, mapping.prompt ?? "/prompt");
      const text = typeof prompt === "string" ? prompt : "";
      view = {
        lastUserText: lastUserTurnOfPrompt(text, mapping.template),
        inputText: text,
        tools: [],
        toolChoice: { kind: "auto" },
        afterToolResult: false,
      };
    }
  }
  const maxTokens = numberAt(body, mapping.params.max_tokens?.to ?? mapping.params.max_completion_tokens?.to);
  return maxTokens !== undefined ? { ...view, maxTokens } : view;
}
