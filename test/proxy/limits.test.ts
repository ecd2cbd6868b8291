// Issue 12, items 6 and 7: bounded fan-out (embedding inputs per request, no client concurrency), model
// names of bounded length before they reach logs and error bodies, and SSE that honours Connection: close.
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readClientParams } from "../../proxy/body.js";
import { createProxyConfig } from "../../proxy/config.js";
import { claude, type Harness, paramsFor, postRaw, startHarness, titanEmbed } from "./helpers.js";

describe("limits", () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness((emulator) => ({
      model_list: [
        { model_name: "claude", litellm_params: paramsFor(emulator, claude) },
        { model_name: "embed", litellm_params: paramsFor(emulator, titanEmbed) },
      ],
      general_settings: { max_embedding_inputs: 3 },
    }));
  });
  afterAll(() => harness?.close());
  const post = (path: string, body: unknown) => postRaw(`${harness.proxy.url}${path}`, JSON.stringify(body));

  it("refuses more embedding inputs than max_embedding_inputs before calling anything", async () => {
    const before = harness.emulator.requests.length;
    const refused = await post("/v1/embeddings", { model: "embed", input: ["a", "b", "c", "d"] });
    expect(refused.status).toBe(400);
    expect(refused.json).toEqual({
      error: {
        message: "input has 4 items; this proxy takes at most 3 per request",
        type: "invalid_request_error",
        param: "input",
        code: "too_many_inputs",
      },
    });
    expect(harness.emulator.requests.length).toBe(before);
    const served = await post("/v1/embeddings", { model: "embed", input: ["a", "b", "c"] });
    expect(served.status).toBe(200);
    expect((served.json as { data: unknown[] }).data).toHaveLength(3);
  });

  it("takes OpenAI's own limit, 2048 inputs, by default", () => {
    const config = createProxyConfig({
      model_list: [{ model_name: "m", litellm_params: { model: "bedrock/x" } }],
    });
    expect(config.clientLimits.maxEmbeddingInputs).toBe(2048);
  });

  it("does not pass a client's concurrency on to the runtime", () => {
    const client = readClientParams({ model: "embed", input: ["a"], concurrency: 64 }, [], false);
    expect(client.params).toEqual({ input: ["a"] });
  });

  it("refuses a model name longer than 256 characters without echoing it", async () => {
    const model = "m".repeat(10_000);
    const answer = await post("/v1/chat/completions", { model, messages: [{ role: "user", content: "hi" }] });
    expect(answer.status).toBe(400);
    expect(answer.json).toMatchObject({ error: { param: "model", type: "invalid_request_error" } });
    expect(answer.text.length).toBeLessThan(1000);
    const line = harness.requestLogs().at(-1)!;
    expect(line.status).toBe(400);
    expect(JSON.stringify(line)).not.toContain("m".repeat(257));
  });

  it("bounds the client's fallbacks: at most 16 names of at most 256 characters", async () => {
    const hello = [{ role: "user", content: "hi" }];
    const long = await post("/v1/chat/completions", {
      model: "claude",
      messages: hello,
      fallbacks: ["x".repeat(300)],
    });
    expect(long.status).toBe(400);
    expect(long.json).toMatchObject({ error: { param: "fallbacks[0]" } });
    expect(long.text).not.toContain("x".repeat(257));
    const many = await post("/v1/chat/completions", {
      model: "claude",
      messages: hello,
      fallbacks: Array(17).fill("claude"),
    });
    expect(many.status).toBe(400);
    expect(many.json).toMatchObject({
      error: { param: "fallbacks", message: "fallbacks may name at most 16 model names" },
    });
  });

  it("cuts an unknown URL short in its 404", async () => {
    const response = await fetch(`${harness.proxy.url}/v1/${"p".repeat(8000)}`);
    expect(response.status).toBe(404);
    const text = await response.text();
    expect(text.length).toBeLessThan(600);
  });

  it("closes a stream's connection after [DONE] when the client sent Connection: close", async () => {
    const { hostname, port } = new URL(harness.proxy.url);
    const body = JSON.stringify({
      model: "claude",
      messages: [{ role: "user", content: "hi" }],
      stream: true,
    });
    const socket = net.connect(Number(port), hostname);
    let text = "";
    socket.on("data", (chunk: Buffer) => {
      text += chunk.toString("utf8");
    });
    const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
    socket.write(
      `POST /v1/chat/completions HTTP/1.1\r\nhost: localhost\r\nconnection: close\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
    await closed;
    const head = text.slice(0, text.indexOf("\r\n\r\n")).toLowerCase();
    expect(head).toMatch(/^http\/1\.1 200 /);
    expect(head).toContain("content-type: text/event-stream");
    expect(head).toContain("connection: close");
    expect(head).not.toContain("keep-alive");
    expect(text).toContain("data: [DONE]");
  });
});
