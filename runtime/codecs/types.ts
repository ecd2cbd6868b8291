import type {
  ChatRequestMapping,
  ChatResponseMapping,
  ChatStreamMapping,
  MessagesCodec as MessagesCodecName,
  StreamCodec as StreamCodecName,
} from "../../generated/spec-types.js";
import type { DecodedMessage, NormalizedChat, StreamEvent } from "../chat/model.js";
import type { CatalogEntry } from "../descriptor.js";

export type { MessagesCodecName, StreamCodecName };

/** Every name a spec may give a codec: `chat.request.codec` (messages) or `chat.stream.codec` (streams). */
export type CodecName = MessagesCodecName | StreamCodecName;

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
  /**
   * Reads the assistant message from the value at the spec's `response.content` pointer (and the whole
   * body); `mapping` is the spec's response mapping (variants such as where reasoning travels).
   */
  decode(content: unknown, body: Record<string, unknown>, mapping: ChatResponseMapping): DecodedMessage;
}

/** A stream codec turns each decoded native chunk into events. One decoder per stream: it may keep state. */
export interface StreamCodec {
  /**
   * `response` is the family's unary mapping: some families send a whole response as one chunk, and
   * variants such as where reasoning travels are declared there once for answers and streams.
   */
  createDecoder(
    mapping: ChatStreamMapping,
    response: ChatResponseMapping,
  ): (chunk: Record<string, unknown>) => StreamEvent[];
}

/**
 * The parts a codec unit owes for its name: a codec named in the schema's MessagesCodec list must have a
 * `messages` part, one named in the StreamCodec list a `stream` part, and a name in both lists both.
 * The runtime (`MessagesCodec`, `StreamCodec`) and the emulator (its reader and writers) fill it with their
 * own part types, so a missing part of either half fails to compile.
 */
export type CodecParts<Name extends CodecName, Messages, Stream> = (Name extends MessagesCodecName
  ? { readonly messages: Messages }
  : { readonly messages?: never }) &
  (Name extends StreamCodecName ? { readonly stream: Stream } : { readonly stream?: never });

/** A registry with one entry for every codec name of the spec schema (a forgotten name fails to compile). */
export type CodecRegistry<Messages, Stream> = {
  readonly [Name in CodecName]: CodecParts<Name, Messages, Stream>;
};

/** The runtime half of a codec unit: encode, decode and stream decode, as its names require. */
export type CodecUnit<Name extends CodecName> = CodecParts<Name, MessagesCodec, StreamCodec>;
