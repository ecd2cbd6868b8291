import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { claude, type Harness, llama, paramsFor, postRaw, startHarness } from "./helpers.js";

/** Deployments whose emulator answers every call with a fault. */
const faults = {
  throttled: "throttle",
  broken: "500",
  unavailable: "503",
  denied: "access-denied",
  slow: "model-timeout",
  "too-long": "context-window",
  "not-ready": "not-ready",
  "stream-breaks": "stream-error-after:2",
} as const;

/** Status, type and code each Bedrock exception must come back with. */
const expected: Record<keyof typeof faults, { status: number; type: string; code: string }> = {
  throttled: { status: 429, type: "rate_limit_error", code: "ThrottlingException" },
  broken: { status: 500, type: "api_error", code: "InternalServerException" },
  unavailable: { status: 503, type: "service_unavailable_error", code: "ServiceUnavailableException" },
  denied: { status: 403, type: "permission_error", code: "AccessDeniedException" },
  slow: { status: 408, type: "timeout_error", code: "ModelTimeoutException" },
  "too-long": { status: 400, type: "invalid_request_error", code: "context_length_exceeded" },
  "not-ready": { status: 503, type: "service_unavailable_error", code: "ModelNotReadyException" },
  "stream-breaks": { status: 200, type: "", code: "" },
};

describe("proxy errors", () => {
  let harness: Harness;
  let client: OpenAI;
  let chatUrl: string;

  beforeAll(async () => {
    harness = await startHarness(
      (emulator) => ({
        model_list: [
          { model_name: "claude", litellm_params: paramsFor(emulator, claude) },
          ...Object.entries(faults).map(([name, fault]) => ({
            model_name: name,
            litellm_params: paramsFor(emulator, llama, { extra_headers: { "x-bedrock-forge-fault": fault } }),
          })),
        ],
      }),
      { proxy: { maxRequestBytes: 64 * 1024 } },
    );
    client = harness.client();
    chatUrl = `${harness.proxy.url}/v1/chat/completions`;
  });

  afterAll(async () => {
    await harness?.close();
  });

  const hello = [{ role: "user" as const, content: "hello" }];

  for (const [model, want] of Object.entries(expected)) {
    if (want.status === 200) continue;
    it(`maps a Bedrock ${faults[model as keyof typeof faults]} fault to ${want.status} ${want.type}`, async () => {
      const error = await client.chat.completions
        .create({ model, messages: hello })
        .catch((caught) => caught);
      expect(error).toBeInstanceOf(OpenAI.APIError);
      expect(error.status).toBe(want.status);
      expect(error.type).toBe(want.type);
      expect(error.code).toBe(want.code);
      expect(error.error.message).toMatch(/\S/);
      // A stream that fails before its first chunk is an HTTP error too, not an SSE event.
      const streamed = await client.chat.completions
        .create({ model, messages: hello, stream: true })
        .catch((caught) => caught);
      expect(streamed.status).toBe(want.status);
      expect(streamed.code).toBe(want.code);
    });
  }

  it("sets Retry-After on 429", async () => {
    const response = await postRaw(chatUrl, JSON.stringify({ model: "throttled", messages: hello }));
    expect(response.status).toBe(429);
    expect(response.headers.get("retry-after")).toBe("1");
  });

  it("turns a Bedrock exception in the middle of a stream into an SSE error event, without [DONE]", async () => {
    const stream = await client.chat.completions.create({
      model: "stream-breaks",
      messages: hello,
      stream: true,
    });
    const received: unknown[] = [];
    const error = await (async () => {
      for await (const chunk of stream) received.push(chunk);
    })().catch((caught) => caught);
    expect(received.length).toBeGreaterThan(0);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect(error.code).toBe("ModelStreamErrorException");
    expect(error.type).toBe("api_error");

    const raw = await postRaw(
      chatUrl,
      JSON.stringify({ model: "stream-breaks", messages: hello, stream: true }),
    );
    expect(raw.status).toBe(200);
    const events = raw.text.split("\n\n").filter((event) => event !== "");
    const last = events[events.length - 1]!;
    expect(raw.text).not.toContain("[DONE]");
    expect(JSON.parse(last.slice("data: ".length))).toEqual({
      error: {
        message: expect.stringContaining("ModelStreamErrorException"),
        type: "api_error",
        param: null,
        code: "ModelStreamErrorException",
      },
    });
    const line = harness.requestLogs().at(-1)!;
    expect(line).toEqual(
      expect.objectContaining({
        status: 200,
        stream: true,
        error_code: "ModelStreamErrorException",
        stream_error_status: 424,
        level: "warn",
      }),
    );
  });

  it("answers a runtime validation error with 400 naming the param", async () => {
    const error = await client.chat.completions
      .create({ model: "claude", messages: hello, n: 3 })
      .catch((caught) => caught);
    expect(error.status).toBe(400);
    expect(error.type).toBe("invalid_request_error");
    expect(error.code).toBe("unsupported_param");
    expect(error.param).toBe("n");
  });

  it("answers an operation the model does not offer with 400 model_not_supported", async () => {
    const error = await client.embeddings.create({ model: "claude", input: "hi" }).catch((caught) => caught);
    expect(error.status).toBe(400);
    expect(error.code).toBe("model_not_supported");
  });

  it("answers an unknown model with 404 model_not_found listing the model names", async () => {
    const error = await client.chat.completions
      .create({ model: "gpt-4o", messages: hello })
      .catch((caught) => caught);
    expect(error).toBeInstanceOf(OpenAI.NotFoundError);
    expect(error.code).toBe("model_not_found");
    expect(error.param).toBe("model");
    expect(error.error.message).toContain("gpt-4o");
    expect(error.error.message).toContain("claude, throttled");
    const raw = await postRaw(
      `${harness.proxy.url}/v1/embeddings`,
      JSON.stringify({ model: "nope", input: "x" }),
    );
    expect(raw.status).toBe(404);
    expect((await fetch(`${harness.proxy.url}/v1/models/nope`)).status).toBe(404);
  });

  describe("raw HTTP", () => {
    it("answers malformed JSON with 400 invalid_request_error", async () => {
      const response = await postRaw(chatUrl, '{"model": "claude", "messages": [');
      expect(response.status).toBe(400);
      expect(response.json).toEqual({
        error: {
          message: expect.stringContaining("JSON"),
          type: "invalid_request_error",
          param: null,
          code: "invalid_json",
        },
      });
    });

    it("reads a body sent without a JSON content type as JSON (curl -d)", async () => {
      const response = await postRaw(chatUrl, JSON.stringify({ model: "claude", messages: hello }), {
        "content-type": "application/x-www-form-urlencoded",
      });
      expect(response.status).toBe(200);
      const plainText = await postRaw(chatUrl, JSON.stringify({ model: "claude", messages: hello }), {
        "content-type": "text/plain",
      });
      expect(plainText.status).toBe(200);
      const broken = await postRaw(chatUrl, "model=claude", {
        "content-type": "application/x-www-form-urlencoded",
      });
      expect(broken.status).toBe(400);
      expect((broken.json as { error: { code: string } }).error.code).toBe("invalid_json");
    });

    it("answers a body that is not an object with 400", async () => {
      const response = await postRaw(chatUrl, "[1, 2]");
      expect(response.status).toBe(400);
      expect((response.json as { error: { type: string } }).error.type).toBe("invalid_request_error");
    });

    const wrongTypes: [string, Record<string, unknown>, string, RegExp][] = [
      ["temperature", { temperature: "hot" }, "temperature", /temperature must be a number/],
      ["max_tokens", { max_tokens: 1.5 }, "max_tokens", /max_tokens must be an integer/],
      ["stream", { stream: "yes" }, "stream", /stream must be a boolean/],
      ["messages", { messages: "hello" }, "messages", /messages must be an array/],
      [
        "a message role",
        { messages: [{ role: "robot", content: "hi" }] },
        "messages[0].role",
        /must be one of/,
      ],
      [
        "a message content",
        { messages: [{ role: "user", content: 42 }] },
        "messages[0].content",
        /string or an array/,
      ],
      [
        "tools",
        { tools: [{ type: "function", function: { name: 7 } }] },
        "tools[0].function.name",
        /a string/,
      ],
    ];
    for (const [what, override, param, message] of wrongTypes) {
      it(`answers a wrong type in ${what} with 400 naming ${param}`, async () => {
        const response = await postRaw(
          chatUrl,
          JSON.stringify({ model: "claude", messages: hello, ...override }),
        );
        expect(response.status).toBe(400);
        const body = response.json as {
          error: { message: string; type: string; param: string; code: string };
        };
        expect(body.error.type).toBe("invalid_request_error");
        expect(body.error.param).toBe(param);
        expect(body.error.message).toMatch(message);
      });
    }

    const missing: [string, string, Record<string, unknown>, string][] = [
      ["chat", "/v1/chat/completions", { model: "claude" }, "messages"],
      ["chat", "/v1/chat/completions", { messages: hello }, "model"],
      [
        "chat",
        "/v1/chat/completions",
        { model: "claude", messages: [{ role: "user" }] },
        "messages[0].content",
      ],
      [
        "a tool message",
        "/v1/chat/completions",
        { model: "claude", messages: [{ role: "tool", content: "x" }] },
        "messages[0].tool_call_id",
      ],
      ["embeddings", "/v1/embeddings", { model: "claude" }, "input"],
      ["images", "/v1/images/generations", { model: "claude" }, "prompt"],
    ];
    for (const [what, path, body, field] of missing) {
      it(`answers a missing ${field} in ${what} with 400 naming it`, async () => {
        const response = await postRaw(`${harness.proxy.url}${path}`, JSON.stringify(body));
        expect(response.status).toBe(400);
        expect(response.json).toEqual({
          error: {
            message: `${field} is required`,
            type: "invalid_request_error",
            param: field,
            code: "missing_required_parameter",
          },
        });
      });
    }

    it("answers an oversized body with 413 in OpenAI's error shape", async () => {
      const big = JSON.stringify({
        model: "claude",
        messages: [{ role: "user", content: "x".repeat(100_000) }],
      });
      const response = await postRaw(chatUrl, big);
      expect(response.status).toBe(413);
      expect(response.json).toEqual({
        error: {
          message: expect.any(String),
          type: "invalid_request_error",
          param: null,
          code: "request_too_large",
        },
      });
    });

    it("answers an unknown URL with 404 in OpenAI's error shape", async () => {
      const response = await postRaw(`${harness.proxy.url}/v1/completions-of-some-kind`, "{}");
      expect(response.status).toBe(404);
      expect((response.json as { error: { code: string } }).error.code).toBe("unknown_url");
    });

    it("refuses credentials and endpoints sent by a client", async () => {
      for (const field of [
        "aws_access_key_id",
        "aws_bedrock_runtime_endpoint",
        "api_base",
        "model_id",
        "extra_headers",
      ]) {
        const response = await postRaw(
          chatUrl,
          JSON.stringify({
            model: "claude",
            messages: hello,
            [field]: field === "extra_headers" ? { a: "b" } : "x",
          }),
        );
        expect(response.status).toBe(400);
        expect(response.json).toEqual({
          error: {
            message: expect.stringContaining(`${field} cannot be set`),
            type: "invalid_request_error",
            param: field,
            code: "client_side_credentials_not_allowed",
          },
        });
      }
    });
  });
});

describe("proxy errors with a config that locks a guardrail or allows client credentials", () => {
  let harness: Harness;

  beforeAll(async () => {
    harness = await startHarness((emulator) => ({
      model_list: [
        {
          model_name: "guarded",
          litellm_params: paramsFor(emulator, claude, {
            guardrailConfig: { guardrailIdentifier: "gr-locked", guardrailVersion: "1" },
          }),
        },
        {
          model_name: "open",
          litellm_params: {
            model: `bedrock/${llama}`,
            aws_region_name: "us-east-1",
            configurable_clientside_auth_params: [
              "aws_access_key_id",
              "aws_secret_access_key",
              "aws_bedrock_runtime_endpoint",
            ],
          },
        },
      ],
      // The host a client-chosen endpoint may name (the emulator's).
      general_settings: { client_endpoint_hosts: ["127.0.0.1"] },
    }));
  });

  afterAll(async () => {
    await harness?.close();
  });

  it("refuses a request that replaces the config's guardrail", async () => {
    const response = await postRaw(
      `${harness.proxy.url}/v1/chat/completions`,
      JSON.stringify({
        model: "guarded",
        messages: [{ role: "user", content: "hi" }],
        guardrailConfig: { guardrailIdentifier: "gr-other", guardrailVersion: "1" },
      }),
    );
    expect(response.status).toBe(400);
    expect((response.json as { error: { code: string; param: string } }).error).toEqual(
      expect.objectContaining({ code: "guardrail_locked", param: "guardrailConfig" }),
    );
    // The config's own guardrail, whatever the order of its fields, is accepted.
    const same = await postRaw(
      `${harness.proxy.url}/v1/chat/completions`,
      JSON.stringify({
        model: "guarded",
        messages: [{ role: "user", content: "hi" }],
        guardrailConfig: { guardrailVersion: "1", guardrailIdentifier: "gr-locked" },
      }),
    );
    expect(same.status).toBe(200);
  });

  it("takes credentials and the endpoint from the request where configurable_clientside_auth_params allows", async () => {
    const response = await postRaw(
      `${harness.proxy.url}/v1/chat/completions`,
      JSON.stringify({
        model: "open",
        messages: [{ role: "user", content: "hi" }],
        aws_access_key_id: "AKIAIOSFODNN7EXAMPLE",
        aws_secret_access_key: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        aws_bedrock_runtime_endpoint: harness.emulator.url,
      }),
    );
    expect(response.status).toBe(200);
    expect(harness.emulator.requests.at(-1)!.auth).toBe("sigv4");
  });
});

describe("master key", () => {
  let harness: Harness;

  beforeAll(async () => {
    harness = await startHarness(
      (emulator) => ({
        model_list: [{ model_name: "claude", litellm_params: paramsFor(emulator, claude) }],
        general_settings: { master_key: "os.environ/PROXY_MASTER_KEY" },
      }),
      { proxy: { env: { PROXY_MASTER_KEY: "sk-test-master-key" } } },
    );
  });

  afterAll(async () => {
    await harness?.close();
  });

  const hello = [{ role: "user" as const, content: "hello" }];

  it("accepts the master key as a bearer token", async () => {
    const completion = await harness
      .client("sk-test-master-key")
      .chat.completions.create({ model: "claude", messages: hello });
    expect(completion.choices[0]!.message.content).toMatch(/\S/);
    const models = await harness.client("sk-test-master-key").models.list();
    expect(models.data.map((model) => model.id)).toEqual(["claude"]);
  });

  it("answers a wrong key with 401 in OpenAI's error format", async () => {
    for (const key of ["sk-wrong", "sk-test-master-ke", "sk-test-master-key-longer"]) {
      const error = await harness
        .client(key)
        .chat.completions.create({ model: "claude", messages: hello })
        .catch((caught) => caught);
      expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
      expect(error.error).toEqual({
        message: expect.any(String),
        type: "authentication_error",
        param: null,
        code: "invalid_api_key",
      });
    }
    const listing = await harness
      .client("sk-wrong")
      .models.list()
      .catch((caught) => caught);
    expect(listing.status).toBe(401);
  });

  it("answers a missing key with 401 and WWW-Authenticate", async () => {
    const response = await postRaw(
      `${harness.proxy.url}/v1/chat/completions`,
      JSON.stringify({ model: "claude", messages: hello }),
    );
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toBe("Bearer");
    expect((response.json as { error: { code: string } }).error.code).toBe("missing_api_key");
    const wrongScheme = await postRaw(`${harness.proxy.url}/v1/chat/completions`, "{}", {
      "content-type": "application/json",
      authorization: "Basic sk-test-master-key",
    });
    expect(wrongScheme.status).toBe(401);
  });

  it("leaves the health endpoints open", async () => {
    expect((await fetch(`${harness.proxy.url}/health/liveliness`)).status).toBe(200);
    expect((await fetch(`${harness.proxy.url}/health/readiness`)).status).toBe(200);
  });

  it("does not warn that the server is open", () => {
    expect(harness.logs.some((line) => line.msg.includes("no master key"))).toBe(false);
  });
});
