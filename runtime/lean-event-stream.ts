/**
 * The event-stream marshaller of the lean call path's streaming operations (ConverseStream,
 * InvokeModelWithResponseStream): the client's own marshaller, with its reading side in one layer.
 *
 * The SDK reads an event stream through five async generators (the body, a splitter that copies every
 * message into a new array, a decoder, an unmarshaller, the serde's per-event reader), and reads every
 * event's JSON through its schema serde. Here one generator splits the body into messages (a message that
 * arrived whole in one chunk is not copied), decodes each with the SDK's own `EventStreamCodec` (prelude
 * and message CRCs checked, the same errors), and reads each ordinary event with the reader compiled from
 * the SDK's schema (operation-serde.ts `compileEventReader`). Everything else — exceptions, errors,
 * `initial-response`, events the schema does not know, bodies the SDK's number reviver would change —
 * goes through the SDK's own `getMessageUnmarshaller` and the per-event reader the SDK's serde passed in,
 * exactly as on `send`. Writing (an input event stream) is the client's marshaller's.
 *
 * `test/runtime/lean-send.test.ts` holds the events, exceptions and errors to the SDK's for the same bytes.
 */

import { createRequire } from "node:module";
import type { EventReader } from "./operation-serde.js";

const requireSdk = createRequire(import.meta.url);
const { EventStreamCodec, getMessageUnmarshaller } = requireSdk(
  "@smithy/core/event-streams",
) as typeof import("@smithy/core/event-streams");

type Message = ReturnType<InstanceType<typeof EventStreamCodec>["decode"]>;
type EventDeserializer = Parameters<typeof getMessageUnmarshaller>[0];

/** What the SDK's protocol asks of an event-stream marshaller. */
export interface EventStreamMarshallerLike {
  deserialize(body: unknown, deserializer: EventDeserializer): AsyncIterable<unknown>;
  serialize(input: AsyncIterable<unknown>, serializer: (event: unknown) => unknown): unknown;
}

interface Utf8 {
  readonly utf8Encoder: (bytes: Uint8Array) => string;
  readonly utf8Decoder: (text: string) => Uint8Array;
}

/**
 * The client's protocol, reading event streams with `marshaller`: a view of the protocol object (it
 * takes the marshaller from its own serde context, set once for the client), everything else shared.
 */
export function withEventStreamMarshaller<P extends object>(
  protocol: P,
  marshaller: EventStreamMarshallerLike,
): P {
  const view = Object.create(protocol) as P & { serdeContext: Record<string, unknown> };
  const context = (protocol as { serdeContext?: Record<string, unknown> }).serdeContext;
  view.serdeContext = { ...context, eventStreamMarshaller: marshaller };
  return view;
}

/** The client's marshaller with its reading side done in one layer, `read` reading ordinary events. */
export function leanEventStreamMarshaller(
  sdk: EventStreamMarshallerLike,
  utf8: Utf8,
  read: EventReader,
): EventStreamMarshallerLike {
  const codec = new EventStreamCodec(utf8.utf8Encoder, utf8.utf8Decoder);
  return {
    deserialize(body, deserializer) {
      const unmarshal = getMessageUnmarshaller(deserializer, utf8.utf8Encoder);
      return {
        async *[Symbol.asyncIterator]() {
          for await (const bytes of messagesOf(body as AsyncIterable<Uint8Array>)) {
            const message: Message = codec.decode(bytes);
            const headers = message.headers;
            if (headers[":message-type"]?.value === "event") {
              const eventType = headers[":event-type"]?.value;
              const event = typeof eventType === "string" ? read(eventType, message.body) : undefined;
              if (event !== undefined) {
                yield event;
                continue;
              }
            }
            const event = await unmarshal(message as never);
            if (event !== undefined) yield event;
          }
        },
      };
    },
    serialize: (input, serializer) => sdk.serialize(input, serializer),
  };
}

/**
 * The body's messages, each a whole frame (its 4-byte total length first), as the SDK's splitter cuts
 * them: a body that ends inside a message is "Truncated event message received."; one that ends inside
 * a message's length prefix ends without a word, as the SDK's does.
 */
async function* messagesOf(body: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  let pending: Uint8Array | undefined;
  for await (const chunk of body) {
    const bytes = pending ? concat(pending, chunk) : chunk;
    pending = undefined;
    let offset = 0;
    while (bytes.byteLength - offset >= 4) {
      const length = new DataView(bytes.buffer, bytes.byteOffset + offset, 4).getUint32(0, false);
      // A length too short to hold itself: the SDK's splitter fails writing it into a message that small.
      if (length < 4) new DataView(new ArrayBuffer(length)).setUint32(0, length, false);
      if (bytes.byteLength - offset < length) break;
      yield bytes.subarray(offset, offset + length);
      offset += length;
    }
    if (offset < bytes.byteLength) pending = bytes.slice(offset);
  }
  if (pending && pending.byteLength >= 4) throw new Error("Truncated event message received.");
}

function concat(first: Uint8Array, second: Uint8Array): Uint8Array {
  const joined = new Uint8Array(first.byteLength + second.byteLength);
  joined.set(first, 0);
  joined.set(second, first.byteLength);
  return joined;
}
