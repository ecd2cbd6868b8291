// Issue 12, item 4: clients that never read must not exhaust the upstream pool. A stream paused on
// backpressure longer than general_settings.client_read_timeout is cut off and its upstream call ended;
// each deployment holds at most max_parallel_requests calls, so stalled clients of one model cannot
// starve the calls of another.
import { readFileSync } from "node:fs";
import net from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import type { Fixture } from "../../emulator/fixtures.js";
import { claude, type Harness, paramsFor, postRaw, startHarness, waitFor } from "./helpers.js";

const recorded = JSON.parse(
  readFileSync(new URL("../fixtures/anthropic-claude-messages/chat-stream.json", import.meta.url), "utf8"),
) as Fixture;

/**
 * A long Claude stream: the recorded exchange's events (test/fixtures/anthropic-claude-messages/
 * chat-stream.json, a real InvokeModelWithResponseStream answer) with `deltas` text deltas of 16 KiB in
 * the middle — megabytes, far more than the socket buffers between a paused client and the proxy hold.
 */
function longStreamFixture(deltas: number): Fixture {
  const events = recorded.events!;
  const delta = events.find((event) => (event.chunk as { type?: string })?.type === "content_block_delta")!;
  const text = "lorem ipsum ".repeat(1400).slice(0, 16_384);
  const middle = Array.from({ length: deltas }, () => ({
    ...delta,
    chunk: { ...(delta.chunk as object), delta: { type: "text_delta", text } },
  }));
  return {
    source: `${recorded.source} (text deltas repeated to make a long answer)`,
    operation: "invoke-stream",
    modelId: claude,
    request: null,
    requestPromptPrefix: "a very long story",
    events: [...events.slice(0, 2), ...middle, ...events.slice(-3)],
  };
}

interface StalledStream {
  readonly status: number;
  /** Reads whatever is left until the proxy closes the connection. */
  resume(): Promise<string>;
}

/**
 * A client that sends a streamed chat request and then never reads: the socket is paused as soon as the
 * response headers are in, so the kernel buffers fill and the proxy's writes block.
 */
function openStalledStream(url: string, model: string): Promise<StalledStream> {
  const { hostname, port } = new URL(url);
  const body = JSON.stringify({
    model,
    messages: [{ role: "user", content: "a very long story" }],
    stream: true,
  });
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname);
    let text = "";
    socket.on("error", () => undefined);
    const onEarlyClose = () => reject(new Error(`closed before the headers: ${text.slice(0, 200)}`));
    const onData = (chunk: Buffer) => {
      text += chunk.toString("latin1");
      if (!text.includes("\r\n\r\n")) return;
      socket.pause();
      socket.off("data", onData);
      socket.off("close", onEarlyClose);
      const resume = () =>
        new Promise<string>((done) => {
          socket.on("data", (more: Buffer) => {
            text += more.toString("latin1");
          });
          socket.once("close", () => done(text));
          socket.resume();
        });
      resolve({ status: Number(text.slice(9, 12)), resume });
    };
    socket.on("data", onData);
    socket.once("close", onEarlyClose);
    socket.write(
      `POST /v1/chat/completions HTTP/1.1\r\nhost: ${hostname}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  });
}

describe("stalled stream readers", () => {
  let harness: Harness | undefined;
  afterEach(async () => {
    await harness?.close();
    harness = undefined;
  });

  it("are cut off after client_read_timeout with their upstream call, and other models keep serving", async () => {
    harness = await startHarness(
      (emulator) => ({
        model_list: [
          {
            model_name: "long",
            litellm_params: paramsFor(emulator, `invoke/${claude}`, {
              // Answered from the long fixture (13 MB), 8 ms between events: over 6 s of stream.
              extra_headers: { "x-bedrock-forge-chunk-interval-ms": "8", "x-stream-test": "long" },
              max_parallel_requests: 2,
            }),
          },
          { model_name: "other", litellm_params: paramsFor(emulator, claude) },
        ],
        general_settings: { client_read_timeout: 0.5 },
      }),
      { emulator: { fixtures: [longStreamFixture(800)] } },
    );
    const { proxy, emulator } = harness;
    const stalled = await Promise.all([
      openStalledStream(proxy.url, "long"),
      openStalledStream(proxy.url, "long"),
    ]);
    expect(stalled.map((stream) => stream.status)).toEqual([200, 200]);

    // The deployment is at its limit: a third call is refused at once instead of waiting for a socket…
    const busy = await postRaw(
      `${proxy.url}/v1/chat/completions`,
      JSON.stringify({ model: "long", messages: [{ role: "user", content: "hi" }] }),
    );
    expect(busy.status).toBe(429);
    expect(busy.json).toMatchObject({ error: { type: "rate_limit_error", code: "deployments_busy" } });
    // …and another model is not starved.
    const other = await harness.client().chat.completions.create({
      model: "other",
      messages: [{ role: "user", content: "hi" }],
    });
    expect(other.choices[0]!.message.content).toMatch(/\S/);

    // The stalled readers are cut off, their upstream streams ended while Bedrock was still sending.
    const cut = () => harness!.requestLogs().filter((line) => line.error_code === "client_read_timeout");
    await waitFor(() => cut().length === 2, 15_000);
    expect(cut().map((line) => [line.status, line.stream_error_status, line.error_type])).toEqual([
      [200, 408, "timeout_error"],
      [200, 408, "timeout_error"],
    ]);
    const upstream = emulator.requests.filter((request) => request.headers["x-stream-test"] === "long");
    expect(upstream).toHaveLength(2);
    await waitFor(() => upstream.every((request) => request.clientClosed), 10_000);
    expect(upstream.map((request) => [request.source, request.completed])).toEqual([
      ["fixture", false],
      ["fixture", false],
    ]);
    // A reader that resumes finds its connection closed by the proxy, without [DONE].
    for (const text of await Promise.all(stalled.map((stream) => stream.resume()))) {
      expect(text).toContain("lorem ipsum");
      expect(text).not.toContain("[DONE]");
    }

    // The deployment serves again.
    const again = await harness.client().chat.completions.create({
      model: "long",
      messages: [{ role: "user", content: "hi" }],
    });
    expect(again.choices[0]!.message.content).toMatch(/\S/);
  });
});
