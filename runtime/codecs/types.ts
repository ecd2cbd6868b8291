import type {
  ChatRequestMapping,
  ChatResponseMapping,
  ChatStreamMapping,
} from "../../generated/spec-types.js";
import type { DecodedMessage, NormalizedChat, StreamEvent } from "../chat/model.js";
import type { CatalogEntry } from "../descriptor.js";

export interface CodecContext {
  readonly model: CatalogEntry;
  readonly mapping: ChatRequestMapping;
}

/**
 * A message codec writes a normalized conversation into a family's native InvokeModel body
 * (at the pointers the spec names) and reads the family's native response back.
 * Codecs throw only RequestValidationError (for conversations the family cannot express)
 * or ResponseParseError.
 */
export interface MessagesCodec {
  /** Writes messages, system, tools and tool choice into `body`. */
  encode(chat: NormalizedChat, body: Record<string, unknown>, context: CodecContext): void;
  /** Reads the assistant message from the value at the spec's `response.content` pointer (and the whole body). */
  decode(content: unknown, body: Record<string, unknown>): DecodedMessage;
}

/** A stream codec turns each decoded native chunk into events. One decoder per stream: it may keep state. */
export interface StreamCodec {
  /** `response` is the family's unary mapping: some families send a whole response as one chunk. */
  createDecoder(
    mapping: ChatStreamMapping,
    response?: ChatResponseMapping,
  ): (chunk: Record<string, unknown>) => StreamEvent[];
}
