/**
 * The lean event-stream marshaller (runtime/lean-event-stream.ts) against its oracle, the SDK itself: the
 * Bedrock Runtime client's own protocol reads the same response bytes, arriving in the same chunks, once
 * with the client's event-stream marshaller and once with the lean one; the events, and the error that
 * ends the stream, must be the same.
 *
 * Frames are encoded with @smithy/eventstream-codec (the framing of the AWS event-stream format). Event
 * and exception names and fields are those of the Bedrock Runtime service model's ConverseStream and
 * InvokeModelWithResponseStream unions (test/reference/bedrock-runtime-service-model.json); an `error`
 * message carries `:error-code` and `:error-message` headers, as the event-stream format defines.
 */
import { Readable } from "node:stream";
import {
  BedrockRuntimeClient,
  ConverseStream$,
  InvokeModelWithResponseStream$,
} from "@aws-sdk/client-bedrock-runtime";
import { EventStreamCodec } from "@smithy/eventstream-codec";
import { HttpResponse } from "@smithy/protocol-http";
import { fromUtf8, toUtf8 } from "@smithy/util-utf8";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type EventStreamMarshallerLike,
  leanEventStreamMarshaller,
  withEventStreamMarshaller,
} from "../../runtime/lean-event-stream.js";
import { compileEventReader, type OperationSchemaArray } from "../../runtime/operation-serde.js";

const client = new BedrockRuntimeClient({
  region: "us-east-1",
  credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret" },
});
const config = client.config as unknown as {
  protocol: {
    deserializeResponse(schema: object, context: object, response: unknown): Promise<Record<string, unknown>>;
  };
  eventStreamMarshaller: EventStreamMarshallerLike;
  utf8Encoder: (bytes: Uint8Array) => string;
  utf8Decoder: (text: string) => Uint8Array;
} & Record<string, unknown>;
const codec = new EventStreamCodec(toUtf8, fromUtf8);

function schemaOf(operation: OperationSchemaArray) {
  const [, namespace, name, traits, input, output] = operation;
  return { namespace, name, traits, input, output };
}

const text = (value: string) => ({ type: "string" as const, value });
const frame = (headers: Record<string, string>, body: string) =>
  codec.encode({
    headers: Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, text(value)])),
    body: fromUtf8(body),
  });
const eventFrame = (type: string, body: unknown) =>
  frame(
    { ":event-type": type, ":content-type": "application/json", ":message-type": "event" },
    typeof body === "string" ? body : JSON.stringify(body),
  );
const exceptionFrame = (type: string, body: unknown) =>
  frame(
    { ":exception-type": type, ":content-type": "application/json", ":message-type": "exception" },
    JSON.stringify(body),
  );
const errorFrame = (code: string, message: string) =>
  frame({ ":message-type": "error", ":error-code": code, ":error-message": message }, "");
const corrupted = (bytes: Uint8Array) => {
  const copy = Uint8Array.from(bytes);
  copy[copy.length - 1] = (copy[copy.length - 1]! ^ 0xff) & 0xff;
  return copy;
};

const blob = fc.uint8Array({ maxLength: 12 }).map((bytes) => Buffer.from(bytes).toString("base64"));
const converseEvent = fc.oneof(
  fc.constant(eventFrame("messageStart", { role: "assistant" })),
  fc
    .record({ index: fc.nat(3), text: fc.string({ maxLength: 20 }) })
    .map(({ index, text }) => eventFrame("contentBlockDelta", { contentBlockIndex: index, delta: { text } })),
  fc
    .record({ index: fc.nat(3), input: fc.string({ maxLength: 20 }) })
    .map(({ index, input }) =>
      eventFrame("contentBlockDelta", { contentBlockIndex: index, delta: { toolUse: { input } } }),
    ),
  blob.map((redactedContent) =>
    eventFrame("contentBlockDelta", {
      contentBlockIndex: 0,
      delta: { reasoningContent: { redactedContent } },
    }),
  ),
  fc.constant(
    eventFrame("contentBlockStart", {
      contentBlockIndex: 1,
      start: { toolUse: { toolUseId: "t1", name: "f" } },
    }),
  ),
  // A delta kind this SDK does not know: `$unknown`.
  fc.constant(eventFrame("contentBlockDelta", { contentBlockIndex: 0, delta: { citation: { title: "x" } } })),
  fc.constant(eventFrame("contentBlockStop", { contentBlockIndex: 0 })),
  fc.constant(eventFrame("contentBlockStop", "")),
  // Numbers the SDK's reviver keeps or changes (Node 22+): written as raw text.
  fc
    .constantFrom("end_turn", "tool_use")
    .chain((stopReason) =>
      fc
        .constantFrom('{"n":1.5}', '{"n":1.50,"big":12345678901234567890}', '{"n":[3,-0.25]}')
        .map((fields) =>
          eventFrame(
            "messageStop",
            `{"stopReason":"${stopReason}","additionalModelResponseFields":${fields}}`,
          ),
        ),
    ),
  fc.constant(
    eventFrame("metadata", {
      usage: { inputTokens: 5, outputTokens: 4, totalTokens: 9 },
      metrics: { latencyMs: 80 },
    }),
  ),
  // An event type the union does not know: skipped by the SDK.
  fc.constant(eventFrame("futureEvent", { anything: true })),
  fc.constant(
    exceptionFrame("modelStreamErrorException", { message: "stream failed", originalStatusCode: 500 }),
  ),
  fc.constant(exceptionFrame("throttlingException", { message: "slow down" })),
  fc.constant(exceptionFrame("someNewException", { message: "new" })),
  fc.constant(errorFrame("InternalFailure", "the stream broke")),
);
const chunkEvent = fc.oneof(
  blob.map((bytes) => eventFrame("chunk", { bytes })),
  fc.constant(exceptionFrame("modelTimeoutException", { message: "timed out" })),
  fc.constant(eventFrame("chunk", { bytes: "e30=", extra: 1 })),
);

/** A stream's frames, maybe with a bad CRC or cut short, arriving in random pieces. */
function streamBody(event: fc.Arbitrary<Uint8Array>) {
  return fc
    .record({
      frames: fc.array(event, { maxLength: 8 }),
      corrupt: fc.option(fc.nat(7), { nil: undefined }),
      cutAt: fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: undefined }),
      cuts: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 6 }),
    })
    .map(({ frames, corrupt, cutAt, cuts }) => {
      const chosen = frames.map((bytes, index) => (index === corrupt ? corrupted(bytes) : bytes));
      let whole = Buffer.concat(chosen);
      if (cutAt !== undefined) whole = whole.subarray(0, Math.floor(whole.length * cutAt));
      const points = [...new Set(cuts.map((cut) => Math.floor(whole.length * cut)))].sort((a, b) => a - b);
      const pieces: Buffer[] = [];
      let start = 0;
      for (const point of [...points, whole.length]) {
        if (point > start) pieces.push(Buffer.from(whole.subarray(start, point)));
        start = Math.max(start, point);
      }
      return pieces;
    });
}

interface Outcome {
  events: unknown[];
  error: { name: string; message: string } | undefined;
}

async function read(operation: OperationSchemaArray, member: string, pieces: Buffer[], lean: boolean) {
  const context = {
    ...config,
    endpoint: async () => ({ protocol: "https:", hostname: "example.com", path: "/" }),
  };
  const reader = compileEventReader(operation)!;
  const protocol = lean
    ? withEventStreamMarshaller(
        config.protocol,
        leanEventStreamMarshaller(config.eventStreamMarshaller, config, reader),
      )
    : config.protocol;
  const response = new HttpResponse({
    statusCode: 200,
    headers: { "content-type": "application/vnd.amazon.eventstream" },
    body: Readable.from(pieces),
  });
  const outcome: Outcome = { events: [], error: undefined };
  try {
    const output = await protocol.deserializeResponse(schemaOf(operation), context, response);
    for await (const event of output[member] as AsyncIterable<unknown>) outcome.events.push(event);
  } catch (error) {
    const failure = error as Error;
    outcome.error = { name: failure.name, message: failure.message };
  }
  return outcome;
}

describe("the lean event-stream marshaller reads as the SDK's", () => {
  const operations = [
    ["ConverseStream", ConverseStream$, "stream", converseEvent],
    ["InvokeModelWithResponseStream", InvokeModelWithResponseStream$, "body", chunkEvent],
  ] as const;

  it.each(operations)(
    "%s: the same events and the same ending, for any frames in any pieces",
    async (_, operation, member, event) => {
      await fc.assert(
        fc.asyncProperty(streamBody(event), async (pieces) => {
          const sdk = await read(operation as unknown as OperationSchemaArray, member, pieces, false);
          const lean = await read(operation as unknown as OperationSchemaArray, member, pieces, true);
          expect(lean.error).toEqual(sdk.error);
          expect(lean.events).toStrictEqual(sdk.events);
        }),
        { numRuns: 300 },
      );
    },
  );

  it.each([
    ["a length that cannot hold itself", [Buffer.from([0, 0, 0, 2, 1, 2, 3, 4])]],
    [
      "a length prefix cut short at the end",
      [Buffer.concat([eventFrame("messageStart", { role: "assistant" }), Buffer.from([0, 0])])],
    ],
    ["a frame shorter than a frame's overhead", [Buffer.from([0, 0, 0, 8, 0, 0, 0, 0])]],
  ])("%s ends the stream as the SDK's does", async (_, pieces) => {
    const operation = ConverseStream$ as unknown as OperationSchemaArray;
    const sdk = await read(operation, "stream", pieces, false);
    const lean = await read(operation, "stream", pieces, true);
    expect(lean).toStrictEqual(sdk);
  });

  it("ordinary events are read by the compiled reader, not the SDK's per-event reader", async () => {
    const operation = ConverseStream$ as unknown as OperationSchemaArray;
    const calls: unknown[] = [];
    const counting: EventStreamMarshallerLike = {
      deserialize: (body, deserializer) =>
        config.eventStreamMarshaller.deserialize(body, async (event) => {
          calls.push(event);
          return deserializer(event);
        }),
      serialize: (input, serializer) => config.eventStreamMarshaller.serialize(input, serializer),
    };
    const lean = leanEventStreamMarshaller(counting, config, compileEventReader(operation)!);
    const seen: string[] = [];
    const iterable = lean.deserialize(
      Readable.from([
        Buffer.concat([eventFrame("messageStart", { role: "assistant" }), eventFrame("futureEvent", {})]),
      ]),
      async (event) => {
        seen.push(Object.keys(event as object)[0]!);
        return { $unknown: event };
      },
    );
    const events: unknown[] = [];
    for await (const value of iterable) events.push(value);
    expect(events).toEqual([{ messageStart: { role: "assistant" } }]);
    // Only the event the union does not know went to the per-event reader it was given.
    expect(seen).toEqual(["futureEvent"]);
    expect(calls).toHaveLength(0);
  });
});
