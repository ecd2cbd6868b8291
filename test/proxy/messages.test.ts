/**
 * `POST /v1/messages` and `/v1/messages/count_tokens` on the wire: Anthropic's answer, its named-event
 * stream, its error shape, and what reaches Bedrock.
 *
 * Sources: Anthropic's Messages API (https://docs.anthropic.com/en/api/messages) and streaming
 * (https://docs.anthropic.com/en/docs/build-with-claude/streaming: `event: message_start` …
 * `message_stop`, each `data` carrying the same `type`; a failure mid-stream is
 * `event: error` / `{"type": "error", "error": {"type", "message"}}`), its errors
 * (https://docs.anthropic.com/en/api/errors: 404 `not_found_error`, 429 `rate_limit_error`, 400
 * `invalid_request_error`); Bedrock's Claude body (https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-anthropic-claude-messages-request-response.html:
 * `anthropic_version: "bedrock-2023-05-31"`, beta flags in `anthropic_beta`, no `model` or `stream`).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { claude, type Harness, llama, paramsFor, postRaw, startHarness } from "./helpers.js";
import { postForEvents } from "./sse-events.js";

const anthropicHeaders = { "content-type": "application/json", "anthropic-version": "2023-06-01" };
const hello = [{ role: "user", content: "Say hello" }];

describe("POST /v1/messages", () => {
  let harness: Harness;
  let url: string;

  beforeAll(async () => {
    harness = await startHarness((emulator) => ({
      model_list: [
        {
          model_name: "claude",
          litellm_params: paramsFor(emulator, claude, { stop: "END", temperature: 0.3 }),
        },
        { model_name: "llama", litellm_params: paramsFor(emulator, llama) },
        {
          model_name: "breaks-midstream",
          litellm_params: paramsFor(emulator, claude, {
            extra_headers: { "x-bedrock-forge-fault": "stream-error-after:2" },
          }),
        },
        {
          model_name: "throttled",
          litellm_params: paramsFor(emulator, claude, {
            extra_headers: { "x-bedrock-forge-fault": "throttle" },
          }),
        },
      ],
    }));
    url = `${harness.proxy.url}/v1/messages`;
  });

  afterAll(async () => {
    await harness?.close();
  });

  it("sends a Claude request to Bedrock natively and answers Anthropic's message naming the model asked for", async () => {
    const before = harness.emulator.requests.length;
    const answer = await postRaw(
      url,
      JSON.stringify({ model: "claude", max_tokens: 64, messages: hello, metadata: { user_id: "u-1" } }),
      { ...anthropicHeaders, "anthropic-beta": "token-efficient-tools-2025-02-19", "x-api-key": "sk-unused" },
    );
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({
      type: "message",
      role: "assistant",
      model: "claude",
      stop_reason: "end_turn",
      content: [{ type: "text", text: expect.stringMatching(/\S/) }],
    });
    const usage = (answer.json as { usage: { input_tokens: number; cost: number } }).usage;
    expect(usage.input_tokens).toBeGreaterThan(0);
    expect(usage.cost).toBeGreaterThan(0);
    expect(answer.headers.get("request-id")).toBe(answer.headers.get("x-request-id"));
    const [sent] = harness.emulator.requests.slice(before);
    expect(sent!.operation).toBe("invoke");
    const body = sent!.body as Record<string, unknown>;
    expect(body).toMatchObject({
      anthropic_version: "bedrock-2023-05-31",
      anthropic_beta: ["token-efficient-tools-2025-02-19"],
      max_tokens: 64,
      // The config's defaults, as Anthropic names them.
      stop_sequences: ["END"],
      temperature: 0.3,
    });
    for (const field of ["model", "stream", "metadata", "stop"]) expect(body).not.toHaveProperty(field);
    // Anthropic's own headers never reach Bedrock.
    expect(
      Object.keys(sent!.headers).filter((name) => name.startsWith("anthropic-") || name === "x-api-key"),
    ).toEqual([]);
  });

  it("runs other models through Converse and answers in Anthropic's shape", async () => {
    const before = harness.emulator.requests.length;
    const answer = await postRaw(
      url,
      JSON.stringify({ model: "llama", max_tokens: 64, messages: hello }),
      anthropicHeaders,
    );
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({ type: "message", model: "llama", content: [{ type: "text" }] });
    expect(harness.emulator.requests.slice(before).map((request) => request.operation)).toEqual(["converse"]);
  });

  it.each(["claude", "llama"])("streams %s as Anthropic's named events", async (model) => {
    const { status, events, text } = await postForEvents(
      url,
      { model, max_tokens: 64, messages: hello, stream: true },
      anthropicHeaders,
    );
    expect(status).toBe(200);
    expect(text).not.toContain("[DONE]");
    const parsed = events.map((event) => ({ name: event.name, data: JSON.parse(event.data) }));
    for (const event of parsed) expect(event.data.type).toBe(event.name);
    const names = parsed.map((event) => event.name);
    expect(names[0]).toBe("message_start");
    expect(names.slice(-2)).toEqual(["message_delta", "message_stop"]);
    expect(names).toContain("content_block_start");
    expect(names).toContain("content_block_delta");
    expect(parsed[0]!.data.message.model).toBe(model);
    const delta = parsed.at(-2)!.data;
    expect(delta.delta.stop_reason).toBe("end_turn");
    expect(delta.usage.output_tokens).toBeGreaterThan(0);
    expect(delta.usage.cost).toBeGreaterThan(0);
  });

  it("ends a stream that fails midway with an error event in Anthropic's shape and no message_stop", async () => {
    const { status, events } = await postForEvents(
      url,
      { model: "breaks-midstream", max_tokens: 64, messages: hello, stream: true },
      anthropicHeaders,
    );
    expect(status).toBe(200);
    const last = events.at(-1)!;
    expect(last.name).toBe("error");
    const error = JSON.parse(last.data);
    expect(error).toEqual({
      type: "error",
      error: { type: expect.any(String), message: expect.any(String) },
    });
    expect(events.some((event) => event.name === "message_stop")).toBe(false);
  });

  it.each([
    [{ model: "nope", max_tokens: 64, messages: hello }, 404, "not_found_error"],
    [{ model: "claude", messages: hello }, 400, "invalid_request_error"],
    [
      { model: "claude", max_tokens: 64, messages: [{ role: "system", content: "x" }] },
      400,
      "invalid_request_error",
    ],
    [{ model: "throttled", max_tokens: 64, messages: hello }, 429, "rate_limit_error"],
  ])("answers errors in Anthropic's shape: %j", async (body, status, type) => {
    const answer = await postRaw(url, JSON.stringify(body), anthropicHeaders);
    expect(answer.status).toBe(status);
    expect(answer.json).toEqual({
      type: "error",
      error: { type, message: expect.any(String) },
      request_id: expect.any(String),
    });
  });

  it("answers malformed JSON in Anthropic's shape too", async () => {
    const answer = await postRaw(url, "{not json", anthropicHeaders);
    expect(answer.status).toBe(400);
    expect((answer.json as { error: { type: string } }).error.type).toBe("invalid_request_error");
  });

  it("counts tokens with Bedrock's CountTokens", async () => {
    const before = harness.emulator.requests.length;
    const answer = await postRaw(
      `${url}/count_tokens`,
      JSON.stringify({ model: "claude", messages: hello }),
      anthropicHeaders,
    );
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual({ input_tokens: expect.any(Number) });
    expect((answer.json as { input_tokens: number }).input_tokens).toBeGreaterThan(0);
    expect(harness.emulator.requests.slice(before).map((request) => request.operation)).toEqual([
      "count-tokens",
    ]);
  });
});

describe("Messages stream keep-alive", () => {
  let harness: Harness;

  beforeAll(async () => {
    harness = await startHarness((emulator) => ({
      model_list: [
        {
          model_name: "slow",
          litellm_params: paramsFor(emulator, claude, {
            extra_headers: {
              "x-bedrock-forge-stream-chunks": "6",
              "x-bedrock-forge-chunk-interval-ms": "400",
            },
          }),
        },
      ],
      general_settings: { stream_keepalive_interval: 0.1 },
    }));
  });

  afterAll(async () => {
    await harness?.close();
  });

  // Anthropic: "Event streams may also include any number of ping events" (streaming docs, Ping events).
  it("sends ping events while the model is silent, between Anthropic's own events", async () => {
    const { events } = await postForEvents(
      `${harness.proxy.url}/v1/messages`,
      { model: "slow", max_tokens: 64, messages: hello, stream: true },
      anthropicHeaders,
    );
    const pings = events.filter((event) => event.name === "ping");
    expect(pings.length).toBeGreaterThan(0);
    for (const ping of pings) expect(JSON.parse(ping.data)).toEqual({ type: "ping" });
    const names = events.map((event) => event.name).filter((name) => name !== "ping");
    expect(names[0]).toBe("message_start");
    expect(names.at(-1)).toBe("message_stop");
  });
});
