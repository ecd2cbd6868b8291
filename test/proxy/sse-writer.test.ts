import { EventEmitter } from "node:events";
import type { ServerResponse } from "node:http";
import { describe, expect, it } from "vitest";
import { ClientStalledError, SseWriter } from "../../proxy/sse.js";

/** A response whose socket never takes more (every write reports a full buffer) until `drain` is emitted. */
function blockedResponse(): ServerResponse & { written: string[]; destroyedByWriter: boolean } {
  const response = new EventEmitter() as unknown as ServerResponse & {
    written: string[];
    destroyedByWriter: boolean;
  };
  Object.assign(response, {
    written: [] as string[],
    destroyedByWriter: false,
    destroyed: false,
    writableEnded: false,
    writableNeedDrain: true,
    write(text: string) {
      response.written.push(text);
      return false;
    },
    end() {
      Object.assign(response, { writableEnded: true });
    },
    destroy() {
      Object.assign(response, { destroyed: true, destroyedByWriter: true });
    },
  });
  return response;
}

/** The end of this turn of the event loop, when the writer sends what it batched. */
const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe("SseWriter backpressure", () => {
  it("sends the events of one turn in one write", async () => {
    const response = blockedResponse();
    const writer = new SseWriter(response, { stallTimeoutMs: 60_000 });
    const sent = [writer.send({ n: 1 }), writer.send({ n: 2 })];
    expect(response.written).toEqual([]);
    await Promise.all(sent);
    await nextTurn();
    expect(response.written).toEqual(['data: {"n":1}\n\ndata: {"n":2}\n\n']);
  });

  it("fails the next write when the client does not take the data within the stall timeout", async () => {
    const response = blockedResponse();
    const writer = new SseWriter(response, { stallTimeoutMs: 30 });
    void writer.send({ n: 1 });
    await nextTurn();
    const error = await writer.send({ n: 2 }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ClientStalledError);
    expect((error as Error).message).toBe(
      "the client read nothing for 30 ms while the stream waited to write",
    );
    expect(response.listenerCount("drain")).toBe(0);
    expect(response.listenerCount("close")).toBe(0);
  });

  it("resumes when the client takes the data", async () => {
    const response = blockedResponse();
    const writer = new SseWriter(response, { stallTimeoutMs: 60_000 });
    void writer.send({ n: 1 });
    await nextTurn();
    let waited = false;
    const sent = writer.send({ n: 2 }).then(() => {
      waited = true;
    });
    await nextTurn();
    expect(waited).toBe(false);
    response.emit("drain");
    await sent;
    // The wait is over: a later event does not wait (this one's own write fills the socket again).
    await expect(writer.send({ n: 3 })).resolves.toBeUndefined();
  });

  it("stops waiting at once when the request ends (client gone, deadline, shutdown)", async () => {
    const response = blockedResponse();
    const ended = new AbortController();
    const writer = new SseWriter(response, { stallTimeoutMs: 60_000, signal: ended.signal });
    void writer.send({ n: 1 });
    await nextTurn();
    const sent = writer.send({ n: 2 });
    ended.abort();
    await expect(sent).resolves.toBeUndefined();
  });

  it("sends what is batched before the end of a stream", async () => {
    const response = blockedResponse();
    const writer = new SseWriter(response, { stallTimeoutMs: 60_000 });
    void writer.send({ n: 1 });
    await writer.done(undefined);
    expect(response.written).toEqual(['data: {"n":1}\n\ndata: [DONE]\n\n']);
    expect(response.writableEnded).toBe(true);
  });

  it("cuts off a client that is not reading instead of leaving the error event in a full buffer", () => {
    const response = blockedResponse();
    new SseWriter(response, { stallTimeoutMs: 60_000 }).fail({ error: { message: "x" } });
    expect(response.written).toEqual(['data: {"error":{"message":"x"}}\n\n']);
    expect(response.destroyedByWriter).toBe(true);
  });
});

describe("SseWriter events", () => {
  it("writes named events for APIs that stream them (Responses, Messages)", async () => {
    const response = blockedResponse();
    const writer = new SseWriter(response, { stallTimeoutMs: 60_000 });
    void writer.sendEvent("message_start", { type: "message_start" });
    await nextTurn();
    expect(response.written).toEqual(['event: message_start\ndata: {"type":"message_start"}\n\n']);
  });
});
