/**
 * A Responses request as the Chat Completions request the runtime already runs for every model family.
 * Field meanings: https://platform.openai.com/docs/api-reference/responses/create and the `openai`
 * package's `ResponseCreateParamsBase`.
 */
import { RequestValidationError } from "../errors.js";
import type {
  AssistantMessage,
  ChatMessage,
  ContentPart,
  FunctionTool,
  ResponseFormat,
  ThinkingBlock,
  ToolCall,
  ToolChoice,
} from "../types.js";
import type {
  ResponseFunctionTool,
  ResponseInputContent,
  ResponseInputItem,
  ResponseTextFormat,
  ResponseToolChoice,
} from "./types.js";

type Loose = Readonly<Record<string, unknown>>;

/** Responses fields this module reads; every other field goes on to the chat request (provider params, connection). */
const responsesFields: ReadonlySet<string> = new Set([
  "input",
  "instructions",
  "tools",
  "tool_choice",
  "text",
  "reasoning",
  "max_output_tokens",
  "temperature",
  "top_p",
  "parallel_tool_calls",
  "metadata",
  "user",
  "store",
  "stream",
  "stream_options",
  "previous_response_id",
  "include",
  "truncation",
  "service_tier",
  "background",
  "conversation",
  "prompt",
  "prompt_cache_key",
  "prompt_cache_retention",
  "prompt_cache_options",
  "safety_identifier",
  "top_logprobs",
  "max_tool_calls",
  "context_management",
  "moderation",
]);

function fail(message: string, param: string): never {
  throw new RequestValidationError(message, { param });
}

function isObject(value: unknown): value is Loose {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * bedrock-forge keeps no state between calls: what would need a stored response or conversation is
 * refused before any call, naming the field and what to send instead.
 */
export function refuseStatefulFields(request: Loose): void {
  const stateless = "bedrock-forge keeps no responses between calls";
  if (request.previous_response_id != null) {
    fail(
      `previous_response_id is not supported: ${stateless}. Send the earlier turns (the previous response's output items) in input.`,
      "previous_response_id",
    );
  }
  if (request.store === true) {
    fail(`store: true is not supported: ${stateless}. Leave store out or set it to false.`, "store");
  }
  if (request.conversation != null) {
    fail(
      `conversation is not supported: ${stateless}. Send the conversation's items in input.`,
      "conversation",
    );
  }
  if (request.background === true) {
    fail(`background: true is not supported: ${stateless} to poll later. Stream instead.`, "background");
  }
  if (request.prompt != null) {
    fail(
      "prompt (a stored prompt template) is not supported: send instructions and input instead.",
      "prompt",
    );
  }
}

/** Responses fields with no Bedrock equivalent that change the answer: refused, or dropped with a warning under drop_params. */
function refuseUnsupportedFields(request: Loose, dropParams: boolean, warn: (message: string) => void): void {
  const unsupported: [string, boolean][] = [
    ["max_tool_calls", request.max_tool_calls != null],
    ["context_management", request.context_management != null],
    ["moderation", request.moderation != null],
    ["top_logprobs", typeof request.top_logprobs === "number" && request.top_logprobs > 0],
  ];
  for (const [name, given] of unsupported) {
    if (!given) continue;
    if (dropParams) {
      warn(`bedrock-forge: dropping ${name}: Bedrock has no equivalent (drop_params)`);
      continue;
    }
    fail(
      `${name} is not supported: Bedrock has no equivalent. Remove it, or set drop_params: true to drop it.`,
      name,
    );
  }
}

/** An `input_text` / `input_image` / `input_file` part as a chat content part. */
export function convertInputContent(part: unknown, param: string): ContentPart {
  if (!isObject(part)) fail(`${param} must be a content part object`, param);
  const content = part as unknown as ResponseInputContent;
  switch (content.type) {
    case "input_text":
      if (typeof content.text !== "string") fail(`${param}.text must be a string`, `${param}.text`);
      return { type: "text", text: content.text };
    case "input_image": {
      if (content.file_id != null) {
        fail(
          `${param}.file_id is not supported: bedrock-forge has no file store. Send image_url (a data: URL or an http(s) URL).`,
          `${param}.file_id`,
        );
      }
      if (typeof content.image_url !== "string" || content.image_url === "")
        fail(`${param}.image_url must be a data: URL or an http(s) URL`, `${param}.image_url`);
      const detail = content.detail;
      return {
        type: "image_url",
        image_url:
          detail === "low" || detail === "high" || detail === "auto"
            ? { url: content.image_url, detail }
            : { url: content.image_url },
      };
    }
    case "input_file": {
      if (content.file_id != null || content.file_url !== undefined) {
        fail(
          `${param}: file_id and file_url are not supported (bedrock-forge has no file store and fetches nothing). Send file_data as a data: URL.`,
          `${param}.${content.file_id != null ? "file_id" : "file_url"}`,
        );
      }
      if (typeof content.file_data !== "string" || !content.file_data.startsWith("data:"))
        fail(`${param}.file_data must be a data: URL (data:application/pdf;base64,…)`, `${param}.file_data`);
      return {
        type: "file",
        file: {
          file_data: content.file_data,
          ...(typeof content.filename === "string" ? { filename: content.filename } : {}),
        },
      };
    }
    default:
      return fail(
        `${param}.type ${JSON.stringify((part as Loose).type)} is not supported: use input_text, input_image or input_file`,
        `${param}.type`,
      );
  }
}

/** The text of an assistant message's content (output_text parts; a refusal is kept as its text). */
function assistantText(content: unknown, param: string): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) fail(`${param} must be a string or a list of output_text parts`, param);
  return content
    .map((part: unknown, index) => {
      const partParam = `${param}[${index}]`;
      if (!isObject(part)) fail(`${partParam} must be a content part object`, partParam);
      if ((part.type === "output_text" || part.type === "input_text") && typeof part.text === "string")
        return part.text;
      if (part.type === "refusal" && typeof part.refusal === "string") return part.refusal;
      return fail(`${partParam} must be an output_text part of an assistant message`, partParam);
    })
    .join("");
}

/** Collects one assistant turn: reasoning, text and tool calls of consecutive assistant-side items. */
class AssistantTurn {
  text = "";
  readonly toolCalls: ToolCall[] = [];
  readonly thinkingBlocks: ThinkingBlock[] = [];

  get empty(): boolean {
    return this.text === "" && this.toolCalls.length === 0 && this.thinkingBlocks.length === 0;
  }

  toMessage(): AssistantMessage {
    return {
      role: "assistant",
      content: this.text === "" ? null : this.text,
      ...(this.toolCalls.length > 0 ? { tool_calls: this.toolCalls } : {}),
      ...(this.thinkingBlocks.length > 0 ? { thinking_blocks: this.thinkingBlocks } : {}),
    };
  }
}

/** A reasoning item sent back: Claude's thinking (signature in `encrypted_content`), or redacted thinking. */
export function convertReasoningItem(item: Loose, param: string): ThinkingBlock | undefined {
  const content = item.content;
  if (content !== undefined && content !== null && !Array.isArray(content))
    fail(`${param}.content must be a list of reasoning_text parts`, `${param}.content`);
  const text = ((content as unknown[] | undefined) ?? [])
    .map((part, index) => {
      if (!isObject(part) || typeof part.text !== "string")
        fail(
          `${param}.content[${index}] must be {type: "reasoning_text", text}`,
          `${param}.content[${index}]`,
        );
      return part.text;
    })
    .join("");
  const encrypted = typeof item.encrypted_content === "string" ? item.encrypted_content : undefined;
  if (text !== "")
    return { type: "thinking", thinking: text, ...(encrypted ? { signature: encrypted } : {}) };
  if (encrypted) return { type: "redacted_thinking", data: encrypted };
  // Reasoning with neither text nor encrypted content (a summary only) has nothing a model could be sent.
  return undefined;
}

/** The input items as chat messages: assistant-side items of one turn become one assistant message. */
export function convertInputItems(input: unknown): ChatMessage[] {
  if (typeof input === "string") return [{ role: "user", content: input }];
  if (!Array.isArray(input) || input.length === 0)
    fail("input must be a string or a non-empty list of input items", "input");
  const messages: ChatMessage[] = [];
  let turn = new AssistantTurn();
  const flush = () => {
    if (turn.empty) return;
    messages.push(turn.toMessage());
    turn = new AssistantTurn();
  };
  (input as unknown[]).forEach((value, index) => {
    const param = `input[${index}]`;
    if (!isObject(value)) fail(`${param} must be an input item object`, param);
    const item = value as ResponseInputItem & Loose;
    const type: string = item.type ?? "message";
    switch (type) {
      case "message": {
        const role = item.role;
        if (role === "assistant") {
          turn.text += assistantText(item.content, `${param}.content`);
          break;
        }
        if (role !== "user" && role !== "system" && role !== "developer")
          fail(`${param}.role must be user, assistant, system or developer`, `${param}.role`);
        flush();
        const content = item.content;
        if (typeof content === "string") messages.push({ role, content } as ChatMessage);
        else if (Array.isArray(content)) {
          const parts = content.map((part: unknown, partIndex) =>
            convertInputContent(part, `${param}.content[${partIndex}]`),
          );
          if (role === "user") messages.push({ role, content: parts });
          else {
            const texts = parts.map((part, partIndex) =>
              part.type === "text"
                ? part
                : fail(
                    `${param}.content[${partIndex}]: a ${role} message takes text only`,
                    `${param}.content`,
                  ),
            );
            messages.push({ role, content: texts });
          }
        } else fail(`${param}.content must be a string or a list of content parts`, `${param}.content`);
        break;
      }
      case "function_call": {
        if (typeof item.call_id !== "string" || typeof item.name !== "string")
          fail(`${param} must be {type: "function_call", call_id, name, arguments}`, param);
        if (item.arguments !== undefined && typeof item.arguments !== "string")
          fail(`${param}.arguments must be a JSON string`, `${param}.arguments`);
        turn.toolCalls.push({
          id: item.call_id as string,
          type: "function",
          function: { name: item.name as string, arguments: (item.arguments as string | undefined) ?? "" },
        });
        break;
      }
      case "function_call_output": {
        if (typeof item.call_id !== "string")
          fail(`${param}.call_id must name the function_call it answers`, `${param}.call_id`);
        flush();
        const output = item.output;
        let content: string | ContentPart[];
        if (typeof output === "string") content = output;
        else if (Array.isArray(output))
          content = output.map((part: unknown, partIndex) =>
            convertInputContent(part, `${param}.output[${partIndex}]`),
          );
        else return fail(`${param}.output must be a string or a list of content parts`, `${param}.output`);
        messages.push({ role: "tool", tool_call_id: item.call_id as string, content });
        break;
      }
      case "reasoning": {
        const block = convertReasoningItem(item, param);
        if (block) turn.thinkingBlocks.push(block);
        break;
      }
      case "item_reference":
        return fail(
          `${param}: item_reference is not supported: bedrock-forge keeps no items between calls. Send the item itself.`,
          `${param}.type`,
        );
      default:
        return fail(
          `${param}.type ${JSON.stringify(type)} is not supported: use message, function_call, function_call_output or reasoning items`,
          `${param}.type`,
        );
    }
  });
  flush();
  return messages;
}

/** Function tools in the chat shape; the Responses API's hosted tools (web search, files …) have no Bedrock equivalent. */
export function convertTools(tools: unknown): FunctionTool[] | undefined {
  if (tools === undefined || tools === null) return undefined;
  if (!Array.isArray(tools)) fail("tools must be a list of function tools", "tools");
  return tools.map((value: unknown, index) => {
    const param = `tools[${index}]`;
    if (!isObject(value)) fail(`${param} must be a tool object`, param);
    const tool = value as ResponseFunctionTool & Loose;
    if (tool.type !== "function") {
      fail(
        `${param}: ${JSON.stringify(tool.type)} tools are not supported on Bedrock; only function tools are`,
        `${param}.type`,
      );
    }
    if (typeof tool.name !== "string" || tool.name === "")
      fail(`${param}.name must be a non-empty string`, `${param}.name`);
    return {
      type: "function",
      function: {
        name: tool.name,
        ...(typeof tool.description === "string" ? { description: tool.description } : {}),
        ...(isObject(tool.parameters) ? { parameters: tool.parameters } : {}),
        ...(typeof tool.strict === "boolean" ? { strict: tool.strict } : {}),
      },
    };
  });
}

export function convertToolChoice(choice: unknown): ToolChoice | undefined {
  if (choice === undefined || choice === null) return undefined;
  if (choice === "auto" || choice === "none" || choice === "required") return choice;
  const named = choice as ResponseToolChoice & Loose;
  if (isObject(choice) && named.type === "function" && typeof named.name === "string")
    return { type: "function", function: { name: named.name } };
  return fail(
    `tool_choice must be "auto", "none", "required" or {type: "function", name}; got ${JSON.stringify(choice)}`,
    "tool_choice",
  );
}

/** `text.format` as the chat `response_format` (plain text needs none). */
export function convertTextFormat(text: unknown): ResponseFormat | undefined {
  if (text === undefined || text === null) return undefined;
  if (!isObject(text)) fail('text must be an object such as {format: {type: "json_schema", …}}', "text");
  const format = text.format as (ResponseTextFormat & Loose) | undefined | null;
  if (format === undefined || format === null || format.type === "text") return undefined;
  if (format.type === "json_object") return { type: "json_object" };
  if (format.type === "json_schema") {
    if (typeof format.name !== "string" || !isObject(format.schema))
      fail("text.format json_schema needs name and schema", "text.format");
    return {
      type: "json_schema",
      json_schema: {
        name: format.name,
        schema: format.schema,
        ...(typeof format.description === "string" ? { description: format.description } : {}),
        ...(typeof format.strict === "boolean" ? { strict: format.strict } : {}),
      },
    };
  }
  return fail(`text.format.type must be text, json_object or json_schema`, "text.format.type");
}

/**
 * The chat request that runs a Responses request: conversation, tools and output format translated,
 * bookkeeping fields (metadata, user, store: false, include …) left out, every other field (provider
 * params, connection options) passed on unchanged. Throws before any call for what cannot be run.
 */
export function convertResponsesRequest(
  request: Loose,
  policy: { readonly dropParams: boolean; readonly warn: (message: string) => void },
): Record<string, unknown> {
  refuseStatefulFields(request);
  refuseUnsupportedFields(request, policy.dropParams, policy.warn);
  const chat: Record<string, unknown> = {};
  for (const name in request) if (!responsesFields.has(name)) chat[name] = request[name];
  const instructions = request.instructions;
  if (instructions != null && typeof instructions !== "string")
    fail("instructions must be a string", "instructions");
  chat.messages = [
    ...(typeof instructions === "string" && instructions !== ""
      ? [{ role: "system", content: instructions } satisfies ChatMessage]
      : []),
    ...convertInputItems(request.input),
  ];
  const tools = convertTools(request.tools);
  if (tools && tools.length > 0) chat.tools = tools;
  const toolChoice = convertToolChoice(request.tool_choice);
  if (toolChoice !== undefined && tools && tools.length > 0) chat.tool_choice = toolChoice;
  const format = convertTextFormat(request.text);
  if (format) chat.response_format = format;
  const effort = isObject(request.reasoning) ? request.reasoning.effort : undefined;
  if (effort != null && effort !== "none") chat.reasoning_effort = effort;
  if (request.max_output_tokens != null) chat.max_tokens = request.max_output_tokens;
  if (request.temperature != null) chat.temperature = request.temperature;
  if (request.top_p != null) chat.top_p = request.top_p;
  // `true` is every model's behaviour; only asking for one call at a time is a request to forward.
  if (request.parallel_tool_calls === false && tools && tools.length > 0) chat.parallel_tool_calls = false;
  return chat;
}
