/**
 * Messages requests for models other than Claude's native route: run as a chat completion (Converse
 * or the family's InvokeModel body) and answered in Anthropic's shapes. Block and field meanings:
 * https://docs.anthropic.com/en/api/messages; stop reasons: https://docs.anthropic.com/en/api/handling-stop-reasons.
 */
import { RequestValidationError, ResponseParseError } from "../errors.js";
import { runtimeFields } from "../params.js";
import type {
  AssistantMessage,
  ChatCompletion,
  ChatMessage,
  ContentPart,
  FinishReason,
  FunctionTool,
  ThinkingBlock,
  ToolCall,
  ToolChoice,
  Usage,
} from "../types.js";
import { extraFields } from "./request.js";
import type {
  AnthropicContentBlock,
  AnthropicMessage,
  AnthropicStopReason,
  AnthropicUsage,
} from "./types.js";

type Loose = Readonly<Record<string, unknown>>;

function fail(message: string, param: string): never {
  throw new RequestValidationError(message, { param });
}

function isObject(value: unknown): value is Loose {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The text of `system` (a string or text blocks). */
export function systemText(system: unknown): string {
  if (system === undefined || system === null) return "";
  if (typeof system === "string") return system;
  if (!Array.isArray(system)) fail("system must be a string or a list of text blocks", "system");
  return system
    .map((block: unknown, index) => {
      if (!isObject(block) || block.type !== "text" || typeof block.text !== "string")
        fail(`system[${index}] must be a {type: "text", text} block`, `system[${index}]`);
      return block.text;
    })
    .join("\n\n");
}

/** An image, document or text block of a user turn (or a tool result) as a chat content part. */
export function convertUserBlock(block: Loose, param: string): ContentPart {
  switch (block.type) {
    case "text":
      if (typeof block.text !== "string") fail(`${param}.text must be a string`, `${param}.text`);
      return { type: "text", text: block.text };
    case "image": {
      const source = (block.source ?? {}) as Loose;
      if (
        source.type === "base64" &&
        typeof source.media_type === "string" &&
        typeof source.data === "string"
      )
        return { type: "image_url", image_url: { url: `data:${source.media_type};base64,${source.data}` } };
      if (source.type === "url" && typeof source.url === "string")
        return { type: "image_url", image_url: { url: source.url } };
      return fail(
        `${param}.source must be {type: "base64", media_type, data} or {type: "url", url}`,
        `${param}.source`,
      );
    }
    case "document": {
      const source = (block.source ?? {}) as Loose;
      const filename = typeof block.title === "string" ? { filename: block.title } : {};
      if (
        source.type === "base64" &&
        typeof source.media_type === "string" &&
        typeof source.data === "string"
      )
        return {
          type: "file",
          file: { file_data: `data:${source.media_type};base64,${source.data}`, ...filename },
        };
      if (source.type === "text" && typeof source.data === "string") {
        const base64 = Buffer.from(source.data, "utf8").toString("base64");
        return { type: "file", file: { file_data: `data:text/plain;base64,${base64}`, ...filename } };
      }
      return fail(
        `${param}.source must be a base64 document or {type: "text", media_type: "text/plain", data}`,
        `${param}.source`,
      );
    }
    default:
      return fail(
        `${param}: ${JSON.stringify(block.type)} blocks are not supported for this model (only for Claude's native route)`,
        `${param}.type`,
      );
  }
}

function convertToolResult(block: Loose, param: string): ChatMessage {
  if (typeof block.tool_use_id !== "string")
    fail(`${param}.tool_use_id must name the tool_use it answers`, `${param}.tool_use_id`);
  const content = block.content;
  let converted: string | ContentPart[];
  if (content === undefined || content === null) converted = "";
  else if (typeof content === "string") converted = content;
  else if (Array.isArray(content))
    converted = content.map((part: unknown, index) => {
      if (!isObject(part))
        fail(`${param}.content[${index}] must be a content block`, `${param}.content[${index}]`);
      return convertUserBlock(part, `${param}.content[${index}]`);
    });
  else return fail(`${param}.content must be a string or a list of blocks`, `${param}.content`);
  return { role: "tool", tool_call_id: block.tool_use_id, content: converted };
}

/** A user turn: its tool results as tool messages (first, as chat wants them), then the rest as one user message. */
function convertUserMessage(content: unknown, param: string): ChatMessage[] {
  if (typeof content === "string") return [{ role: "user", content }];
  const messages: ChatMessage[] = [];
  const parts: ContentPart[] = [];
  (content as Loose[]).forEach((block, index) => {
    const blockParam = `${param}[${index}]`;
    if (block.type === "tool_result") messages.push(convertToolResult(block, blockParam));
    else parts.push(convertUserBlock(block, blockParam));
  });
  if (parts.length > 0) messages.push({ role: "user", content: parts });
  return messages;
}

function convertAssistantMessage(content: unknown, param: string): AssistantMessage {
  if (typeof content === "string") return { role: "assistant", content };
  let text = "";
  const toolCalls: ToolCall[] = [];
  const thinking: ThinkingBlock[] = [];
  (content as Loose[]).forEach((block, index) => {
    const blockParam = `${param}[${index}]`;
    switch (block.type) {
      case "text":
        text += String(block.text ?? "");
        break;
      case "tool_use":
        if (typeof block.id !== "string" || typeof block.name !== "string")
          fail(`${blockParam} must be {type: "tool_use", id, name, input}`, blockParam);
        toolCalls.push({
          id: block.id,
          type: "function",
          function: { name: block.name, arguments: JSON.stringify(block.input ?? {}) },
        });
        break;
      case "thinking":
        thinking.push({
          type: "thinking",
          thinking: String(block.thinking ?? ""),
          ...(typeof block.signature === "string" && block.signature !== ""
            ? { signature: block.signature }
            : {}),
        });
        break;
      case "redacted_thinking":
        thinking.push({ type: "redacted_thinking", data: String(block.data ?? "") });
        break;
      default:
        fail(
          `${blockParam}: ${JSON.stringify(block.type)} blocks are not supported in an assistant message`,
          blockParam,
        );
    }
  });
  return {
    role: "assistant",
    content: text === "" ? null : text,
    ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
    ...(thinking.length > 0 ? { thinking_blocks: thinking } : {}),
  };
}

/** Client tools as function tools; Claude's versioned tools (bash, text editor, computer) exist only on Claude. */
export function convertTools(tools: unknown): FunctionTool[] | undefined {
  if (tools === undefined || tools === null) return undefined;
  if (!Array.isArray(tools)) fail("tools must be a list of tools", "tools");
  return tools.map((value: unknown, index) => {
    const param = `tools[${index}]`;
    if (!isObject(value)) fail(`${param} must be a tool object`, param);
    if (value.type !== undefined && value.type !== null && value.type !== "custom")
      fail(
        `${param}: ${JSON.stringify(value.type)} tools exist only on Claude's native route`,
        `${param}.type`,
      );
    if (typeof value.name !== "string" || value.name === "")
      fail(`${param}.name must be a non-empty string`, `${param}.name`);
    return {
      type: "function",
      function: {
        name: value.name,
        ...(typeof value.description === "string" ? { description: value.description } : {}),
        parameters: isObject(value.input_schema) ? value.input_schema : { type: "object", properties: {} },
      },
    };
  });
}

export function convertToolChoice(choice: unknown): { toolChoice?: ToolChoice; parallel?: false } {
  if (choice === undefined || choice === null) return {};
  if (!isObject(choice)) fail("tool_choice must be {type: auto | any | tool | none}", "tool_choice");
  const parallel = choice.disable_parallel_tool_use === true ? { parallel: false as const } : {};
  switch (choice.type) {
    case "auto":
      return { toolChoice: "auto", ...parallel };
    case "any":
      return { toolChoice: "required", ...parallel };
    case "none":
      return { toolChoice: "none" };
    case "tool":
      if (typeof choice.name !== "string")
        fail('tool_choice {type: "tool"} needs the tool\'s name', "tool_choice.name");
      return { toolChoice: { type: "function", function: { name: choice.name } }, ...parallel };
    default:
      return fail(
        `tool_choice.type must be auto, any, tool or none (got ${JSON.stringify(choice.type)})`,
        "tool_choice.type",
      );
  }
}

/**
 * Extended thinking for a model without Claude's `thinking` param, as a reasoning effort. The budget
 * bands are the inverse of the runtime's own `reasoning_effort` budgets (1024 low, 2048 medium, 4096 high).
 */
export function reasoningEffortOf(thinking: unknown): "low" | "medium" | "high" | undefined {
  if (!isObject(thinking) || thinking.type === "disabled") return undefined;
  if (thinking.type === "adaptive") return "medium";
  if (thinking.type !== "enabled")
    fail("thinking.type must be enabled, disabled or adaptive", "thinking.type");
  const budget = typeof thinking.budget_tokens === "number" ? thinking.budget_tokens : 0;
  if (budget < 2048) return "low";
  if (budget < 4096) return "medium";
  return "high";
}

/** Request fields the conversation is built from (the rest of the runtime's own fields go on). */
const conversationFields: ReadonlySet<string> = new Set([
  "messages",
  "input",
  "prompt",
  "stream",
  "stream_options",
]);

/**
 * The chat request that runs a Messages request. `providerParams`: the params the model's spec declares;
 * where it declares Claude's `thinking` and `anthropic_beta` (Claude through Converse) they are passed as
 * they are, else thinking becomes a reasoning effort and beta flags are ignored with a warning.
 */
export function convertMessagesRequest(
  request: Loose,
  options: {
    readonly providerParams: ReadonlySet<string>;
    readonly betas: readonly string[];
    readonly dropParams: boolean;
    readonly warn: (message: string) => void;
    readonly model: string;
  },
): Record<string, unknown> {
  const chat: Record<string, unknown> = {};
  // Provider params and connection options go on as they are; the chat path's param policy decides.
  for (const name of extraFields(request, options)) chat[name] = request[name];
  for (const name in request)
    if (runtimeFields.has(name) && !conversationFields.has(name)) chat[name] = request[name];
  const system = systemText(request.system);
  const messages: ChatMessage[] = system === "" ? [] : [{ role: "system", content: system }];
  (request.messages as Loose[]).forEach((message, index) => {
    const param = `messages[${index}].content`;
    if (message.role === "assistant") messages.push(convertAssistantMessage(message.content, param));
    else messages.push(...convertUserMessage(message.content, param));
  });
  chat.messages = messages;
  if (request.max_tokens !== undefined) chat.max_tokens = request.max_tokens;
  if (request.temperature !== undefined) chat.temperature = request.temperature;
  if (request.top_p !== undefined) chat.top_p = request.top_p;
  if (request.top_k !== undefined) chat.top_k = request.top_k;
  if (request.stop_sequences !== undefined) chat.stop = request.stop_sequences;
  const tools = convertTools(request.tools);
  if (tools && tools.length > 0) {
    chat.tools = tools;
    const { toolChoice, parallel } = convertToolChoice(request.tool_choice);
    if (toolChoice !== undefined) chat.tool_choice = toolChoice;
    if (parallel === false) chat.parallel_tool_calls = false;
  }
  if (request.thinking !== undefined) {
    if (options.providerParams.has("thinking")) chat.thinking = request.thinking;
    else {
      const effort = reasoningEffortOf(request.thinking);
      if (effort) chat.reasoning_effort = effort;
    }
  }
  if (options.betas.length > 0) {
    if (options.providerParams.has("anthropic_beta")) chat.anthropic_beta = [...options.betas];
    else
      options.warn(
        `bedrock-forge: ignoring anthropic-beta ${options.betas.join(", ")} for ${options.model}: only Claude takes beta flags`,
      );
  }
  const outputConfig = request.output_config as Loose | undefined;
  if (isObject(outputConfig)) {
    const format = outputConfig.format as Loose | null | undefined;
    if (isObject(format)) {
      if (format.type !== "json_schema" || !isObject(format.schema))
        fail('output_config.format must be {type: "json_schema", schema}', "output_config.format");
      chat.response_format = { type: "json_schema", json_schema: { name: "output", schema: format.schema } };
    }
    if (typeof outputConfig.effort === "string") chat.reasoning_effort = outputConfig.effort;
  }
  return chat;
}

// ---------------------------------------------------------------------------------------------
// Answers
// ---------------------------------------------------------------------------------------------

/** A chat finish reason (and the native stop reason behind it) as Anthropic's stop reason. */
export function convertStopReason(finish: FinishReason, native: unknown): AnthropicStopReason {
  switch (finish) {
    case "tool_calls":
      return "tool_use";
    case "length":
      return native === "model_context_window_exceeded" ? "model_context_window_exceeded" : "max_tokens";
    case "content_filter":
      return "refusal";
    default:
      return native === "stop_sequence" ? "stop_sequence" : "end_turn";
  }
}

/** Chat usage as Anthropic usage: Anthropic's input tokens leave out the cached ones, which it counts apart. */
export function convertUsage(usage: Usage): AnthropicUsage {
  const cacheRead = usage.prompt_tokens_details?.cached_tokens ?? 0;
  const cacheWrite = usage.prompt_tokens_details?.cache_write_tokens ?? 0;
  return {
    input_tokens: usage.prompt_tokens - cacheRead - cacheWrite,
    output_tokens: usage.completion_tokens,
    cache_creation_input_tokens: cacheWrite,
    cache_read_input_tokens: cacheRead,
    cost: usage.cost,
  };
}

/** A tool call's arguments as the `input` object of a tool_use block. */
export function parseToolInput(text: string, name: string): unknown {
  if (text.trim() === "") return {};
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new ResponseParseError(
      `the model's arguments for tool ${name} are not JSON: ${text.slice(0, 200)}`,
      {
        cause: error,
      },
    );
  }
}

export function createMessageId(): string {
  return `msg_${crypto.randomUUID().replaceAll("-", "")}`;
}

/** A unary chat completion as an Anthropic message: thinking, then text, then tool calls. */
export function buildMessage(completion: ChatCompletion, model: string): AnthropicMessage {
  const choice = completion.choices[0];
  const message = choice?.message;
  const content: AnthropicContentBlock[] = [];
  const thinking = message?.thinking_blocks ?? [];
  for (const block of thinking) {
    if (block.type === "redacted_thinking")
      content.push({ type: "redacted_thinking", data: block.data ?? "" });
    else content.push({ type: "thinking", thinking: block.thinking ?? "", signature: block.signature ?? "" });
  }
  if (thinking.length === 0 && message?.reasoning_content)
    content.push({ type: "thinking", thinking: message.reasoning_content, signature: "" });
  if (message?.content) content.push({ type: "text", text: message.content });
  for (const call of message?.tool_calls ?? [])
    content.push({
      type: "tool_use",
      id: call.id,
      name: call.function.name,
      input: parseToolInput(call.function.arguments, call.function.name),
    });
  return {
    id: createMessageId(),
    type: "message",
    role: "assistant",
    model,
    content,
    stop_reason: convertStopReason(
      choice?.finish_reason ?? "stop",
      completion.provider_specific_fields.stop_reason,
    ),
    stop_sequence: null,
    usage: convertUsage(completion.usage),
  };
}
