import { RequestValidationError } from "../errors.js";
import type {
  AssistantMessage,
  BehaviourOptions,
  ChatMessage,
  ClaudeServerTool,
  ContentPart,
  FilePart,
  FunctionTool,
  ImagePart,
  ResponseFormat,
  SystemMessage,
  TextPart,
  ThinkingBlock,
  ToolCall,
  ToolChoice,
  ToolMessage,
  UserMessage,
} from "../types.js";
import type {
  ContentBlock,
  DocumentBlock,
  ImageBlock,
  NormalizedChat,
  ReasoningBlock,
  TextBlock,
  ToolCallBlock,
  ToolResultBlock,
  Turn,
} from "./model.js";
import { sanitizeToolName } from "./tool-names.js";

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
const defaultContinueMessage: ChatMessage = { role: "user", content: "Please continue." };

interface NormalizeOptions
  extends Pick<BehaviourOptions, "modify_params" | "user_continue_message" | "fetchImage"> {
  readonly model: string;
  /** The model accepts a final assistant turn as the start of its answer. */
  readonly allowPrefill: boolean;
  readonly tools?: readonly (FunctionTool | ClaudeServerTool)[];
  readonly toolChoice?: ToolChoice | "any";
  readonly responseFormat?: ResponseFormat;
  /** Tool names are rewritten to what Converse takes, as LiteLLM does (see tool-names.ts). */
  readonly sanitizeToolNames?: boolean;
  /** Tool types (prefixes) the model takes in its provider's own form (Claude's computer use, bash, text editor). */
  readonly serverToolTypes?: readonly string[];
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

/** What a content part becomes: text, an image or a document. */
type PartBlock = TextBlock | ImageBlock | DocumentBlock;

function convertTextPart(part: TextPart, param: string, model: string): TextBlock {
  if (typeof part.text !== "string") fail(`${param}.text must be a string`, param, model);
  return { kind: "text", text: part.text };
}

async function convertImagePart(
  part: ImagePart,
  param: string,
  options: NormalizeOptions,
): Promise<ImageBlock> {
  const { model } = options;
  const url = typeof part.image_url === "string" ? part.image_url : part.image_url?.url;
  if (typeof url !== "string" || url === "")
    fail(`${param}.image_url.url must be a URL string`, param, model);
  const data = parseDataUrl(url);
  if (data) return imageFromBase64(data.mediaType, data.base64, param, model);
  if (!/^https?:\/\//i.test(url))
    return fail(`${param}: unsupported image URL (use a data: URL)`, param, model);
  if (!options.fetchImage) {
    fail(
      `${param}: ${model} needs image bytes; an http(s) image URL is not fetched implicitly. Pass a data: URL (data:image/png;base64,…) or give a fetchImage function.`,
      param,
      model,
    );
  }
  const fetched = await options.fetchImage(url);
  return imageFromBase64(fetched.mediaType, Buffer.from(fetched.bytes).toString("base64"), param, model);
}

function convertFilePart(
  part: FilePart,
  param: string,
  model: string,
  documentIndex: { next: number },
): ImageBlock | DocumentBlock {
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

async function convertPart(
  part: ContentPart,
  param: string,
  options: NormalizeOptions,
  documentIndex: { next: number },
): Promise<PartBlock> {
  const { model } = options;
  if (part === null || typeof part !== "object") fail(`${param} must be a content part object`, param, model);
  switch (part.type) {
    case "text":
      return convertTextPart(part, param, model);
    case "image_url":
      return convertImagePart(part, param, options);
    case "file":
      return convertFilePart(part, param, model, documentIndex);
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

/** The tools of a request, checked: function tools (names as sent), the model's own tools, and renamed tools. */
interface CheckedTools {
  readonly tools: readonly FunctionTool[];
  readonly serverTools: readonly Record<string, unknown>[];
  /** Names as sent → the caller's names, for tools whose name was rewritten. */
  readonly renamed: Map<string, string>;
  /** The caller's names → names as sent, for every tool. */
  readonly sentNames: Map<string, string>;
}

function serverToolPrefix(tool: unknown, types: readonly string[] | undefined): string | undefined {
  const type = (tool as { type?: unknown } | null)?.type;
  if (typeof type !== "string" || type === "function") return undefined;
  return types?.find((prefix) => type.startsWith(prefix));
}

/**
 * One of the model's own tools in its native form, as LiteLLM writes it: settings given under `function`
 * (the computer tool in OpenAI's shape) are lifted beside the type; bash and text editor tools get their
 * fixed names when none is given.
 */
function toServerTool(tool: ClaudeServerTool, param: string, model: string): Record<string, unknown> {
  const type = tool.type;
  const { function: settings, ...rest } = tool;
  const native: Record<string, unknown> =
    type.startsWith("computer_") && settings && typeof settings === "object"
      ? { type, name: settings.name ?? "computer", ...settings.parameters }
      : { ...rest };
  if (native.name === undefined && type.startsWith("bash_")) native.name = "bash";
  if (native.name === undefined && type.startsWith("text_editor_")) native.name = "str_replace_editor";
  if (typeof native.name !== "string" || native.name === "") fail(`${param} needs a name`, param, model);
  return native;
}

/** A function tool's name as sent: 1–64 characters Converse or the native API takes. */
function checkToolName(name: unknown, param: string, options: NormalizeOptions): string {
  const { model } = options;
  if (typeof name !== "string" || name === "")
    fail(`${param}.function.name must be a non-empty string`, param, model);
  const sent = options.sanitizeToolNames ? sanitizeToolName(name) : name;
  if (!/^[a-zA-Z0-9_-]{1,64}$/.test(sent)) {
    fail(
      options.sanitizeToolNames
        ? `${param}.function.name is too long: at most 64 characters (got ${JSON.stringify(name)})`
        : `${param}.function.name must be 1–64 letters, digits, underscores or hyphens (got ${JSON.stringify(name)})`,
      param,
      model,
    );
  }
  return sent;
}

function validateTools(
  tools: readonly (FunctionTool | ClaudeServerTool)[] | undefined,
  options: NormalizeOptions,
): CheckedTools {
  const { model } = options;
  const checked: CheckedTools = { tools: [], serverTools: [], renamed: new Map(), sentNames: new Map() };
  if (tools === undefined || tools === null) return checked;
  if (!Array.isArray(tools)) fail("tools must be a list of function tools", "tools", model);
  const functionTools: FunctionTool[] = [];
  const serverTools: Record<string, unknown>[] = [];
  tools.forEach((tool, index) => {
    const param = `tools[${index}]`;
    if (serverToolPrefix(tool, options.serverToolTypes)) {
      const native = toServerTool(tool as ClaudeServerTool, param, model);
      checked.sentNames.set(native.name as string, native.name as string);
      serverTools.push(native);
      return;
    }
    if (tool?.type !== "function" || typeof tool.function !== "object") {
      const own = options.serverToolTypes?.length
        ? ` or one of the model's own tools (${options.serverToolTypes.map((type) => `${type}…`).join(", ")})`
        : "";
      fail(`${param} must be {type: "function", function: {…}}${own}`, param, model);
    }
    const functionTool = tool as FunctionTool;
    const name = functionTool.function.name;
    const sent = checkToolName(name, param, options);
    if (checked.sentNames.has(name)) fail(`${param}: the tool name "${name}" is used twice`, param, model);
    const clash = [...checked.sentNames].find(([, other]) => other === sent);
    if (clash) {
      fail(
        `${param}: the tool name "${name}" is sent as "${sent}", as "${clash[0]}" already is`,
        param,
        model,
      );
    }
    checked.sentNames.set(name, sent);
    const parameters = functionTool.function.parameters;
    if (
      parameters !== undefined &&
      (parameters === null || typeof parameters !== "object" || Array.isArray(parameters))
    ) {
      fail(`${param}.function.parameters must be a JSON Schema object`, param, model);
    }
    if (sent === name) {
      functionTools.push(functionTool);
      return;
    }
    checked.renamed.set(sent, name);
    functionTools.push({ ...functionTool, function: { ...functionTool.function, name: sent } });
  });
  return { ...checked, tools: functionTools, serverTools };
}

function validateToolChoice(
  choice: ToolChoice | "any" | undefined,
  tools: CheckedTools,
  model: string,
): ToolChoice | undefined {
  if (choice === undefined || choice === null) return undefined;
  // "any" is Bedrock's own name for "required"; LiteLLM takes both.
  if (choice === "any") return validateToolChoice("required", tools, model);
  if (choice === "auto" || choice === "none" || choice === "required") {
    if (choice === "required" && tools.sentNames.size === 0)
      fail(`tool_choice "${choice}" needs at least one tool`, "tool_choice", model);
    return choice;
  }
  if (typeof choice === "object" && choice.type === "function" && typeof choice.function?.name === "string") {
    const sent = tools.sentNames.get(choice.function.name);
    if (sent === undefined) {
      fail(`tool_choice names "${choice.function.name}", which is not in tools`, "tool_choice", model);
    }
    return sent === choice.function.name ? choice : { type: "function", function: { name: sent } };
  }
  return fail(
    'tool_choice must be "auto", "none", "required", "any" or {type: "function", function: {name}}',
    "tool_choice",
    model,
  );
}

/** The conversation as it is built, message by message. */
interface Conversation {
  readonly options: NormalizeOptions;
  readonly model: string;
  /** Conversations Bedrock would reject are repaired (modify_params or user_continue_message). */
  readonly repair: boolean;
  readonly system: string[];
  readonly turns: { role: Turn["role"]; content: ContentBlock[] }[];
  readonly documentIndex: { next: number };
  /** Ids of the assistant's tool calls that no tool message has answered yet. */
  readonly pendingToolCalls: Set<string>;
}

/** Appends blocks as a turn; consecutive user (or tool) turns merge, assistant turns never do. */
function pushTurn(conversation: Conversation, role: Turn["role"], content: ContentBlock[]): void {
  const last = conversation.turns[conversation.turns.length - 1];
  if (last && last.role === role && role !== "assistant") {
    last.content.push(...content);
    return;
  }
  conversation.turns.push({ role, content });
}

function requireContinueMessageShape(options: NormalizeOptions): void {
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
      options.model,
    );
  }
}

/** The user turn a repair inserts: `user_continue_message`, else LiteLLM's "Please continue.". */
async function continueBlocks(conversation: Conversation): Promise<ContentBlock[]> {
  const content = (conversation.options.user_continue_message ?? defaultContinueMessage).content as
    | string
    | readonly ContentPart[];
  if (typeof content === "string") return [{ kind: "text", text: content }];
  return Promise.all(
    content.map((part, index) =>
      convertPart(
        part,
        `user_continue_message.content[${index}]`,
        conversation.options,
        conversation.documentIndex,
      ),
    ),
  );
}

/** Bedrock wants a toolResult for every toolUse of the previous assistant turn, before the conversation goes on. */
function requireToolResults(conversation: Conversation, param: string, next: string): void {
  if (conversation.pendingToolCalls.size === 0) return;
  fail(
    `${param}: the assistant's tool calls (${[...conversation.pendingToolCalls].join(", ")}) need tool messages before the next ${next} message`,
    param,
    conversation.model,
  );
}

/** A user or tool message's content: a string, or a list of parts. */
async function convertContent(
  content: unknown,
  param: string,
  conversation: Conversation,
): Promise<PartBlock[]> {
  if (typeof content === "string") return [{ kind: "text", text: content }];
  if (!Array.isArray(content)) {
    return fail(
      `${param}.content must be a string or a list of content parts`,
      `${param}.content`,
      conversation.model,
    );
  }
  return Promise.all(
    content.map((part: ContentPart, partIndex) =>
      convertPart(part, `${param}.content[${partIndex}]`, conversation.options, conversation.documentIndex),
    ),
  );
}

function appendSystemMessage(conversation: Conversation, message: SystemMessage, param: string): void {
  const text = textOf(message.content, `${param}.content`, conversation.model);
  if (text.trim() !== "") conversation.system.push(text);
}

async function appendUserMessage(conversation: Conversation, message: UserMessage, param: string) {
  let blocks: ContentBlock[] = (await convertContent(message.content, param, conversation)).filter(
    (block) => block.kind !== "text" || block.text.trim() !== "",
  );
  if (blocks.length === 0) {
    if (!conversation.repair)
      fail(
        `${param} has empty content; Bedrock rejects blank messages (set modify_params to repair)`,
        `${param}.content`,
        conversation.model,
      );
    blocks = [{ kind: "text", text: "." }];
  }
  requireToolResults(conversation, param, "user");
  pushTurn(conversation, "user", blocks);
}

function convertThinkingBlock(thinking: ThinkingBlock, param: string, model: string): ReasoningBlock {
  const field = thinking?.type === "redacted_thinking" ? thinking.data : thinking?.thinking;
  if (
    (thinking?.type !== "thinking" && thinking?.type !== "redacted_thinking") ||
    (field !== undefined && typeof field !== "string") ||
    (thinking.signature !== undefined && typeof thinking.signature !== "string")
  ) {
    fail(
      `${param} must be {type: "thinking", thinking, signature} or {type: "redacted_thinking", data}`,
      param,
      model,
    );
  }
  if (thinking.type === "redacted_thinking") return { kind: "reasoning", redacted: thinking.data ?? "" };
  return { kind: "reasoning", text: thinking.thinking ?? "", signature: thinking.signature };
}

function convertThinkingBlocks(message: AssistantMessage, param: string, model: string): ReasoningBlock[] {
  const thinkingBlocks = message.thinking_blocks ?? [];
  if (!Array.isArray(thinkingBlocks))
    fail(`${param}.thinking_blocks must be a list`, `${param}.thinking_blocks`, model);
  return thinkingBlocks.map((thinking: ThinkingBlock, blockIndex: number) =>
    convertThinkingBlock(thinking, `${param}.thinking_blocks[${blockIndex}]`, model),
  );
}

/**
 * An assistant message's content: its text, and the thinking and redacted_thinking parts a content list may
 * carry (Anthropic's block shapes, as LiteLLM accepts them) as reasoning blocks.
 */
function assistantContentOf(
  content: unknown,
  param: string,
  model: string,
): { reasoning: ReasoningBlock[]; text: string } {
  if (!Array.isArray(content)) return { reasoning: [], text: textOf(content, param, model) };
  const reasoning: ReasoningBlock[] = [];
  const texts: string[] = [];
  content.forEach((part, index) => {
    const at = `${param}[${index}]`;
    if (part?.type === "thinking" || part?.type === "redacted_thinking")
      reasoning.push(convertThinkingBlock(part as ThinkingBlock, at, model));
    else if (part?.type === "text" && typeof part.text === "string") texts.push(part.text);
    else fail(`${at} must be a text, thinking or redacted_thinking part`, at, model);
  });
  return { reasoning, text: texts.join("\n") };
}

function convertToolCall(call: ToolCall, param: string, options: NormalizeOptions): ToolCallBlock {
  const { model } = options;
  if (call?.type !== "function" || typeof call.function?.name !== "string" || typeof call.id !== "string") {
    fail(`${param} must be {id, type: "function", function: {name, arguments}}`, param, model);
  }
  return {
    kind: "tool_call",
    id: call.id,
    // An earlier call goes back under the name its tool is sent with.
    name: options.sanitizeToolNames ? sanitizeToolName(call.function.name) : call.function.name,
    arguments: call.function.arguments ?? "",
    input: parseArguments(call.function.arguments, `${param}.function.arguments`, model),
  };
}

/** The assistant's tool calls; each one stays pending until a tool message answers it. */
function convertToolCalls(
  conversation: Conversation,
  message: AssistantMessage,
  param: string,
): ToolCallBlock[] {
  const calls: readonly ToolCall[] = message.tool_calls ?? [];
  if (!Array.isArray(calls))
    fail(`${param}.tool_calls must be a list`, `${param}.tool_calls`, conversation.model);
  return calls.map((call, callIndex) => {
    const block = convertToolCall(call, `${param}.tool_calls[${callIndex}]`, conversation.options);
    conversation.pendingToolCalls.add(call.id);
    return block;
  });
}

/** An assistant turn must follow a user turn: inserted under repair, else an error. */
async function requireUserTurnBefore(conversation: Conversation, param: string): Promise<void> {
  const last = conversation.turns[conversation.turns.length - 1];
  if (last && last.role !== "assistant") return;
  if (!conversation.repair) {
    fail(
      last
        ? `${param}: two assistant messages in a row; Bedrock needs user and assistant turns to alternate (set modify_params or user_continue_message to insert a user turn)`
        : `${param}: the conversation must start with a user message; set modify_params or user_continue_message to insert one`,
      param,
      conversation.model,
    );
  }
  pushTurn(conversation, "user", await continueBlocks(conversation));
}

async function appendAssistantMessage(
  conversation: Conversation,
  message: AssistantMessage,
  param: string,
  isLast: boolean,
): Promise<void> {
  const { model } = conversation;
  requireToolResults(conversation, param, "assistant");
  const blocks: ContentBlock[] = convertThinkingBlocks(message, param, model);
  const { reasoning, text } = assistantContentOf(message.content, `${param}.content`, model);
  blocks.push(...reasoning);
  if (text !== "") blocks.push({ kind: "text", text });
  blocks.push(...convertToolCalls(conversation, message, param));
  if (!blocks.some((block) => block.kind !== "reasoning")) {
    if (isLast) fail(`${param} is an empty assistant message`, param, model);
    if (!conversation.repair)
      fail(
        `${param} has empty content; Bedrock rejects blank messages (set modify_params to repair)`,
        `${param}.content`,
        model,
      );
    blocks.push({ kind: "text", text: "." });
  }
  await requireUserTurnBefore(conversation, param);
  pushTurn(conversation, "assistant", blocks);
}

async function appendToolMessage(conversation: Conversation, message: ToolMessage, param: string) {
  const callId = message.tool_call_id;
  if (typeof callId !== "string" || callId === "")
    fail(`${param}.tool_call_id is required`, `${param}.tool_call_id`, conversation.model);
  if (!conversation.pendingToolCalls.has(callId)) {
    fail(
      `${param}: tool_call_id "${callId}" does not answer a tool call of an earlier assistant message`,
      `${param}.tool_call_id`,
      conversation.model,
    );
  }
  conversation.pendingToolCalls.delete(callId);
  const parts = await convertContent(message.content, param, conversation);
  const result: ToolResultBlock = { kind: "tool_result", toolCallId: callId, content: parts };
  pushTurn(conversation, "tool", [result]);
}

async function appendMessage(
  conversation: Conversation,
  message: ChatMessage,
  param: string,
  isLast: boolean,
): Promise<void> {
  if (message === null || typeof message !== "object")
    fail(`${param} must be a message object`, param, conversation.model);
  switch (message.role) {
    case "system":
    case "developer":
      return appendSystemMessage(conversation, message, param);
    case "user":
      return appendUserMessage(conversation, message, param);
    case "assistant":
      return appendAssistantMessage(conversation, message, param, isLast);
    case "tool":
      return appendToolMessage(conversation, message, param);
    default:
      fail(
        `${param}.role must be system, developer, user, assistant or tool (got ${JSON.stringify((message as { role?: unknown }).role)})`,
        `${param}.role`,
        conversation.model,
      );
  }
}

/** Every tool call of the conversation needs its tool message. */
function requireAnsweredToolCalls(conversation: Conversation): void {
  const pending = conversation.pendingToolCalls;
  if (pending.size === 0) return;
  fail(
    conversation.turns[conversation.turns.length - 1]?.role === "assistant"
      ? `the last assistant message calls tools (${[...pending].join(", ")}) but no tool messages answer them`
      : `the tool calls ${[...pending].join(", ")} have no tool message answering them`,
    "messages",
    conversation.model,
  );
}

/** True when the conversation ends with the assistant's pre-fill; a model without pre-fill gets a user turn under repair. */
async function resolvePrefill(conversation: Conversation): Promise<boolean> {
  const prefill = conversation.turns[conversation.turns.length - 1]?.role === "assistant";
  if (!prefill || conversation.options.allowPrefill) return prefill;
  if (!conversation.repair) {
    fail(
      `${conversation.model} does not accept a final assistant message (pre-fill); end with a user message, or set modify_params / user_continue_message to append one`,
      "messages",
      conversation.model,
    );
  }
  pushTurn(conversation, "user", await continueBlocks(conversation));
  return false;
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
  requireContinueMessageShape(options);
  const conversation: Conversation = {
    options,
    model,
    repair: options.modify_params === true || options.user_continue_message !== undefined,
    system: [],
    turns: [],
    documentIndex: { next: 0 },
    pendingToolCalls: new Set(),
  };
  for (const [index, message] of messages.entries()) {
    await appendMessage(conversation, message, `messages[${index}]`, index === messages.length - 1);
  }
  if (conversation.turns.length === 0)
    fail("messages has no user message (only system messages)", "messages", model);
  requireAnsweredToolCalls(conversation);
  const prefill = await resolvePrefill(conversation);
  const tools = validateTools(options.tools, options);
  return {
    system: conversation.system,
    turns: conversation.turns,
    tools: tools.tools,
    toolChoice: validateToolChoice(options.toolChoice, tools, model),
    responseFormat: options.responseFormat,
    prefill,
    ...(tools.serverTools.length > 0 ? { serverTools: tools.serverTools } : {}),
    ...(tools.renamed.size > 0 ? { toolNames: tools.renamed } : {}),
  };
}
