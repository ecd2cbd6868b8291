/**
 * The mantle route's readers: server-sent events (https://html.spec.whatwg.org/multipage/server-sent-events.html,
 * as OpenAI streams chat.completion.chunk objects: `data: {…}` events, then `data: [DONE]`) read back whatever
 * the byte boundaries and line endings, and bedrock-mantle's OpenAI error objects mapped by status.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { mapMantleError, readServerSentEvents } from "../../runtime/chat/mantle.js";
import { BedrockCallError, ResponseParseError } from "../../runtime/index.js";

/** A body that hands out `text` in the given pieces (cut points in bytes, so UTF-8 characters may split). */
function bodyOf(text: string, cuts: readonly number[] = []): ReadableStream<Uint8Array> {
  const bytes = Buffer.from(text, "utf8");
  const points = [...new Set(cuts.map((cut) => cut % (bytes.length + 1)))].sort((a, b) => a - b);
  const pieces: Uint8Array[] = [];
  let start = 0;
  for (const point of [...points, bytes.length]) {
    if (point > start) pieces.push(bytes.subarray(start, point));
    start = Math.max(start, point);
  }
  return new ReadableStream({
    start(controller) {
      for (const piece of pieces) controller.enqueue(piece);
      controller.close();
    },
  });
}

async function collect(body: ReadableStream<Uint8Array>): Promise<Record<string, unknown>[]> {
  const objects: Record<string, unknown>[] = [];
  for await (const object of readServerSentEvents(body, "openai.gpt-5.5", undefined)) objects.push(object);
  return objects;
}

const chunk = fc.record({
  id: fc.string(),
  object: fc.constant("chat.completion.chunk"),
  choices: fc.array(
    fc.record({ index: fc.nat(3), delta: fc.record({ content: fc.string({ unit: "grapheme" }) }) }),
    {
      maxLength: 2,
    },
  ),
});

describe("server-sent events of a mantle stream", () => {
  it("reads the objects back whatever the byte boundaries and line endings", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(chunk, { maxLength: 6 }),
        fc.array(fc.nat(4000), { maxLength: 12 }),
        fc.constantFrom("\n", "\r\n", "\r"),
        fc.boolean(),
        async (chunks, cuts, newline, comments) => {
          const events = chunks.map(
            (object) =>
              `${comments ? `: keep-alive${newline}` : ""}data: ${JSON.stringify(object)}${newline}${newline}`,
          );
          const text = `${events.join("")}data: [DONE]${newline}${newline}`;
          expect(await collect(bodyOf(text, cuts))).toEqual(chunks);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("a CRLF cut between its CR and LF ends one line, not the event", async () => {
    const text = 'data: {"a":\r\ndata: 1}\r\n\r\ndata: [DONE]\r\n\r\n';
    expect(await collect(bodyOf(text, [text.indexOf("\r") + 1]))).toEqual([{ a: 1 }]);
  });

  it.each([
    ["an event's data lines joined by newlines", 'data: {"a":\ndata: 1}\n\ndata: [DONE]\n\n', [{ a: 1 }]],
    [
      "fields other than data skipped",
      'event: message\nid: 7\ndata: {"b":2}\n\ndata: [DONE]\n\n',
      [{ b: 2 }],
    ],
    ["nothing after [DONE]", 'data: {"c":3}\n\ndata: [DONE]\n\ndata: {"d":4}\n\n', [{ c: 3 }]],
  ])("%s", async (_name, text, expected) => {
    expect(await collect(bodyOf(text))).toEqual(expected);
  });

  it.each([
    [
      "a stream that ends without [DONE]",
      'data: {"a":1}\n\n',
      ResponseParseError,
      "ended before data: [DONE]",
    ],
    ["data that is not JSON", "data: {oops\n\n", ResponseParseError, "is not JSON"],
    ["data that is not an object", "data: [1]\n\n", ResponseParseError, "not a JSON object"],
    [
      "OpenAI's mid-stream error object",
      'data: {"error":{"message":"overloaded","type":"server_error"}}\n\n',
      BedrockCallError,
      "Bedrock mantle server_error for openai.gpt-5.5: overloaded",
    ],
  ])("%s is an error", async (_name, text, type, message) => {
    const error = await collect(bodyOf(text)).then(
      () => undefined,
      (caught: unknown) => caught as Error,
    );
    expect(error).toBeInstanceOf(type);
    expect(error?.message).toContain(message);
  });
});

describe("bedrock-mantle's error answers", () => {
  it.each([
    [400, "invalid_request_error", false],
    [401, "authentication_error", false],
    [403, "permission_error", false],
    [404, "not_found_error", false],
    [408, "timeout_error", true],
    [429, "rate_limit_error", true],
    [500, "api_error", true],
    [503, "service_unavailable_error", true],
  ])("status %i is %s (retryable: %s)", (status, type, retryable) => {
    const body = JSON.stringify({
      error: { message: "it went wrong", type: "invalid_request_error", param: null, code: "some_code" },
    });
    const error = mapMantleError(status, body, "openai.gpt-5.5", "req-1");
    expect(error).toBeInstanceOf(BedrockCallError);
    expect([error.status, error.type, error.retryable]).toEqual([status, type, retryable]);
    expect(error.message).toBe("Bedrock mantle some_code for openai.gpt-5.5: it went wrong");
    expect(error.requestId).toBe("req-1");
  });

  it("a body that is not OpenAI's error object is quoted", () => {
    const error = mapMantleError(502, "<html>Bad Gateway</html>", "openai.gpt-5.5", undefined);
    expect(error.message).toBe("Bedrock mantle HTTP 502 for openai.gpt-5.5: <html>Bad Gateway</html>");
    expect(error.retryable).toBe(true);
  });
});
