/**
 * Event-stream frames (`application/vnd.amazon.eventstream`) as Bedrock Runtime sends them: a prelude
 * (total length, headers length, prelude CRC32), string headers, the JSON payload and a message CRC32.
 * Encoding goes through @smithy/eventstream-codec, the codec the AWS SDK decodes with.
 *
 * - InvokeModelWithResponseStream sends `chunk` events whose payload is `{"bytes": "<base64 of the chunk JSON>"}`.
 * - ConverseStream sends named events (`messageStart`, `contentBlockDelta`, ...) with the JSON payload.
 * - Exceptions inside a stream are frames with `:message-type: exception` and `:exception-type: <member>`,
 *   where the member is the exception's lowerCamel name in the stream union (`throttlingException`),
 *   which is what the SDK's unmarshaller looks up.
 * Real payloads carry a random-length padding field `p` (kept in ../shared/recordings); the emulator
 * adds a deterministic one unless told not to.
 */
import { EventStreamCodec } from "@smithy/eventstream-codec";
import { fromUtf8, toUtf8 } from "@smithy/util-utf8";

const codec = new EventStreamCodec(toUtf8, fromUtf8);

/** A decoded event-stream message (headers + body). */
export type Message = ReturnType<EventStreamCodec["decode"]>;
type MessageHeaders = Message["headers"];

const PADDING_ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

/** A deterministic stand-in for Bedrock's random `p` padding (its length varies with `index`). */
export function paddingFor(index: number): string {
  return PADDING_ALPHABET.slice(0, 3 + ((index * 17) % (PADDING_ALPHABET.length - 3)));
}

function stringHeader(value: string) {
  return { type: "string" as const, value };
}

/** Encodes one event frame with a JSON payload. */
export function encodeEventFrame(eventType: string, payload: unknown): Uint8Array {
  const headers: MessageHeaders = {
    ":event-type": stringHeader(eventType),
    ":content-type": stringHeader("application/json"),
    ":message-type": stringHeader("event"),
  };
  return codec.encode({ headers, body: fromUtf8(JSON.stringify(payload)) });
}

/** Encodes an InvokeModelWithResponseStream `chunk` event: the chunk JSON goes base64-encoded into `bytes`. */
export function encodeChunkFrame(chunk: unknown, extra?: Record<string, unknown>): Uint8Array {
  const bytes = Buffer.from(typeof chunk === "string" ? chunk : JSON.stringify(chunk), "utf8").toString(
    "base64",
  );
  return encodeEventFrame("chunk", extra ? { bytes, ...extra } : { bytes });
}

/** Encodes an exception frame; `member` is the lowerCamel union member (`modelStreamErrorException`). */
export function encodeExceptionFrame(member: string, body: unknown): Uint8Array {
  const headers: MessageHeaders = {
    ":exception-type": stringHeader(member),
    ":content-type": stringHeader("application/json"),
    ":message-type": stringHeader("exception"),
  };
  return codec.encode({ headers, body: fromUtf8(JSON.stringify(body)) });
}

/** A copy of a frame whose message CRC no longer matches (for the `bad-crc` fault). */
export function corruptMessageCrc(frame: Uint8Array): Uint8Array {
  const copy = Uint8Array.from(frame);
  const last = copy.length - 1;
  copy[last] = (copy[last]! ^ 0xff) & 0xff;
  return copy;
}

/** Decodes one complete frame (throws on a bad prelude or message CRC). */
export function decodeFrame(frame: Uint8Array): Message {
  return codec.decode(frame);
}

/** A decoded frame in the recordings' event shape. */
export interface DecodedStreamEvent {
  messageType: "event" | "exception";
  eventType?: string;
  exceptionType?: string;
  /** Invoke streams: the decoded JSON of the chunk's base64 `bytes`. */
  chunk?: unknown;
  /** Converse streams (and exceptions): the payload JSON as sent. */
  payload?: unknown;
  /** Invoke streams: payload members beside `bytes` (Bedrock's padding `p`). */
  payloadExtra?: Record<string, unknown>;
}

/**
 * Splits a buffer of concatenated frames into messages. Returns the frames decoded so far and the bytes
 * of an incomplete trailing frame.
 */
export function splitFrames(buffer: Uint8Array): { messages: Message[]; rest: Uint8Array } {
  const messages: Message[] = [];
  let offset = 0;
  while (buffer.length - offset >= 4) {
    const view = new DataView(buffer.buffer, buffer.byteOffset + offset);
    const total = view.getUint32(0, false);
    if (total < 16 || buffer.length - offset < total) break;
    messages.push(codec.decode(buffer.subarray(offset, offset + total)));
    offset += total;
  }
  return { messages, rest: buffer.subarray(offset) };
}

/** Turns a decoded frame into the recordings' event shape (`invoke` decodes chunk bytes). */
export function toStreamEvent(message: Message): DecodedStreamEvent {
  const messageType = String(message.headers[":message-type"]?.value ?? "event");
  const body = message.body.length > 0 ? JSON.parse(toUtf8(message.body)) : {};
  if (messageType === "exception") {
    return {
      messageType: "exception",
      exceptionType: String(message.headers[":exception-type"]?.value ?? ""),
      payload: body,
    };
  }
  const eventType = String(message.headers[":event-type"]?.value ?? "");
  if (eventType === "chunk" && body && typeof body === "object" && typeof body.bytes === "string") {
    const { bytes, ...extra } = body as { bytes: string } & Record<string, unknown>;
    const event: DecodedStreamEvent = {
      messageType: "event",
      eventType,
      chunk: JSON.parse(Buffer.from(bytes, "base64").toString("utf8")),
    };
    if (Object.keys(extra).length > 0) event.payloadExtra = extra;
    return event;
  }
  return { messageType: "event", eventType, payload: body };
}
