import { EventStreamCodec } from "@smithy/eventstream-codec";
import { fromUtf8, toUtf8 } from "@smithy/util-utf8";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  corruptMessageCrc,
  decodeFrame,
  encodeChunkFrame,
  encodeEventFrame,
  encodeExceptionFrame,
  splitFrames,
  toStreamEvent,
} from "../../emulator/eventstream.js";
import { crc32 } from "../../emulator/synthesize/png.js";

// JSON text is what travels: -0 becomes 0, so generated values are normalized through JSON first.
const jsonValue = fc
  .jsonValue({ maxDepth: 3 })
  .filter((value) => value !== null && typeof value === "object")
  .map((value) => JSON.parse(JSON.stringify(value)) as unknown);

describe("event-stream frames", () => {
  it("lays out prelude, headers, payload and CRCs as the format defines", () => {
    const frame = encodeEventFrame("messageStart", { role: "assistant" });
    const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
    const total = view.getUint32(0);
    const headersLength = view.getUint32(4);
    expect(total).toBe(frame.length);
    // Prelude CRC covers the first 8 bytes; message CRC covers everything before the last 4 bytes.
    expect(view.getUint32(8)).toBe(crc32(frame, 0, 8));
    expect(view.getUint32(total - 4)).toBe(crc32(frame, 0, total - 4));
    const payload = frame.subarray(12 + headersLength, total - 4);
    expect(JSON.parse(Buffer.from(payload).toString("utf8"))).toEqual({ role: "assistant" });
    const headers = decodeFrame(frame).headers;
    expect(headers[":event-type"]?.value).toBe("messageStart");
    expect(headers[":message-type"]?.value).toBe("event");
    expect(headers[":content-type"]?.value).toBe("application/json");
  });

  it("round-trips any JSON payload through the AWS codec (property)", () => {
    const codec = new EventStreamCodec(toUtf8, fromUtf8);
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 30 }), jsonValue, (eventType, payload) => {
        const decoded = codec.decode(encodeEventFrame(eventType, payload));
        expect(decoded.headers[":event-type"]?.value).toBe(eventType);
        expect(JSON.parse(toUtf8(decoded.body))).toEqual(payload);
      }),
    );
  });

  it("base64-wraps invoke chunks and keeps extra payload members (property)", () => {
    fc.assert(
      fc.property(jsonValue, fc.string({ maxLength: 40 }), (chunk, padding) => {
        const event = toStreamEvent(decodeFrame(encodeChunkFrame(chunk, { p: padding })));
        expect(event).toEqual({
          messageType: "event",
          eventType: "chunk",
          chunk,
          payloadExtra: { p: padding },
        });
      }),
    );
  });

  it("splits any concatenation of frames cut at any point (property)", () => {
    fc.assert(
      fc.property(fc.array(jsonValue, { minLength: 1, maxLength: 6 }), fc.nat(), (payloads, cutSeed) => {
        const frames = payloads.map((payload, index) => encodeEventFrame(`e${index}`, payload));
        const all = Buffer.concat(frames);
        const cut = cutSeed % (all.length + 1);
        const first = splitFrames(all.subarray(0, cut));
        const second = splitFrames(Buffer.concat([first.rest, all.subarray(cut)]));
        expect(second.rest.length).toBe(0);
        const bodies = [...first.messages, ...second.messages].map((message) =>
          JSON.parse(toUtf8(message.body)),
        );
        expect(bodies).toEqual(payloads);
      }),
    );
  });

  it("encodes exceptions with the stream-union member name", () => {
    const message = decodeFrame(encodeExceptionFrame("throttlingException", { message: "slow down" }));
    expect(message.headers[":message-type"]?.value).toBe("exception");
    expect(message.headers[":exception-type"]?.value).toBe("throttlingException");
    expect(toStreamEvent(message)).toEqual({
      messageType: "exception",
      exceptionType: "throttlingException",
      payload: { message: "slow down" },
    });
  });

  it("a corrupted message CRC fails decoding", () => {
    const frame = encodeEventFrame("metadata", { usage: {} });
    expect(() => decodeFrame(corruptMessageCrc(frame))).toThrow(/checksum/i);
  });
});
