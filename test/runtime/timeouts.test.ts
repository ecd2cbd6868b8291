/**
 * How long a call may take: the units of `timeout` (seconds where LiteLLM's names are used, as in
 * LiteLLM's `completion(timeout=…)`; milliseconds in the per-call options, as in openai-node's request
 * options), the values refused before any request, the 10-minute default (LiteLLM's
 * `timeout or kwargs.get("request_timeout", 600) or 600` in litellm/main.py, and openai-node's
 * `DEFAULT_TIMEOUT = 600000` in node_modules/openai/client.js) against the emulator's stall fault
 * (`x-bedrock-forge-fault: timeout`: no answer at all), and the idle bound of a stream that goes silent.
 *
 * The default is checked with fake `setTimeout`/`clearTimeout` (real sockets, real SDK), so no test waits
 * ten minutes and none asserts on wall-clock time.
 */
import http from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { EventStreamCodec } from "@smithy/eventstream-codec";
import { fromUtf8, toUtf8 } from "@smithy/util-utf8";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { type Emulator, startEmulator } from "../../emulator/index.js";
import { type ChatCompletionChunk, createBedrock, RequestValidationError } from "../../runtime/index.js";
import { credentials, failure } from "./live.js";

const CLAUDE = "anthropic.claude-3-haiku-20240307-v1:0";
const hello = [{ role: "user" as const, content: "Hello timeouts" }];
const stall = { headers: { "x-bedrock-forge-fault": "timeout" } };

let emulator: Emulator;

beforeAll(async () => {
  emulator = await startEmulator({ mode: "synthesize" });
});

afterAll(async () => {
  await emulator?.close();
});

afterEach(() => {
  vi.useRealTimers();
});

function clientOf(options: Record<string, unknown> = {}) {
  return createBedrock({
    region: "us-east-1",
    endpoint: emulator.url,
    credentials,
    num_retries: 0,
    ...options,
  });
}

/** Turns of the event loop until `condition` holds (a liveness bound, not a timing assertion). */
async function until(condition: () => boolean): Promise<void> {
  const deadline = performance.now() + 15_000;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error("the condition never held");
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** A promise's outcome, readable without awaiting it. */
function track<T>(promise: Promise<T>) {
  const state: { settled: boolean; value?: T } = { settled: false };
  const done = promise.then((value) => {
    state.settled = true;
    state.value = value;
    return value;
  });
  return { state, done };
}

/** Lets pending I/O and microtasks run (real sockets keep working under fake timers). */
async function settle(): Promise<void> {
  for (let turn = 0; turn < 20; turn++) await new Promise((resolve) => setImmediate(resolve));
}

describe("the default timeout: a silent server cannot hang a call forever", () => {
  it.each([
    ["a unary call", false],
    ["a stream (the wait for its response to start)", true],
  ])("%s without any timeout ends after 10 minutes with a 408", async (_what, stream) => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    const client = clientOf();
    const before = emulator.requests.length;
    const call = track(
      failure(client.chat.completions.create({ model: CLAUDE, messages: hello, stream }, stall)),
    );
    await until(() => emulator.requests.length > before);
    vi.advanceTimersByTime(599_999);
    await settle();
    expect(call.state.settled).toBe(false);
    vi.advanceTimersByTime(1);
    const error = await call.done;
    expect(error).toMatchObject({ status: 408, type: "timeout_error" });
    expect(error.message).toContain("within 600000 ms");
  });

  it("`timeout: 2` in a request is 2 seconds, as LiteLLM reads it (not 2 ms)", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    const client = clientOf();
    const before = emulator.requests.length;
    const call = track(
      failure(client.chat.completions.create({ model: CLAUDE, messages: hello, timeout: 2 }, stall)),
    );
    await until(() => emulator.requests.length > before);
    vi.advanceTimersByTime(1_999);
    await settle();
    expect(call.state.settled).toBe(false);
    vi.advanceTimersByTime(1);
    const error = await call.done;
    expect(error).toMatchObject({ status: 408 });
    expect(error.message).toContain("within 2000 ms");
  });

  it("the call options' timeout (milliseconds) wins over the request's seconds", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    const client = clientOf({ timeout: 30 });
    const before = emulator.requests.length;
    const call = track(
      failure(
        client.chat.completions.create(
          { model: CLAUDE, messages: hello, timeout: 20 },
          { ...stall, timeout: 1_500 },
        ),
      ),
    );
    await until(() => emulator.requests.length > before);
    vi.advanceTimersByTime(1_500);
    const error = await call.done;
    expect(error.message).toContain("within 1500 ms");
  });
});

describe("timeout values that cannot be meant are refused before any request", () => {
  const cases: [string, Record<string, unknown>, RegExp][] = [
    ["zero", { timeout: 0 }, /timeout must be a number of seconds greater than 0/],
    ["a negative number", { timeout: -5 }, /greater than 0 \(got -5\)/],
    ["not a number", { timeout: "30" }, /greater than 0 \(got "30"\)/],
    ["infinity", { timeout: Number.POSITIVE_INFINITY }, /greater than 0/],
    [
      "milliseconds given as seconds",
      { timeout: 30_000 },
      /in seconds.*timeout: 30, or pass \{ timeout: 30000 \}/,
    ],
    ["request_timeout in milliseconds", { request_timeout: 5000 }, /request_timeout=5000 is in seconds/],
  ];

  it.each(cases)("%s in a request", async (_what, body, message) => {
    const before = emulator.requests.length;
    const error = await failure(
      clientOf().chat.completions.create({ model: CLAUDE, messages: hello, ...body }),
    );
    expect(RequestValidationError.isInstance(error)).toBe(true);
    expect(error.message).toMatch(message);
    expect(error.param).toBe(Object.keys(body)[0]);
    expect(emulator.requests.length).toBe(before);
  });

  it.each(cases)("%s in createBedrock's options", (_what, options, message) => {
    expect(() => clientOf(options)).toThrow(message);
  });

  it.each([0, -1, Number.NaN])("the call options' timeout %s", async (timeout) => {
    const before = emulator.requests.length;
    const error = await failure(
      clientOf().embeddings.create({ model: "amazon.titan-embed-text-v2:0", input: "x" }, { timeout }),
    );
    expect(error.message).toMatch(/call option timeout must be a number of milliseconds greater than 0/);
    expect(emulator.requests.length).toBe(before);
  });

  it("3600 seconds, the longest a Bedrock call runs, is accepted", async () => {
    const reply = await clientOf({ timeout: 3600 }).chat.completions.create({
      model: CLAUDE,
      messages: hello,
      request_timeout: 3600,
    });
    expect(reply.choices[0]!.finish_reason).toBe("stop");
  });
});

/**
 * A Bedrock-shaped ConverseStream answer that sends `events` and then stays silent, the connection open.
 * Event names and members are those of the Bedrock Runtime service model's ConverseStreamOutput union
 * (test/reference/bedrock-runtime-service-model.json); frames carry `:event-type`, `:content-type` and
 * `:message-type` headers as in the recordings under test/recordings/*stream*.
 */
async function silentStreamServer(
  events: readonly [string, Record<string, unknown>][],
  later: { readonly events: readonly [string, Record<string, unknown>][]; readonly afterMs: number } = {
    events: [],
    afterMs: 0,
  },
) {
  const codec = new EventStreamCodec(toUtf8, fromUtf8);
  const encode = (list: readonly [string, Record<string, unknown>][]) =>
    list.map(([eventType, payload]) =>
      codec.encode({
        headers: {
          ":event-type": { type: "string", value: eventType },
          ":content-type": { type: "string", value: "application/json" },
          ":message-type": { type: "string", value: "event" },
        },
        body: fromUtf8(JSON.stringify(payload)),
      }),
    );
  const frames = encode(events);
  const laterFrames = encode(later.events);
  const sockets = new Set<Socket>();
  const server = http.createServer((request, response) => {
    request.resume();
    response.socket?.setNoDelay(true);
    response.writeHead(200, {
      "content-type": "application/vnd.amazon.eventstream",
      "x-amzn-requestid": "a1b2c3d4-0000-4000-8000-000000000001",
    });
    response.write(Buffer.concat(frames));
    if (laterFrames.length > 0) {
      const timer = setTimeout(() => response.write(Buffer.concat(laterFrames)), later.afterMs);
      response.on("close", () => clearTimeout(timer));
    }
  });
  server.on("connection", (socket) => sockets.add(socket));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

const opening: [string, Record<string, unknown>][] = [
  ["messageStart", { p: "abc", role: "assistant" }],
  ["contentBlockDelta", { contentBlockIndex: 0, delta: { text: "Hello" }, p: "abcdef" }],
  ["contentBlockDelta", { contentBlockIndex: 0, delta: { text: " world" }, p: "ab" }],
];

/** A stream from `endpoint` with a timeout in seconds. */
function openStream(endpoint: string, timeout: number) {
  const client = createBedrock({ region: "us-east-1", endpoint, credentials, num_retries: 0 });
  return client.chat.completions.create({ model: CLAUDE, messages: hello, stream: true, timeout });
}

describe("a stream that goes silent", () => {
  it("ends with a 408 once it has waited its timeout for the next event, after what it sent", async () => {
    const server = await silentStreamServer(opening);
    try {
      const stream = await openStream(server.endpoint, 0.2);
      let text = "";
      const error = await failure(
        (async () => {
          for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? "";
        })(),
      );
      expect(text).toBe("Hello world");
      expect(error).toMatchObject({ status: 408, type: "timeout_error" });
      expect(error.message).toContain("the stream sent no event within 200 ms");
    } finally {
      await server.close();
    }
  });

  it("does not count the time the caller spends on a chunk", async () => {
    // The rest comes 1 s after the first event, longer than the 0.4 s timeout, while the caller still
    // holds its first chunk (2 s): a timer that ran while the caller held the chunk would have ended
    // the call before the rest arrived.
    const server = await silentStreamServer(opening.slice(0, 1), { events: opening.slice(1), afterMs: 1000 });
    try {
      const stream = await openStream(server.endpoint, 0.4);
      const iterator = stream[Symbol.asyncIterator]();
      const chunks: ChatCompletionChunk[] = [(await iterator.next()).value as ChatCompletionChunk];
      await new Promise((resolve) => setTimeout(resolve, 2000));
      const error = await failure(
        (async () => {
          for (let next = await iterator.next(); !next.done; next = await iterator.next())
            chunks.push(next.value);
        })(),
      );
      expect(chunks.map((chunk) => chunk.choices[0]?.delta.content ?? "").join("")).toBe("Hello world");
      expect(error).toMatchObject({ status: 408 });
    } finally {
      await server.close();
    }
  });
});
