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
  InputAudioPart,
  ResponseFormat,
  SystemMessage,
  TextPart,
  ThinkingBlock,
  ToolCall,
  ToolChoice,
  ToolMessage,
  UserMessage,
} from "../types.js";
import { allCacheFields, type CacheField, readCacheMark } from "./cache.js";
import {
  defaultMaxImageBytes,
  type FetchedImage,
  fetchImageUrl,
  resolveFetchedMediaType,
} from "./image-fetch.js";
import type {
  AudioBlock,
  CacheMark,
  ContentBlock,
  DocumentBlock,
  ImageBlock,
  NormalizedChat,
  ReasoningBlock,
  SystemBlock,
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

/**
 * Converse's audio formats (the `AudioFormat` enum of the Bedrock Runtime service model,
 * test/reference/bedrock-runtime-service-model.json).
 */
const audioFormats: ReadonlySet<string> = new Set([
  "mp3",
  "opus",
  "wav",
  "aac",
  "flac",
  "mp4",
  "ogg",
  "mkv",
  "mka",
  "x-aac",
  "m4a",
  "mpeg",
  "mpga",
  "pcm",
  "webm",
]);

/** LiteLLM's text for a turn it inserts or fills under modify_params (`DEFAULT_USER_CONTINUE_MESSAGE`). */
const continueText = "Please continue.";

/** The user turn LiteLLM inserts under modify_params. */
const defaultContinueMessage: ChatMessage = { role: "user", content: continueText };

interface NormalizeOptions
  extends Pick<BehaviourOptions, "modify_params" | "user_continue_message" | "fetchImage" | "imageFetch"> {
  readonly model: string;
  /** The model accepts a final assistant turn as the start of its answer. */
  readonly allowPrefill: boolean;
  /** The model listens (its catalog input modalities name audio or speech); other models refuse audio parts. */
  readonly acceptsAudio?: boolean;
  readonly tools?: readonly (FunctionTool | ClaudeServerTool)[];
  readonly toolChoice?: ToolChoice | "any";
  readonly responseFormat?: ResponseFormat;
  /** LiteLLM's text for a blank assistant message under modify_params (default "Please continue."). */
  readonly assistantContinueMessage?: unknown;
  /** Where the model takes cache checkpoints (default: everywhere); other `cache_control` marks are dropped. */
  readonly cacheFields?: ReadonlySet<CacheField>;
  /** Told once when `cache_control` marks are dropped. */
  readonly warn?: (message: string) => void;
  /**
   * A guardrail judges the request through Converse: the text of the trailing user messages becomes guarded
   * text, as LiteLLM sends it, except in a message that already has a `guarded_text` part.
   */
  readonly guardUserText?: boolean;
  /** Tool names are rewritten to what Converse takes, as LiteLLM does (see tool-names.ts). */
  readonly sanitizeToolNames?: boolean;
  /** Tool types (prefixes) the model takes in its provider's own form (Claude's computer use, bash, text editor). */
  readonly serverToolTypes?: readonly string[];
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

/** What a content part becomes: text, an image, a document or audio. */
type PartBlock = TextBlock | ImageBlock | DocumentBlock | AudioBlock;

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

/** OpenAI's `input_audio` part: base64 bytes in one of Converse's audio formats, for models that listen. */
function convertAudioPart(part: InputAudioPart, param: string, options: NormalizeOptions): AudioBlock {
  const { model } = options;
  if (options.acceptsAudio === false) {
    fail(
      `${param}: ${model} does not take audio input (models that do list audio among their inputs)`,
      param,
      model,
    );
  }
  const audio = part.input_audio;
  if (audio === null || typeof audio !== "object" || typeof audio.data !== "string")
    fail(`${param}.input_audio must be {data: <base64>, format}`, param, model);
  const format = typeof audio.format === "string" ? audio.format.toLowerCase() : "";
  if (!audioFormats.has(format)) {
    fail(
      `${param}.input_audio.format ${JSON.stringify(audio.format)} is not an audio format Bedrock takes (${[...audioFormats].join(", ")})`,
      param,
      model,
    );
  }
  const bytes = Buffer.from(audio.data, "base64");
  if (bytes.length === 0) fail(`${param}: the audio data is empty`, param, model);
  return { kind: "audio", format, base64: audio.data, bytes };
}

/** LiteLLM's `guarded_text` part: text a guardrail judges on its own (Converse's guardContent). */
function convertGuardedTextPart(part: { text?: unknown }, param: string, model: string): TextBlock {
  if (typeof part.text !== "string") fail(`${param}.text must be a string`, param, model);
  return { kind: "text", text: part.text, guard: true };
}

async function convertPartBlock(
  part: ContentPart,
  param: string,
  options: NormalizeOptions,
  documentIndex: { next: number },
): Promise<PartBlock> {
  const { model } = options;
  switch (part.type) {
    case "text":
      return convertTextPart(part, param, model);
    case "guarded_text":
      return convertGuardedTextPart(part, param, model);
    case "image_url":
      return convertImagePart(part, param, options, documentIndex);
    case "file":
      return convertFilePart(part, param, model, documentIndex);
    case "input_audio":
      return convertAudioPart(part, param, options);
    default:
      return fail(
        `${param}: content part type "${(part as { type?: unknown }).type}" is not supported (text, guarded_text, image_url, file, input_audio)`,
        param,
        model,
      );
  }
}

/** A block with the cache checkpoint the caller set after it (when the model takes one there). */
function withCache<T extends ContentBlock>(block: T, cache: CacheMark | undefined): T {
  return cache ? { ...block, cache } : block;
}

async function convertPart(
  part: ContentPart,
  param: string,
  options: NormalizeOptions,
  documentIndex: { next: number },
  cacheMarks?: CacheMarks,
): Promise<PartBlock> {
  const { model } = options;
  if (part === null || typeof part !== "object") fail(`${param} must be a content part object`, param, model);
  const block = await convertPartBlock(part, param, options, documentIndex);
  const cache = (part as { cache_control?: unknown }).cache_control;
  return cache === undefined || !cacheMarks
    ? block
    : withCache(block, cacheMarks.read(cache, param, "messages"));
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

/**
 * Reads the caller's cache marks where the model takes them; a mark elsewhere (or on a model without prompt
 * caching) is checked, then dropped with one warning: a checkpoint is a hint, and Bedrock rejects one it
 * does not support.
 */
class CacheMarks {
  #dropped = false;
  constructor(
    readonly fields: ReadonlySet<CacheField>,
    readonly model: string,
  ) {}

  read(value: unknown, param: string, field: CacheField): CacheMark | undefined {
    const mark = readCacheMark(value, param, this.model);
    if (mark && !this.fields.has(field)) {
      this.#dropped = true;
      return undefined;
    }
    return mark;
  }

  warnIfDropped(warn: ((message: string) => void) | undefined): void {
    if (!this.#dropped || !warn) return;
    const where = [...this.fields];
    warn(
      `bedrock-forge: dropping cache_control for ${this.model}: ${where.length === 0 ? "the model has no prompt caching on Bedrock" : `its cache checkpoints go in ${where.join(", ")} only`}`,
    );
  }
}

/** A system message as system blocks: one per non-blank text part, each with its cache checkpoint. */
function systemBlocksOf(message: SystemMessage, param: string, marks: CacheMarks): SystemBlock[] {
  const messageCache = marks.read(message.cache_control, param, "system");
  const blocks: SystemBlock[] = [];
  if (typeof message.content === "string") {
    if (message.content.trim() !== "") blocks.push({ text: message.content });
  } else if (Array.isArray(message.content)) {
    message.content.forEach((part, index) => {
      const partParam = `${param}.content[${index}]`;
      const cache = marks.read(part.cache_control, partParam, "system");
      if (part.text.trim() !== "") blocks.push(cache ? { text: part.text, cache } : { text: part.text });
    });
  }
  const last = blocks[blocks.length - 1];
  if (messageCache && last) blocks[blocks.length - 1] = { ...last, cache: messageCache };
  return blocks;
}

/** The message's cache mark on its last block (a message-level `cache_control`). */
function markLastBlock(blocks: ContentBlock[], cache: CacheMark | undefined): void {
  const last = blocks[blocks.length - 1];
  if (cache && last) blocks[blocks.length - 1] = withCache(last, cache);
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

/** Cache checkpoints after tools (each tool's `cache_control`), by the tool's index. */
function readToolCache(tools: readonly FunctionTool[], marks: CacheMarks): ReadonlyMap<number, CacheMark> {
  const cache = new Map<number, CacheMark>();
  tools.forEach((tool, index) => {
    if (tool.cache_control === undefined) return;
    const mark = marks.read(tool.cache_control, `tools[${index}]`, "tools");
    if (mark) cache.set(index, mark);
  });
  return cache;
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
  readonly systemBlocks: SystemBlock[];
  readonly cacheMarks: CacheMarks;
  readonly turns: { role: Turn["role"]; content: ContentBlock[] }[];
  readonly documentIndex: { next: number };
  /** Ids of the assistant's tool calls that no tool message has answered yet. */
  readonly pendingToolCalls: Set<string>;
  /** Where the blocks of the user messages since the last assistant or tool message went. */
  readonly trailingUserBlocks: { content: ContentBlock[]; start: number; count: number }[];
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

/** Appends a user message's blocks and remembers where they went (for the guardrail's trailing text). */
function pushUserBlocks(conversation: Conversation, blocks: ContentBlock[]): void {
  pushTurn(conversation, "user", blocks);
  const content = conversation.turns[conversation.turns.length - 1]!.content;
  conversation.trailingUserBlocks.push({
    content,
    start: content.length - blocks.length,
    count: blocks.length,
  });
}

/**
 * The text of the trailing user messages as guarded text (LiteLLM's automatic guardContent under a
 * guardrail); a message that already has a guarded_text part is left as the caller wrote it.
 * https://docs.aws.amazon.com/bedrock/latest/userguide/guardrails-use-converse-api.html
 */
function guardTrailingUserText(conversation: Conversation): void {
  for (const { content, start, count } of conversation.trailingUserBlocks) {
    const blocks = content.slice(start, start + count);
    if (blocks.some((block) => block.kind === "text" && block.guard)) continue;
    blocks.forEach((block, offset) => {
      if (block.kind === "text") content[start + offset] = { ...block, guard: true };
    });
  }
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
      convertPart(
        part,
        `${param}.content[${partIndex}]`,
        conversation.options,
        conversation.documentIndex,
        conversation.cacheMarks,
      ),
    ),
  );
}

function appendSystemMessage(conversation: Conversation, message: SystemMessage, param: string): void {
  const text = textOf(message.content, `${param}.content`, conversation.model);
  if (text.trim() !== "") conversation.system.push(text);
  conversation.systemBlocks.push(...systemBlocksOf(message, param, conversation.cacheMarks));
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
    // LiteLLM fills a blank user message with its continue text under modify_params.
    blocks = [{ kind: "text", text: continueText }];
  }
  markLastBlock(blocks, conversation.cacheMarks.read(message.cache_control, param, "messages"));
  requireToolResults(conversation, param, "user");
  pushUserBlocks(conversation, blocks);
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
 * An assistant message's content split: the thinking and redacted_thinking parts a content list may carry
 * (Anthropic's block shapes, as LiteLLM accepts them) as reasoning blocks, and the rest (its text parts).
 */
function assistantContentOf(
  content: unknown,
  param: string,
  model: string,
): { reasoning: ReasoningBlock[]; rest: unknown } {
  if (!Array.isArray(content)) return { reasoning: [], rest: content };
  const reasoning: ReasoningBlock[] = [];
  const rest: unknown[] = [];
  content.forEach((part, index) => {
    const at = `${param}[${index}]`;
    if (part?.type === "thinking" || part?.type === "redacted_thinking")
      reasoning.push(convertThinkingBlock(part as ThinkingBlock, at, model));
    else if (part?.type === "text") rest.push(part);
    else fail(`${at} must be a text, thinking or redacted_thinking part`, at, model);
  });
  return { reasoning, rest };
}

function convertToolCall(
  call: ToolCall,
  param: string,
  options: NormalizeOptions,
  marks: CacheMarks,
): ToolCallBlock {
  const { model } = options;
  if (call?.type !== "function" || typeof call.function?.name !== "string" || typeof call.id !== "string") {
    fail(`${param} must be {id, type: "function", function: {name, arguments}}`, param, model);
  }
  const block: ToolCallBlock = {
    kind: "tool_call",
    id: call.id,
    // An earlier call goes back under the name its tool is sent with.
    name: options.sanitizeToolNames ? sanitizeToolName(call.function.name) : call.function.name,
    arguments: call.function.arguments ?? "",
    input: parseArguments(call.function.arguments, `${param}.function.arguments`, model),
  };
  return call.cache_control === undefined
    ? block
    : withCache(block, marks.read(call.cache_control, param, "messages"));
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
    const block = convertToolCall(
      call,
      `${param}.tool_calls[${callIndex}]`,
      conversation.options,
      conversation.cacheMarks,
    );
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

/**
 * An assistant message's text: its parts joined by a newline, as one block, or split after each part that
 * carries a cache checkpoint. Blank text (empty or whitespace only) gives no block.
 */
function assistantTextBlocks(content: unknown, param: string, marks: CacheMarks): TextBlock[] {
  const text = textOf(content, `${param}.content`, marks.model);
  const parts = content as readonly TextPart[];
  if (!Array.isArray(content) || !parts.some((part) => part.cache_control !== undefined)) {
    return text.trim() === "" ? [] : [{ kind: "text", text }];
  }
  const blocks: TextBlock[] = [];
  let pending: string[] = [];
  parts.forEach((part, index) => {
    pending.push(part.text);
    const cache = marks.read(part.cache_control, `${param}.content[${index}]`, "messages");
    if (!cache) return;
    const joined = pending.join("\n");
    if (joined.trim() !== "") blocks.push({ kind: "text", text: joined, cache });
    pending = [];
  });
  const rest = pending.join("\n");
  if (rest.trim() !== "") blocks.push({ kind: "text", text: rest });
  return blocks;
}

/** The text a blank assistant message gets under repair: `assistant_continue_message`, else "Please continue.". */
function assistantContinueText(conversation: Conversation): string {
  const given = conversation.options.assistantContinueMessage;
  if (given === undefined || given === null) return continueText;
  const content = typeof given === "string" ? given : (given as { content?: unknown }).content;
  const text =
    typeof content === "string" || Array.isArray(content)
      ? textOf(content, "assistant_continue_message.content", conversation.model)
      : undefined;
  if (
    text === undefined ||
    text.trim() === "" ||
    (typeof given === "object" && (given as { role?: unknown }).role !== "assistant")
  ) {
    fail(
      'assistant_continue_message must be an assistant message ({role: "assistant", content}) or a string, with non-blank text',
      "assistant_continue_message",
      conversation.model,
    );
  }
  return text;
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
  const { reasoning, rest } = assistantContentOf(message.content, `${param}.content`, model);
  blocks.push(...reasoning);
  blocks.push(...assistantTextBlocks(rest, param, conversation.cacheMarks));
  blocks.push(...convertToolCalls(conversation, message, param));
  if (!blocks.some((block) => block.kind !== "reasoning")) {
    // Bedrock rejects blank text ("The text field in the ContentBlock object ... is blank"); LiteLLM fills
    // a blank assistant message, the last one too, with its continue text under modify_params.
    if (!conversation.repair) {
      fail(
        isLast
          ? `${param} is an empty assistant message; Bedrock rejects blank messages (set modify_params to repair)`
          : `${param} has empty content; Bedrock rejects blank messages (set modify_params to repair)`,
        `${param}.content`,
        model,
      );
    }
    blocks.push({ kind: "text", text: assistantContinueText(conversation) });
  }
  markLastBlock(blocks, conversation.cacheMarks.read(message.cache_control, param, "messages"));
  await requireUserTurnBefore(conversation, param);
  pushTurn(conversation, "assistant", blocks);
  conversation.trailingUserBlocks.length = 0;
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
  if (parts.some((part) => part.kind === "audio"))
    fail(`${param}: a tool result carries text, images and documents, not audio`, param, conversation.model);
  // A checkpoint set on the message or on any of its parts follows the whole tool result (as LiteLLM places
  // it): Converse's tool result content has no cachePoint of its own.
  const kept = parts as ToolResultBlock["content"];
  const cache =
    conversation.cacheMarks.read(message.cache_control, param, "messages") ??
    kept.find((part) => part.cache)?.cache;
  const content = cache ? kept.map(({ cache: _cache, ...part }) => part as typeof part) : kept;
  const result: ToolResultBlock = {
    kind: "tool_result",
    toolCallId: callId,
    content,
    ...(cache ? { cache } : {}),
  };
  pushTurn(conversation, "tool", [result]);
  conversation.trailingUserBlocks.length = 0;
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
  const cacheMarks = new CacheMarks(options.cacheFields ?? allCacheFields, model);
  const conversation: Conversation = {
    options: { ...options, imageFetches: startImageFetches(messages, options) },
    model,
    repair: options.modify_params === true || options.user_continue_message !== undefined,
    system: [],
    systemBlocks: [],
    cacheMarks,
    turns: [],
    documentIndex: { next: 0 },
    pendingToolCalls: new Set(),
    trailingUserBlocks: [],
  };
  for (const [index, message] of messages.entries()) {
    await appendMessage(conversation, message, `messages[${index}]`, index === messages.length - 1);
  }
  if (conversation.turns.length === 0)
    fail("messages has no user message (only system messages)", "messages", model);
  requireAnsweredToolCalls(conversation);
  if (options.guardUserText) guardTrailingUserText(conversation);
  const prefill = await resolvePrefill(conversation);
  const tools = validateTools(options.tools, options);
  const toolCache = readToolCache(tools.tools, cacheMarks);
  cacheMarks.warnIfDropped(options.warn);
  return {
    system: conversation.system,
    systemBlocks: conversation.systemBlocks,
    turns: conversation.turns,
    tools: tools.tools,
    ...(toolCache.size > 0 ? { toolCache } : {}),
    toolChoice: validateToolChoice(options.toolChoice, tools, model),
    responseFormat: options.responseFormat,
    prefill,
    ...(tools.serverTools.length > 0 ? { serverTools: tools.serverTools } : {}),
    ...(tools.renamed.size > 0 ? { toolNames: tools.renamed } : {}),
  };
}
