/**
 * The runtime's internal conversation model. OpenAI-shaped requests are validated and normalized
 * into it once (data URLs decoded, tool arguments parsed, system text collected); every codec and
 * the Converse route translate from it, and every response parser and stream decoder produces
 * the events below, which one assembler turns into OpenAI results.
 */
import type { FunctionTool, ResponseFormat, ThinkingBlock, ToolChoice } from "../types.js";

/**
 * A prompt-cache checkpoint the caller set after a block: Anthropic's `cache_control`, which LiteLLM accepts
 * on system, user, assistant and tool messages, their parts, tool calls and tools. Converse sends it as a
 * `cachePoint` block after the cached one; Claude's and Nova's InvokeModel bodies carry it on the block.
 * https://docs.aws.amazon.com/bedrock/latest/userguide/prompt-caching.html
 */
export interface CacheMark {
  readonly type: "ephemeral";
  /** How long the cached prefix lives (Converse's CachePointBlock.ttl); Bedrock's default when absent. */
  readonly ttl?: "5m" | "1h";
}

export interface TextBlock {
  readonly kind: "text";
  readonly text: string;
  /**
   * Text a guardrail judges (LiteLLM's `guarded_text` part, or user text wrapped for a guardrail): Converse's
   * guardContent block; other routes send it as plain text.
   */
  readonly guard?: true;
  readonly cache?: CacheMark;
}

/** One system prompt block: a system or developer message, or one text part of one. */
export interface SystemBlock {
  readonly text: string;
  readonly cache?: CacheMark;
}

export interface ImageBlock {
  readonly kind: "image";
  /** `image/png`, `image/jpeg`, `image/gif`, `image/webp`. */
  readonly mediaType: string;
  /** `png`, `jpeg`, `gif`, `webp` (Converse's `format`). */
  readonly format: string;
  readonly base64: string;
  readonly bytes: Uint8Array;
  readonly cache?: CacheMark;
  /** An S3 object (`s3://bucket/key`) Bedrock reads itself, in place of bytes (base64 and bytes are then empty). */
  readonly s3Uri?: string;
}

export interface DocumentBlock {
  readonly kind: "document";
  readonly mediaType: string;
  /** `pdf`, `csv`, `doc`, `docx`, `xls`, `xlsx`, `html`, `txt`, `md`. */
  readonly format: string;
  /** A name Bedrock accepts (alphanumerics, spaces, hyphens, parentheses, brackets). */
  readonly name: string;
  readonly base64: string;
  readonly bytes: Uint8Array;
  readonly cache?: CacheMark;
  /** An S3 object (`s3://bucket/key`) Bedrock reads itself, in place of bytes (base64 and bytes are then empty). */
  readonly s3Uri?: string;
}

export interface AudioBlock {
  readonly kind: "audio";
  /** One of Converse's `AudioFormat` values (`wav`, `mp3`, `flac` …). */
  readonly format: string;
  readonly base64: string;
  readonly bytes: Uint8Array;
}

export interface ToolCallBlock {
  readonly kind: "tool_call";
  readonly id: string;
  readonly name: string;
  /** The JSON string as the caller gave it. */
  readonly arguments: string;
  /** The parsed arguments (an object; `{}` when the string was empty). */
  readonly input: Record<string, unknown>;
  readonly cache?: CacheMark;
}

export interface ToolResultBlock {
  readonly kind: "tool_result";
  readonly toolCallId: string;
  readonly content: readonly (TextBlock | ImageBlock | DocumentBlock)[];
  /** Set by the tool message or any of its parts: the checkpoint follows the whole result. */
  readonly cache?: CacheMark;
}

export interface ReasoningBlock {
  readonly kind: "reasoning";
  readonly text?: string;
  readonly signature?: string;
  /** Redacted reasoning, sent back as is. */
  readonly redacted?: string;
}

export type ContentBlock =
  | TextBlock
  | ImageBlock
  | DocumentBlock
  | AudioBlock
  | ToolCallBlock
  | ToolResultBlock
  | ReasoningBlock;

/** One turn. Tool results are user-side turns of role `tool` (codecs decide how to send them). */
export interface Turn {
  readonly role: "user" | "assistant" | "tool";
  readonly content: readonly ContentBlock[];
}

export interface NormalizedChat {
  /** System and developer messages, in order (the text parts of one message joined by a newline). */
  readonly system: readonly string[];
  /**
   * The same as blocks: each system message, or each text part of one, with its cache checkpoint (absent:
   * one block per entry of `system`).
   */
  readonly systemBlocks?: readonly SystemBlock[];
  readonly turns: readonly Turn[];
  readonly tools: readonly FunctionTool[];
  /** Cache checkpoints after tools, by the tool's index (a tool's `cache_control`, or an injection point). */
  readonly toolCache?: ReadonlyMap<number, CacheMark>;
  readonly toolChoice: ToolChoice | undefined;
  readonly responseFormat: ResponseFormat | undefined;
  /** True when the last turn is the assistant's: its text is the start of the answer (pre-fill). */
  readonly prefill: boolean;
  /** The model's own tools in its native form (Claude's computer use, bash, text editor), beside `tools`. */
  readonly serverTools?: readonly Readonly<Record<string, unknown>>[];
  /** Tool names rewritten for the wire → the caller's names (answers carry the rewritten ones). */
  readonly toolNames?: ReadonlyMap<string, string>;
}

/** What a response parser reads from one native response (or a stream decoder emits in pieces). */
export interface DecodedMessage {
  readonly text: string;
  readonly toolCalls: readonly { id: string; name: string; arguments: string }[];
  readonly reasoning: readonly ThinkingBlock[];
}

/** Events a stream decoder emits for each native chunk or Converse stream event. */
export type StreamEvent =
  | { readonly kind: "start"; readonly id?: string }
  /** `choice`: the generation a text or finish event belongs to, for families that answer several (0 when absent). */
  | { readonly kind: "text"; readonly text: string; readonly choice?: number }
  | {
      readonly kind: "reasoning";
      readonly text?: string;
      readonly signature?: string;
      readonly redacted?: string;
    }
  | { readonly kind: "tool_start"; readonly block: number; readonly id: string; readonly name: string }
  | { readonly kind: "tool_delta"; readonly block: number; readonly arguments: string }
  | { readonly kind: "finish"; readonly reason: string | null; readonly choice?: number }
  | {
      readonly kind: "usage";
      readonly promptTokens?: number;
      readonly completionTokens?: number;
      readonly cacheReadTokens?: number;
      readonly cacheWriteTokens?: number;
    }
  | { readonly kind: "guardrail"; readonly trace: unknown };
