import type OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { claude, type Harness, llama, paramsFor, startHarness, titanEmbed, waitFor } from "./helpers.js";

const imageModel = "stability.stable-diffusion-xl-v1";

const weatherTool = {
  type: "function" as const,
  function: {
    name: "get_weather",
    description: "Current weather in a city",
    parameters: {
      type: "object",
      properties: { city: { type: "string" } },
      required: ["city"],
    },
  },
};

describe("proxy with the official openai client", () => {
  let harness: Harness;
  let client: OpenAI;

  beforeAll(async () => {
    harness = await startHarness((emulator) => ({
      model_list: [
        { model_name: "claude", litellm_params: paramsFor(emulator, claude, { temperature: 0.2, top_k: 5 }) },
        { model_name: "llama", litellm_params: paramsFor(emulator, llama) },
        { model_name: "embed", litellm_params: paramsFor(emulator, titanEmbed) },
        {
          model_name: "guarded",
          litellm_params: paramsFor(emulator, claude, {
            guardrailConfig: { guardrailIdentifier: "gr-test", guardrailVersion: "DRAFT", trace: "enabled" },
          }),
        },
        { model_name: "image", litellm_params: paramsFor(emulator, imageModel) },
      ],
    }));
    client = harness.client();
  });

  afterAll(async () => {
    await harness?.close();
  });

  it("answers a chat completion, with its cost in a header and in usage", async () => {
    const { data, response } = await client.chat.completions
      .create({ model: "claude", messages: [{ role: "user", content: "Say hello" }] })
      .withResponse();
    expect(data.object).toBe("chat.completion");
    expect(data.model).toBe("claude");
    expect(data.choices[0]!.message.role).toBe("assistant");
    expect(data.choices[0]!.message.content).toMatch(/\S/);
    expect(data.choices[0]!.finish_reason).toBe("stop");
    expect(data.usage!.prompt_tokens).toBeGreaterThan(0);
    const cost = (data.usage as unknown as { cost: number }).cost;
    expect(cost).toBeGreaterThan(0);
    expect(Number(response.headers.get("x-bedrock-forge-cost-usd"))).toBeCloseTo(cost, 12);
    expect(response.headers.get("x-bedrock-forge-deployment")).toBe("claude#1");
    expect(response.headers.get("x-request-id")).toMatch(/\S/);
  });

  it("streams a chat completion as SSE and sends usage last when include_usage is set", async () => {
    const stream = await client.chat.completions.create({
      model: "llama",
      messages: [{ role: "user", content: "Tell me a story" }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks: OpenAI.Chat.Completions.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    const text = chunks.map((chunk) => chunk.choices[0]?.delta.content ?? "").join("");
    expect(text).toMatch(/\S/);
    expect(chunks.some((chunk) => chunk.choices[0]?.finish_reason === "stop")).toBe(true);
    const last = chunks[chunks.length - 1]!;
    expect(last.choices).toEqual([]);
    expect(last.usage!.completion_tokens).toBeGreaterThan(0);
    expect((last.usage as unknown as { cost: number }).cost).toBeGreaterThan(0);
  });

  it("sends no usage chunk when the client did not ask, and ends with [DONE]", async () => {
    const response = await fetch(`${harness.proxy.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "llama", messages: [{ role: "user", content: "hi" }], stream: true }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const text = await response.text();
    const events = text.split("\n\n").filter((event) => event !== "");
    expect(events.every((event) => event.startsWith("data: "))).toBe(true);
    expect(events[events.length - 1]).toBe("data: [DONE]");
    const chunks = events.slice(0, -1).map((event) => JSON.parse(event.slice(6)));
    expect(chunks.some((chunk) => chunk.usage)).toBe(false);
    // The log line still has the tokens and the cost.
    await waitFor(() =>
      harness.requestLogs().some((line) => line.stream === true && line.cost_usd !== undefined),
    );
  });

  it("returns tool calls", async () => {
    const completion = await client.chat.completions.create({
      model: "claude",
      messages: [{ role: "user", content: "What is the weather in Paris?" }],
      tools: [weatherTool],
      tool_choice: "required",
    });
    const call = completion.choices[0]!.message.tool_calls![0]!;
    expect(completion.choices[0]!.finish_reason).toBe("tool_calls");
    expect(call.type).toBe("function");
    if (call.type !== "function") throw new Error("expected a function call");
    expect(call.function.name).toBe("get_weather");
    expect(JSON.parse(call.function.arguments)).toEqual(
      expect.objectContaining({ city: expect.any(String) }),
    );
  });

  it("streams tool calls", async () => {
    const stream = await client.chat.completions.create({
      model: "claude",
      messages: [{ role: "user", content: "What is the weather in Paris?" }],
      tools: [weatherTool],
      tool_choice: "required",
      stream: true,
    });
    let name = "";
    let args = "";
    let finish: string | null = null;
    for await (const chunk of stream) {
      for (const delta of chunk.choices[0]?.delta.tool_calls ?? []) {
        name += delta.function?.name ?? "";
        args += delta.function?.arguments ?? "";
      }
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    expect(name).toBe("get_weather");
    expect(JSON.parse(args)).toEqual(expect.objectContaining({ city: expect.any(String) }));
    expect(finish).toBe("tool_calls");
  });

  it("creates embeddings", async () => {
    const { data, response } = await client.embeddings
      .create({ model: "embed", input: ["first text", "second text"], dimensions: 256 })
      .withResponse();
    expect(data.object).toBe("list");
    expect(data.data.map((item) => item.index)).toEqual([0, 1]);
    expect(data.data[0]!.embedding).toHaveLength(256);
    expect(response.headers.get("x-bedrock-forge-cost-usd")).toMatch(/^\d+(\.\d+)?$/);
    // The openai client asks for base64 by default and decodes it as float32: Titan V2 is asked for floats.
    expect(harness.emulator.requests.at(-1)!.body).toMatchObject({ embeddingTypes: ["float"] });
  });

  it("generates images", async () => {
    const result = await client.images.generate({
      model: "image",
      prompt: "a lighthouse at dawn",
      size: "1024x1024",
    });
    expect(result.data![0]!.b64_json).toMatch(/^[A-Za-z0-9+/]+=*$/);
  });

  it("reports a guardrail intervention from the config's guardrail as content_filter", async () => {
    const completion = await client.chat.completions.create({
      model: "guarded",
      messages: [{ role: "user", content: "Tell me something BLOCKED" }],
    });
    expect(completion.choices[0]!.finish_reason).toBe("content_filter");
    const sent = harness.emulator.requests.at(-1)!;
    expect((sent.body as { guardrailConfig?: unknown }).guardrailConfig).toEqual({
      guardrailIdentifier: "gr-test",
      guardrailVersion: "DRAFT",
      trace: "enabled",
    });
  });

  it("applies a guardrail sent in extra_body (guardrailConfig) when the config sets none", async () => {
    const completion = await client.chat.completions.create({
      model: "llama",
      messages: [{ role: "user", content: "Tell me something BLOCKED" }],
      // @ts-expect-error: a Bedrock field beyond OpenAI's, as extra_body sends it
      guardrailConfig: { guardrailIdentifier: "gr-client", guardrailVersion: "1" },
    });
    expect(completion.choices[0]!.finish_reason).toBe("content_filter");
  });

  it("passes extra_body params to Bedrock and lets request values override config defaults", async () => {
    const before = harness.emulator.requests.length;
    await client.chat.completions.create({
      model: "claude",
      messages: [{ role: "user", content: "hi" }],
      temperature: 0.9,
      // @ts-expect-error: top_k is a Bedrock param beyond OpenAI's, as extra_body sends it
      top_k: 17,
    });
    const sent = harness.emulator.requests.slice(before).find((request) => request.operation === "converse");
    const body = sent!.body as {
      inferenceConfig?: { temperature?: number };
      additionalModelRequestFields?: { top_k?: number };
    };
    expect(body.inferenceConfig?.temperature).toBe(0.9);
    expect(body.additionalModelRequestFields?.top_k).toBe(17);
  });

  it("treats OpenAI's neutral values (n: 1, zero penalties) as not given, as LangChain sends them", async () => {
    const completion = await client.chat.completions.create({
      model: "claude",
      messages: [{ role: "user", content: "hi" }],
      n: 1,
      presence_penalty: 0,
      frequency_penalty: 0,
      logprobs: false,
    });
    expect(completion.choices).toHaveLength(1);
    const error = await client.chat.completions
      .create({ model: "claude", messages: [{ role: "user", content: "hi" }], presence_penalty: 0.5 })
      .catch((caught) => caught);
    expect(error.status).toBe(400);
    expect(error.param).toBe("presence_penalty");
  });

  it("applies config defaults when the request does not set them", async () => {
    const before = harness.emulator.requests.length;
    await client.chat.completions.create({ model: "claude", messages: [{ role: "user", content: "hi" }] });
    const sent = harness.emulator.requests.slice(before).find((request) => request.operation === "converse");
    const body = sent!.body as {
      inferenceConfig?: { temperature?: number };
      additionalModelRequestFields?: { top_k?: number };
    };
    expect(body.inferenceConfig?.temperature).toBe(0.2);
    expect(body.additionalModelRequestFields?.top_k).toBe(5);
  });

  it("lists the model names in OpenAI's shape", async () => {
    const models = [];
    for await (const model of client.models.list()) models.push(model);
    expect(models.map((model) => model.id)).toEqual([
      "claude",
      "llama",
      "embed",
      "guarded",
      ...(imageModel ? ["image"] : []),
    ]);
    expect(models[0]).toEqual({
      id: "claude",
      object: "model",
      created: expect.any(Number),
      owned_by: "bedrock",
    });
  });

  it("answers on the paths without /v1 too, and on the health endpoints", async () => {
    const response = await fetch(`${harness.proxy.url}/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "claude", messages: [{ role: "user", content: "hi" }] }),
    });
    expect(response.status).toBe(200);
    expect((await fetch(`${harness.proxy.url}/health/liveliness`)).status).toBe(200);
    const readiness = await fetch(`${harness.proxy.url}/health/readiness`);
    expect(readiness.status).toBe(200);
    expect(await readiness.json()).toEqual(expect.objectContaining({ status: "healthy" }));
  });

  it("writes one log line per request, without message content or credentials", async () => {
    const secret = "a-very-secret-user-message";
    await client.chat.completions.create({ model: "claude", messages: [{ role: "user", content: secret }] });
    const lines = harness.logs.map((line) => JSON.stringify(line));
    expect(lines.some((line) => line.includes(secret))).toBe(false);
    expect(lines.some((line) => line.includes("wJalrXUtnFEMI"))).toBe(false);
    expect(lines.some((line) => line.includes("AKIAIOSFODNN7EXAMPLE"))).toBe(false);
    const last = harness.requestLogs().at(-1)!;
    expect(last).toEqual(
      expect.objectContaining({
        level: "info",
        method: "POST",
        path: "/v1/chat/completions",
        status: 200,
        model: "claude",
        deployment: "claude#1",
        latency_ms: expect.any(Number),
        prompt_tokens: expect.any(Number),
        completion_tokens: expect.any(Number),
        cost_usd: expect.any(Number),
      }),
    );
  });
});

describe("behaviour switches from the config (modify_params, user_continue_message, drop_params)", () => {
  let harness: Harness;

  beforeAll(async () => {
    harness = await startHarness((emulator) => ({
      model_list: [
        { model_name: "strict", litellm_params: paramsFor(emulator, claude) },
        {
          model_name: "continued",
          litellm_params: paramsFor(emulator, llama, {
            user_continue_message: { role: "user", content: "Go on, please" },
          }),
        },
      ],
      litellm_settings: { modify_params: true, drop_params: true },
    }));
  });

  afterAll(async () => {
    await harness?.close();
  });

  /** The Converse messages the emulator received for the last call. */
  const sentMessages = () =>
    (harness.emulator.requests.at(-1)!.body as { messages: { role: string; content: { text?: string }[] }[] })
      .messages;

  it("inserts LiteLLM's default user turn under litellm_settings.modify_params", async () => {
    const completion = await harness.client().chat.completions.create({
      model: "strict",
      messages: [{ role: "assistant", content: "Hey, how's it going?" }],
    });
    expect(completion.choices[0]!.message.content).toMatch(/\S/);
    expect(sentMessages()[0]!.role).toBe("user");
  });

  it("drops params the model does not support under drop_params, and logs the warning", async () => {
    const completion = await harness.client().chat.completions.create({
      model: "strict",
      messages: [{ role: "user", content: "hi" }],
      presence_penalty: 0.5,
    });
    expect(completion.choices[0]!.message.content).toMatch(/\S/);
    await waitFor(() => harness.requestLogs().length > 0);
    expect(harness.requestLogs().at(-1)!.warnings).toEqual([expect.stringContaining("presence_penalty")]);
  });

  it("inserts the deployment's user_continue_message", async () => {
    await harness.client().chat.completions.create({
      model: "continued",
      messages: [{ role: "assistant", content: "Hey, how's it going?" }],
    });
    expect(sentMessages()[0]).toEqual({ role: "user", content: [{ text: "Go on, please" }] });
  });
});
