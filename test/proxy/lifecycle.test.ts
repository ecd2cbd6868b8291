import http from "node:http";
import net from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { claude, type Harness, paramsFor, postRaw, startHarness, waitFor } from "./helpers.js";

/** A slow streaming deployment: `chunks` text pieces, `intervalMs` apart. */
function slowStream(
  emulator: { url: string },
  chunks: number,
  intervalMs: number,
  extra: Record<string, unknown> = {},
) {
  return paramsFor(emulator, claude, {
    extra_headers: {
      "x-bedrock-forge-stream-chunks": String(chunks),
      "x-bedrock-forge-chunk-interval-ms": String(intervalMs),
    },
    ...extra,
  });
}

const streamBody = (model: string) =>
  JSON.stringify({ model, messages: [{ role: "user", content: "tell me a long story" }], stream: true });

/** Opens a streamed chat over plain node:http and resolves with the request once the first SSE event arrived. */
function openStream(
  url: string,
  body: string,
): Promise<{ request: http.ClientRequest; received: () => string }> {
  return new Promise((resolve, reject) => {
    let text = "";
    const request = http.request(
      `${url}/v1/chat/completions`,
      { method: "POST", headers: { "content-type": "application/json" }, agent: false },
      (response) => {
        response.setEncoding("utf8");
        response.on("data", (piece: string) => {
          const first = text === "";
          text += piece;
          if (first) resolve({ request, received: () => text });
        });
        response.on("error", () => undefined);
      },
    );
    request.on("error", (error) => {
      if (text === "") reject(error);
    });
    request.end(body);
  });
}

describe("client disconnects, deadlines and draining", () => {
  let harness: Harness | undefined;

  afterEach(async () => {
    await harness?.close();
    harness = undefined;
  });

  it("aborts the upstream Bedrock stream at once when the client disconnects mid-stream", async () => {
    harness = await startHarness((emulator) => ({
      model_list: [{ model_name: "slow", litellm_params: slowStream(emulator, 100, 50) }],
    }));
    const { request, received } = await openStream(harness.proxy.url, streamBody("slow"));
    expect(received()).toMatch(/^data: /);
    const upstream = harness.emulator.requests.at(-1)!;
    expect(upstream.operation).toBe("converse-stream");
    const cutAt = Date.now();
    request.destroy();
    // The whole stream would take 5 s: the emulator must see the close long before.
    await waitFor(() => upstream.clientClosed, 2000);
    expect(Date.now() - cutAt).toBeLessThan(2000);
    expect(upstream.completed).toBe(false);
    await waitFor(() => harness!.requestLogs().length > 0);
    expect(harness.requestLogs().at(-1)).toEqual(
      expect.objectContaining({ status: 499, stream: true, error_code: "client_closed_request" }),
    );
  });

  it("aborts the upstream Bedrock call when the client disconnects during a unary request", async () => {
    harness = await startHarness((emulator) => ({
      model_list: [
        {
          model_name: "slow",
          litellm_params: paramsFor(emulator, claude, {
            extra_headers: { "x-bedrock-forge-latency-ms": "3000" },
          }),
        },
      ],
    }));
    const controller = new AbortController();
    const pending = fetch(`${harness.proxy.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "slow", messages: [{ role: "user", content: "hi" }] }),
      signal: controller.signal,
    }).catch((error) => error);
    await waitFor(() => harness!.emulator.requests.length === 1);
    const upstream = harness.emulator.requests[0]!;
    controller.abort();
    await pending;
    await waitFor(() => upstream.clientClosed, 1500);
    await waitFor(() => harness!.requestLogs().length > 0);
    expect(harness.requestLogs().at(-1)).toEqual(expect.objectContaining({ status: 499 }));
  });

  it("answers 408 when a request passes the request timeout, and cancels the Bedrock call", async () => {
    harness = await startHarness((emulator) => ({
      model_list: [
        {
          model_name: "slow",
          litellm_params: paramsFor(emulator, claude, {
            extra_headers: { "x-bedrock-forge-latency-ms": "3000" },
          }),
        },
      ],
      litellm_settings: { request_timeout: 0.3 },
    }));
    const started = Date.now();
    const response = await postRaw(
      `${harness.proxy.url}/v1/chat/completions`,
      JSON.stringify({ model: "slow", messages: [{ role: "user", content: "hi" }] }),
    );
    expect(Date.now() - started).toBeLessThan(2000);
    expect(response.status).toBe(408);
    expect(response.json).toEqual({
      error: { message: expect.any(String), type: "timeout_error", param: null, code: "request_timeout" },
    });
    await waitFor(() => harness!.emulator.requests[0]!.clientClosed, 1500);
  });

  it("ends a stream that goes silent longer than the request timeout with an error event", async () => {
    harness = await startHarness((emulator) => ({
      model_list: [{ model_name: "stalls", litellm_params: slowStream(emulator, 5, 2000) }],
      litellm_settings: { request_timeout: 0.4 },
    }));
    const response = await postRaw(`${harness.proxy.url}/v1/chat/completions`, streamBody("stalls"));
    expect(response.status).toBe(200);
    expect(response.text).not.toContain("[DONE]");
    const events = response.text.split("\n\n").filter((event) => event !== "");
    expect(JSON.parse(events.at(-1)!.slice(6)).error.code).toBe("request_timeout");
  });

  it("drains: close() lets an in-flight stream finish and refuses new connections", async () => {
    harness = await startHarness((emulator) => ({
      model_list: [{ model_name: "slow", litellm_params: slowStream(emulator, 12, 50) }],
    }));
    const { proxy } = harness;
    const response = fetch(`${proxy.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: streamBody("slow"),
    });
    await waitFor(() => harness!.emulator.requests.length === 1);
    const closed = proxy.close({ drainMs: 5000 });
    const refused = await fetch(`${proxy.url}/health/liveliness`).catch((error) => error);
    expect(refused).toBeInstanceOf(Error);
    const text = await (await response).text();
    expect(text.trimEnd().endsWith("data: [DONE]")).toBe(true);
    await closed;
    expect(
      harness.logs.some((line) => line.msg === "drain deadline passed: cancelling in-flight requests"),
    ).toBe(false);
  });

  it("answers a request that arrives while draining with 503 in OpenAI's shape and Connection: close", async () => {
    harness = await startHarness((emulator) => ({
      model_list: [{ model_name: "claude", litellm_params: paramsFor(emulator, claude) }],
    }));
    const { proxy } = harness;
    const socket = net.connect(Number(new URL(proxy.url).port), "127.0.0.1");
    let received = "";
    socket.setEncoding("utf8");
    socket.on("data", (piece: string) => {
      received += piece;
    });
    const ended = new Promise<void>((resolve) => socket.on("close", () => resolve()));
    await new Promise<void>((resolve) => socket.once("connect", () => resolve()));
    const body = JSON.stringify({ model: "claude", messages: [{ role: "user", content: "hi" }] });
    // The request has begun (its connection is not idle) when the drain starts; it completes during the drain.
    socket.write("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    await new Promise((resolve) => setTimeout(resolve, 50));
    const closed = proxy.close({ drainMs: 5000 });
    await new Promise((resolve) => setTimeout(resolve, 50));
    socket.write(
      `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
    await ended;
    await closed;
    expect(received).toMatch(/^HTTP\/1\.1 503/);
    expect(received.toLowerCase()).toContain("connection: close");
    expect(JSON.parse(received.slice(received.indexOf("\r\n\r\n") + 4))).toEqual({
      error: {
        message: expect.any(String),
        type: "service_unavailable_error",
        param: null,
        code: "server_shutting_down",
      },
    });
    expect(harness.emulator.requests).toHaveLength(0);
  });

  it("drains up to the deadline, then ends what is left with an error event and cancels upstream", async () => {
    harness = await startHarness((emulator) => ({
      model_list: [{ model_name: "slow", litellm_params: slowStream(emulator, 200, 50) }],
    }));
    const { proxy } = harness;
    const response = postRaw(`${proxy.url}/v1/chat/completions`, streamBody("slow"));
    await waitFor(
      () => harness!.emulator.requests.length === 1 && harness!.emulator.requests[0]!.framesSent > 0,
    );
    const started = Date.now();
    await proxy.close({ drainMs: 200 });
    expect(Date.now() - started).toBeLessThan(3000);
    const { text } = await response;
    expect(text).not.toContain("[DONE]");
    const events = text.split("\n\n").filter((event) => event !== "");
    expect(JSON.parse(events.at(-1)!.slice(6)).error.code).toBe("server_shutting_down");
    await waitFor(() => harness!.emulator.requests[0]!.clientClosed, 1500);
  });
});
