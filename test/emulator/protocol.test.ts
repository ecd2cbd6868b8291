import http from "node:http";
import http2 from "node:http2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator } from "../../emulator/server.js";
import type { Emulator } from "../../emulator/types.js";
import { decodeEvents, json, modelPath, rawRequest, withoutPadding } from "./helpers.js";

const HAIKU = "anthropic.claude-3-haiku-20240307-v1:0";
const claudeBody = (text: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    anthropic_version: "bedrock-2023-05-31",
    max_tokens: 200,
    messages: [{ role: "user", content: text }],
    ...extra,
  });

describe("wire protocol", () => {
  let emulator: Emulator;
  beforeAll(async () => {
    emulator = await startEmulator({ mode: "synthesize", maxBodyBytes: 64 * 1024 });
  });
  afterAll(() => emulator.close());

  it("answers InvokeModel with Bedrock's headers", async () => {
    const response = await rawRequest(emulator, modelPath(HAIKU, "invoke"), {
      body: claudeBody("Hello there"),
    });
    expect(response.status).toBe(200);
    expect(response.headers["content-type"]).toBe("application/json");
    expect(response.headers["x-amzn-requestid"]).toMatch(/^[0-9a-f-]{36}$/);
    expect(Number(response.headers["x-amzn-bedrock-input-token-count"])).toBeGreaterThan(0);
    expect(Number(response.headers["x-amzn-bedrock-output-token-count"])).toBe(
      (json(response).usage as { output_tokens: number }).output_tokens,
    );
    expect(Number(response.headers["x-amzn-bedrock-invocation-latency"])).toBeGreaterThan(0);
    expect(json(response).content).toEqual([
      { type: "text", text: 'This is a synthesized reply to "Hello there".' },
    ]);
  });

  it("streams invoke chunks as event-stream frames whose CRCs check out", async () => {
    const response = await rawRequest(emulator, modelPath(HAIKU, "invoke-stream"), {
      body: claudeBody("Stream it"),
      headers: { "x-bedrock-forge-stream-chunks": "5" },
    });
    expect(response.headers["content-type"]).toBe("application/vnd.amazon.eventstream");
    expect(response.headers["x-amzn-bedrock-content-type"]).toBe("application/json");
    const events = decodeEvents(response.body); // verifies prelude and message CRCs of every frame
    expect(events.every((event) => event.eventType === "chunk" && event.messageType === "event")).toBe(true);
    const chunks = events.map((event) => event.chunk as Record<string, unknown>);
    expect(chunks.map((chunk) => chunk.type)).toEqual([
      "message_start",
      "content_block_start",
      ...Array(5).fill("content_block_delta"),
      "content_block_stop",
      "message_delta",
      "message_stop",
    ]);
    const text = chunks
      .filter((chunk) => chunk.type === "content_block_delta")
      .map((chunk) => (chunk.delta as { text: string }).text)
      .join("");
    expect(text).toBe('This is a synthesized reply to "Stream it".');
    expect(chunks.at(-1)?.["amazon-bedrock-invocationMetrics"]).toMatchObject({
      inputTokenCount: expect.any(Number),
      outputTokenCount: expect.any(Number),
      invocationLatency: expect.any(Number),
      firstByteLatency: expect.any(Number),
    });
    // Bedrock pads payloads with a random-length `p`; the emulator's is deterministic.
    expect(events[0]?.payloadExtra).toEqual({ p: expect.stringMatching(/^[a-zA-Z0-9]+$/) });
  });

  it("streams Converse as named events", async () => {
    const response = await rawRequest(
      emulator,
      modelPath("meta.llama3-8b-instruct-v1:0", "converse-stream"),
      {
        body: JSON.stringify({ messages: [{ role: "user", content: [{ text: "Hi" }] }] }),
      },
    );
    const events = decodeEvents(response.body);
    expect(events.map((event) => event.eventType)).toEqual([
      "messageStart",
      ...Array(events.length - 4).fill("contentBlockDelta"),
      "contentBlockStop",
      "messageStop",
      "metadata",
    ]);
    expect(withoutPadding(events.at(-2)?.payload)).toEqual({ stopReason: "end_turn" });
  });

  it("decodes percent-encoded model ids, including ARNs with %2F", async () => {
    const arn = `arn:aws:bedrock:us-east-1::foundation-model/${HAIKU}`;
    const response = await rawRequest(emulator, modelPath(arn, "invoke"), { body: claudeBody("arn") });
    expect(response.status).toBe(200);
    expect(modelPath(arn, "invoke")).toContain("%2F");
    expect(emulator.requests.at(-1)?.modelId).toBe(arn);
    const profile = await rawRequest(emulator, modelPath(`us.${HAIKU}`, "invoke"), {
      body: claudeBody("profile"),
    });
    expect(profile.status).toBe(200);
    const profileArn = `arn:aws:bedrock:us-east-1:123456789012:inference-profile/eu.${HAIKU}`;
    expect(
      (await rawRequest(emulator, modelPath(profileArn, "invoke"), { body: claudeBody("x") })).status,
    ).toBe(200);
  });

  it("serves HTTP/1.1 keep-alive: several requests on one connection", async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const ports = new Set<number>();
    for (let index = 0; index < 3; index++) {
      const response = await rawRequest(emulator, modelPath(HAIKU, "invoke"), {
        body: claudeBody(`n${index}`),
        agent,
      });
      expect(response.status).toBe(200);
    }
    for (const sockets of Object.values(agent.freeSockets))
      for (const socket of sockets ?? []) ports.add(socket.localPort!);
    expect(ports.size).toBe(1);
    agent.destroy();
  });

  it("serves cleartext HTTP/2 on the same port", async () => {
    const session = http2.connect(emulator.url);
    try {
      const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const stream = session.request({
          ":method": "POST",
          ":path": modelPath(HAIKU, "invoke"),
          "content-type": "application/json",
          "x-bedrock-forge-fault": "throttle",
        });
        let status = 0;
        let body = "";
        stream.on("response", (headers) => {
          status = Number(headers[":status"]);
        });
        stream.on("data", (chunk: Buffer) => {
          body += chunk.toString("utf8");
        });
        stream.on("end", () => resolve({ status, body }));
        stream.on("error", reject);
        stream.end(claudeBody("h2"));
      });
      // No signature: the authentication layer answers before anything else.
      expect(answer.status).toBe(403);
      expect(JSON.parse(answer.body)).toEqual({ Message: "Authorization header is missing" });
      expect(emulator.requests.at(-1)?.protocol).toBe("h2");
    } finally {
      session.close();
    }
  });

  it("answers bad input as Bedrock does and keeps serving", async () => {
    const malformed = await rawRequest(emulator, modelPath(HAIKU, "invoke"), { body: "{ not json" });
    expect(malformed.status).toBe(400);
    expect(malformed.headers["x-amzn-errortype"]).toBe(
      "ValidationException:http://internal.amazon.com/coral/com.amazon.bedrock/",
    );
    expect(json(malformed)).toEqual({
      message: "Malformed input request, please reformat your input and try again.",
    });

    const wrongType = await rawRequest(emulator, modelPath(HAIKU, "invoke"), {
      body: claudeBody("x"),
      headers: { "content-type": "application/json; charset=utf-8" },
    });
    expect(wrongType.status).toBe(400);
    expect(json(wrongType).message).toBe(
      "The provided Content Type is invalid or not supported for this model",
    );

    const oversized = await rawRequest(emulator, modelPath(HAIKU, "invoke"), {
      body: claudeBody("x".repeat(70 * 1024)),
    });
    expect(oversized.status).toBe(400);
    expect(json(oversized).message).toBe(
      "1 validation error detected: Value at 'body' failed to satisfy constraint: Member must have length less than or equal to 65536",
    );

    const unknownRoute = await rawRequest(emulator, "/model/x/explode", { body: "{}" });
    expect(unknownRoute.status).toBe(404);
    expect(unknownRoute.headers["x-amzn-errortype"]).toMatch(/^UnknownOperationException:/);

    const converseMalformed = await rawRequest(emulator, modelPath(HAIKU, "converse"), { body: "[1," });
    expect(converseMalformed.status).toBe(400);
    expect(converseMalformed.headers["x-amzn-errortype"]).toMatch(/^SerializationException:/);

    const after = await rawRequest(emulator, modelPath(HAIKU, "invoke"), { body: claudeBody("still here") });
    expect(after.status).toBe(200);
  });

  it("logs each request with operation, model, headers and parsed body", async () => {
    await rawRequest(emulator, modelPath(HAIKU, "invoke"), { body: claudeBody("logged") });
    const entry = emulator.requests.at(-1)!;
    expect(entry).toMatchObject({
      operation: "invoke",
      modelId: HAIKU,
      status: 200,
      source: "synthesized",
      auth: "sigv4",
      clientClosed: false,
      completed: true,
      protocol: "http/1.1",
    });
    expect(entry.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 /);
    expect((entry.body as { messages: unknown[] }).messages).toEqual([{ role: "user", content: "logged" }]);
    await entry.done;
  });
});
