/**
 * The runtime's internal conversation model. OpenAI-shaped requests are validated and normalized
 * into it once (data URLs decoded, tool arguments parsed, system text collected); every codec and
 * the Converse route translate from it, and every response parser and stream decoder produces
 * the events below, which one assembler turns into OpenAI results.
 */
import type { FunctionTool, ResponseFormat, ThinkingBlock, ToolChoice } from "../types.js";

export interface TextBlock {
  readonly kind: "text";
  readonly text: string;
}

export interface ImageBlock {
  readonly kind: "image";
  /** `image/png`, `image/jpeg`, `image/gif`, `image/webp`. */
  readonly mediaType: string;
  /** `png`, `jpeg`, `gif`, `webp` (Converse's `format`). */
  readonly format: string;
  readonly base64: string;
  readonly bytes: Uint8Array;
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
  /** An S3 object (`s3://bucket/key`) Bedrock reads itself, in place of bytes (base64 and bytes are then empty). */
  readonly s3Uri?: string;
}

export interface ToolCallBlock {
  readonly kind: "tool_call";
  readonly id: string;
  readonly name: string;
  /** The JSON string as the caller gave it. */
  readonly arguments: string;
  /** The parsed arguments (an object; `{}` when the string was empty). */
  readonly input: Record<string, unknown>;
}

export interface ToolResultBlock {
  readonly kind: "tool_result";
  readonly toolCallId: string;
  readonly content: readonly (TextBlock | ImageBlock | DocumentBlock)[];
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
  | ToolCallBlock
  | ToolResultBlock
  | ReasoningBlock;

/** One turn. Tool results are user-side turns of role `tool` (codecs decide how to send them). */
export interface Turn {
  readonly role: "user" | "assistant" | "tool";
  readonly content: readonly ContentBlock[];
}

export interface NormalizedChat {
  /** System and developer messages, in order. */
  readonly system: readonly string[];
  readonly turns: readonly Turn[];
  readonly tools: readonly FunctionTool[];
  readonly toolChoice: ToolChoice | undefined;
  readonly responseFormat: ResponseFormat | undefined;
  /** True when the last turn is the assistant's: its text is the start of the answer (pre-fill). */
  readonly prefill: boolean;
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
  | { readonly kind: "text"; readonly text: string }
  | {
      readonly kind: "reasoning";
      readonly text?: string;
      readonly signature?: string;
      readonly redacted?: string;
    }
  | { readonly kind: "tool_start"; readonly block: number; readonly id: string; readonly name: string }
  | { readonly kind: "tool_delta"; readonly block: number; readonly arguments: string }
  | { readonly kind: "finish"; readonly reason: string | null }
  | {
      readonly kind: "usage";
      readonly promptTokens?: number;
      readonly completionTokens?: number;
      readonly cacheReadTokens?: number;
      readonly cacheWriteTokens?: number;
    }
  | { readonly kind: "guardrail"; readonly trace: unknown };
