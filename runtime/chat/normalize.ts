import { RequestValidationError } from "../errors.js";
import type {
  AssistantMessage,
  BehaviourOptions,
  ChatMessage,
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
import {
  defaultMaxImageBytes,
  type FetchedImage,
  fetchImageUrl,
  resolveFetchedMediaType,
} from "./image-fetch.js";
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
  extends Pick<BehaviourOptions, "modify_params" | "user_continue_message" | "fetchImage" | "imageFetch"> {
  readonly model: string;
  /** The model accepts a final assistant turn as the start of its answer. */
  readonly allowPrefill: boolean;
  readonly tools?: readonly FunctionTool[];
  readonly toolChoice?: ToolChoice;
  readonly responseFormat?: ResponseFormat;
  /** The conversation's image fetches, started together before any message is converted. */
  readonly imageFetches?: ReadonlyMap<string, Promise<SettledFetch>>;
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
    fail(
      `${param}: image type ${mediaType} is not supported by ${model} (use png, jpeg, gif or webp)`,
      param,
      model,
    );
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

/** The URL of an image part (`image_url` as a string or `{url}`), or undefined. */
function imageUrlOf(part: ImagePart): string | undefined {
  const url = typeof part.image_url === "string" ? part.image_url : part.image_url?.url;
  return typeof url === "string" && url !== "" ? url : undefined;
}

/**
 * Image URL schemes that are read: data URLs are decoded, http(s) URLs fetched, s3 URLs passed to Bedrock
 * as an S3 location; any other scheme is refused before anything is fetched or sent.
 */
function requireImageScheme(url: string, param: string, model: string): void {
  if (/^(?:data|https?|s3):/i.test(url)) return;
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1];
  fail(
    `${param}: image URLs must be data:, http:, https: or s3: URLs (got ${scheme ? `${scheme}:` : "no scheme"})`,
    param,
    model,
  );
}

/** Where an http(s) image URL's bytes come from: the caller's `fetchImage`, else the built-in fetcher; undefined when fetching is off. */
function imageFetcherFor(options: NormalizeOptions): ((url: string) => Promise<FetchedImage>) | undefined {
  if (options.imageFetch === false) return undefined;
  if (options.fetchImage) return options.fetchImage;
  const settings = options.imageFetch ?? {};
  return (url) => fetchImageUrl(url, settings);
}

/** A fetch's outcome; it never rejects, so fetches started together leave no unhandled rejection behind. */
type SettledFetch =
  | { readonly ok: true; readonly image: FetchedImage }
  | { readonly ok: false; readonly error: unknown };

function settleFetch(fetching: Promise<FetchedImage>): Promise<SettledFetch> {
  return fetching.then(
    (image) => ({ ok: true, image }),
    (error: unknown) => ({ ok: false, error }),
  );
}

/** The image parts of a user or tool message, with their params. */
function imagePartsOf(message: unknown, param: string): { url: string | undefined; param: string }[] {
  const content = (message as { content?: unknown } | null)?.content;
  if (!Array.isArray(content)) return [];
  return content.flatMap((part: unknown, index) =>
    (part as { type?: unknown } | null)?.type === "image_url"
      ? [{ url: imageUrlOf(part as ImagePart), param: `${param}.content[${index}]` }]
      : [],
  );
}

/**
 * Checks every image URL's scheme, then starts every http(s) fetch of the conversation at once (each URL
 * once), so the request waits for the slowest image rather than for their sum.
 */
function startImageFetches(
  messages: readonly ChatMessage[],
  options: NormalizeOptions,
): ReadonlyMap<string, Promise<SettledFetch>> {
  const parts = [
    ...messages.flatMap((message, index) => imagePartsOf(message, `messages[${index}]`)),
    ...imagePartsOf(options.user_continue_message, "user_continue_message"),
  ];
  const urls = new Set<string>();
  for (const part of parts) {
    if (part.url === undefined) continue;
    requireImageScheme(part.url, part.param, options.model);
    if (/^https?:/i.test(part.url)) urls.add(part.url);
  }
  const fetcher = imageFetcherFor(options);
  const fetches = new Map<string, Promise<SettledFetch>>();
  if (!fetcher) return fetches;
  for (const url of urls) fetches.set(url, settleFetch(Promise.resolve().then(() => fetcher(url))));
  return fetches;
}

/** A decoded or fetched file in a message: an image block, or a document block for document types (as LiteLLM does). */
function mediaBlockFrom(
  mediaType: string,
  base64: string,
  param: string,
  model: string,
  documentIndex: { next: number },
): ImageBlock | DocumentBlock {
  const format = documentFormats[mediaType];
  if (imageFormats[mediaType] || !format) return imageFromBase64(mediaType, base64, param, model);
  const index = documentIndex.next++;
  return {
    kind: "document",
    mediaType,
    format,
    name: documentName(undefined, index),
    base64,
    bytes: Buffer.from(base64, "base64"),
  };
}

/** The bytes behind an http(s) image URL, fetched (or taken from the fetches started for the conversation). */
async function fetchedImage(url: string, param: string, options: NormalizeOptions): Promise<FetchedImage> {
  const { model } = options;
  const fetcher = imageFetcherFor(options);
  if (!fetcher) {
    return fail(
      `${param}: fetching image URLs is turned off (imageFetch: false); pass a data: URL (data:image/png;base64,…) instead of ${url}`,
      param,
      model,
    );
  }
  const settled = await (options.imageFetches?.get(url) ??
    settleFetch(Promise.resolve().then(() => fetcher(url))));
  if (!settled.ok) {
    const reason = settled.error instanceof Error ? settled.error.message : String(settled.error);
    return fail(`${param}: the image URL ${url} could not be fetched: ${reason}`, param, model);
  }
  const maxBytes = (options.imageFetch || undefined)?.maxBytes ?? defaultMaxImageBytes;
  if (settled.image.bytes.length > maxBytes) {
    fail(
      `${param}: the image at ${url} is larger than the ${maxBytes}-byte limit for image URLs`,
      param,
      model,
    );
  }
  return settled.image;
}

/** Media types by file extension, for s3:// objects (which are not fetched). */
const mediaTypesByExtension: Readonly<Record<string, string>> = {
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  gif: "image/gif",
  webp: "image/webp",
  pdf: "application/pdf",
  csv: "text/csv",
  doc: "application/msword",
  docx: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
  xls: "application/vnd.ms-excel",
  xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
  html: "text/html",
  txt: "text/plain",
  md: "text/markdown",
};

/**
 * An `s3://bucket/key` image or document: Bedrock reads it itself (Converse `source.s3Location`), so its
 * format comes from `image_url.format` or the key's extension.
 */
function s3MediaBlock(
  url: string,
  declared: string | undefined,
  param: string,
  model: string,
  documentIndex: { next: number },
): ImageBlock | DocumentBlock {
  if (!/^s3:\/\/[^/]+\/./i.test(url))
    fail(`${param}: an s3 URL must be s3://bucket/key (got ${url})`, param, model);
  const extension = /\.([a-z0-9]+)$/i.exec(url)?.[1]?.toLowerCase();
  const mediaType = declared ?? (extension ? mediaTypesByExtension[extension] : undefined);
  if (!mediaType) {
    fail(
      `${param}: the format of ${url} is unknown (its key has no png, jpeg, gif, webp or document extension); give image_url.format, e.g. "image/png"`,
      param,
      model,
    );
  }
  const format = imageFormats[mediaType] ?? documentFormats[mediaType];
  if (!format)
    fail(
      `${param}: image type ${mediaType} is not supported by ${model} (use png, jpeg, gif or webp)`,
      param,
      model,
    );
  const empty = { base64: "", bytes: new Uint8Array(0), s3Uri: url };
  if (imageFormats[mediaType]) {
    return {
      kind: "image",
      mediaType: mediaType === "image/jpg" ? "image/jpeg" : mediaType,
      format,
      ...empty,
    };
  }
  return {
    kind: "document",
    mediaType,
    format,
    name: documentName(undefined, documentIndex.next++),
    ...empty,
  };
}

async function convertImagePart(
  part: ImagePart,
  param: string,
  options: NormalizeOptions,
  documentIndex: { next: number },
): Promise<ImageBlock | DocumentBlock> {
  const { model } = options;
  const url = imageUrlOf(part);
  if (url === undefined) return fail(`${param}.image_url.url must be a URL string`, param, model);
  // LiteLLM reads an `image_url.format` (a media type) as overriding the URL's own type.
  const declared = typeof part.image_url === "object" ? part.image_url.format?.toLowerCase() : undefined;
  const data = parseDataUrl(url);
  if (data) return mediaBlockFrom(declared ?? data.mediaType, data.base64, param, model, documentIndex);
  requireImageScheme(url, param, model);
  if (/^s3:/i.test(url)) return s3MediaBlock(url, declared, param, model, documentIndex);
  const fetched = await fetchedImage(url, param, options);
  const mediaType = declared ?? resolveFetchedMediaType(fetched);
  if (!mediaType) {
    fail(
      `${param}: ${url} named no content type and its bytes are not png, jpeg, gif, webp or pdf`,
      param,
      model,
    );
  }
  return mediaBlockFrom(
    mediaType,
    Buffer.from(fetched.bytes).toString("base64"),
    param,
    model,
    documentIndex,
  );
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
      return convertImagePart(part, param, options, documentIndex);
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

function convertToolCall(call: ToolCall, param: string, model: string): ToolCallBlock {
  if (call?.type !== "function" || typeof call.function?.name !== "string" || typeof call.id !== "string") {
    fail(`${param} must be {id, type: "function", function: {name, arguments}}`, param, model);
  }
  return {
    kind: "tool_call",
    id: call.id,
    name: call.function.name,
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
    const block = convertToolCall(call, `${param}.tool_calls[${callIndex}]`, conversation.model);
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
  const text = textOf(message.content, `${param}.content`, model);
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
    options: { ...options, imageFetches: startImageFetches(messages, options) },
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
  const tools = validateTools(options.tools, model);
  return {
    system: conversation.system,
    turns: conversation.turns,
    tools,
    toolChoice: validateToolChoice(options.toolChoice, tools, model),
    responseFormat: options.responseFormat,
    prefill,
  };
}
