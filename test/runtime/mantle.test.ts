/**
 * The mantle route (OpenAI's Chat Completions on bedrock-mantle) over real HTTP against the emulator: the
 * body sent (the caller's OpenAI request less bedrock-forge's fields), the base path per model, SigV4 scoped
 * to `bedrock-mantle` or a bearer API key, unary and SSE-streamed answers decoded with usage and cost, and
 * OpenAI-shaped errors mapped to the runtime's error classes.
 *
 * Wire facts and their sources: endpoint, bases and signing name from AWS's bedrock-mantle page
 * (https://docs.aws.amazon.com/bedrock/latest/userguide/bedrock-mantle.html) and LiteLLM's
 * litellm/llms/bedrock_mantle/common_utils.py; the wrong-base refusal (400, ``model `<id>` isn't supported on
 * this route``) from public clients of mantle that match on it; bodies, chunks and errors from OpenAI's API
 * reference. No recording of a real mantle exchange exists: this proves the runtime and the emulator agree
 * with those references, not with the live service.
 */
import { HttpRequest } from "@smithy/protocol-http";
import { SignatureV4 } from "@smithy/signature-v4";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type Emulator, startEmulator } from "../../emulator/index.js";
import { mantleBaseOfPath } from "../../emulator/mantle.js";
import { buildMantleBody, mantleChatUrl } from "../../runtime/chat/mantle.js";
import {
  type Bedrock,
  BedrockCallError,
  type ChatCompletion,
  createBedrock,
  ModelNotSupportedError,
  uncheckedModel,
} from "../../runtime/index.js";
import { deriveMantleBase } from "../../runtime/mantle-base.js";
import { Sha256 } from "../../runtime/sha256.js";
import { assemble, credentials, drain, failure, reply } from "./live.js";

const GPT55 = "openai.gpt-5.5";
const apiKey = "ABSKQmVkcm9ja0ZvcmdlTWFudGxlS2V5RVhBTVBMRQ==";

let emulator: Emulator;
let bedrock: Bedrock;
const savedBearer = process.env.AWS_BEARER_TOKEN_BEDROCK;

beforeAll(async () => {
  delete process.env.AWS_BEARER_TOKEN_BEDROCK;
  emulator = await startEmulator({ mode: "synthesize", apiKeys: [apiKey], streamChunks: 3 });
  bedrock = createBedrock({ region: "us-east-1", endpoint: emulator.url, credentials, num_retries: 0 });
});

afterAll(async () => {
  await emulator?.close();
});

afterEach(() => {
  if (savedBearer === undefined) delete process.env.AWS_BEARER_TOKEN_BEDROCK;
  else process.env.AWS_BEARER_TOKEN_BEDROCK = savedBearer;
});

const hello = (text: string) => [{ role: "user" as const, content: text }];

/** The emulator's log entry of the last request, and the body it received. */
function lastRequest() {
  const request = emulator.requests.at(-1)!;
  return { request, body: request.body as Record<string, unknown> };
}

describe("the base path of a model", () => {
  it.each([
    ["openai.gpt-5.4", "openai/v1"],
    ["openai.gpt-5.5", "openai/v1"],
    ["openai.gpt-5", "openai/v1"],
    ["openai.gpt-6-astra", "openai/v1"],
    ["openai.gpt-6.1-sol", "openai/v1"],
    ["google.gemma-4-31b", "openai/v1"],
    ["openai.gpt-oss-120b", "v1"],
    ["openai.gpt-oss-safeguard-20b", "v1"],
    ["openai.gpt-4o", "v1"],
    ["google.gemma-3-27b-it", "v1"],
    ["qwen.qwen3-32b", "v1"],
  ])("%s is served on %s (LiteLLM's rule)", (model, base) => {
    expect(deriveMantleBase(model)).toBe(base);
  });

  it("the URL is the endpoint's (or the Region's bedrock-mantle host) with the base", () => {
    expect(mantleChatUrl(undefined, "eu-west-1", "openai/v1").href).toBe(
      "https://bedrock-mantle.eu-west-1.api.aws/openai/v1/chat/completions",
    );
    expect(mantleChatUrl("http://127.0.0.1:9/", "us-east-1", "v1").href).toBe(
      "http://127.0.0.1:9/v1/chat/completions",
    );
    expect(mantleBaseOfPath("/openai/v1/chat/completions")).toBe("openai/v1");
    expect(mantleBaseOfPath("/v1/chat/completions")).toBe("v1");
    expect(mantleBaseOfPath("/model/x/invoke")).toBeUndefined();
  });

  it("the body is the caller's OpenAI request less bedrock-forge's own fields", () => {
    const body = buildMantleBody(
      {
        model: "bedrock/mantle/openai.gpt-5.5",
        messages: hello("hi"),
        temperature: 0.2,
        reasoning_effort: "low",
        drop_params: true,
        region: "us-east-1",
        apiKey: "secret",
        guardrailConfig: { guardrailIdentifier: "g", guardrailVersion: "1" },
        timeout: 30,
        metadata: { a: "b" },
        mock_response: "x",
      },
      GPT55,
      false,
    );
    expect(body).toEqual({ model: GPT55, messages: hello("hi"), temperature: 0.2, reasoning_effort: "low" });
  });
});

describe("unary calls", () => {
  it("a catalog mantle model goes to /openai/v1 signed for bedrock-mantle, with usage and cost", async () => {
    const completion = await bedrock.chat.completions.create({
      model: "bedrock/mantle/openai.gpt-5.5",
      messages: hello("Hello mantle"),
      temperature: 0.5,
      drop_params: true,
    });
    const { request, body } = lastRequest();
    expect(request.path).toBe("/openai/v1/chat/completions");
    expect(request.auth).toBe("sigv4");
    expect(request.headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE\/\d{8}\/us-east-1\/bedrock-mantle\/aws4_request/,
    );
    expect(body).toEqual({ model: GPT55, messages: hello("Hello mantle"), temperature: 0.5 });
    expect(completion.choices[0]!.message.content).toBe(reply("Hello mantle"));
    expect(completion.choices[0]!.finish_reason).toBe("stop");
    expect(completion.model).toBe(GPT55);
    expect(completion.provider_specific_fields.route).toBe("mantle");
    const usage = completion.usage;
    expect(usage.prompt_tokens).toBeGreaterThan(0);
    expect(usage.completion_tokens).toBeGreaterThan(0);
    // GPT 5.5 at 5.50 / 33.00 USD per million tokens (specs/openai-mantle.yaml).
    expect(usage.cost).toBeCloseTo((usage.prompt_tokens * 5.5 + usage.completion_tokens * 33) / 1e6, 12);
  });

  it("the bare catalog id and LiteLLM's bedrock_mantle/ spelling take the same route", async () => {
    for (const model of [GPT55, "bedrock_mantle/openai.gpt-5.5"] as const) {
      const completion = await bedrock.chat.completions.create({ model, messages: hello("Same route") });
      expect(completion.provider_specific_fields.route).toBe("mantle");
      expect(lastRequest().request.path).toBe("/openai/v1/chat/completions");
      expect(lastRequest().body.model).toBe(GPT55);
    }
  });

  it("a model outside the catalog goes to /v1 by LiteLLM's rule, with no cost", async () => {
    const completion = await bedrock.chat.completions.create({
      model: uncheckedModel("bedrock/mantle/qwen.qwen3-32b"),
      messages: hello("Open weights"),
    });
    expect(lastRequest().request.path).toBe("/v1/chat/completions");
    expect(lastRequest().body.model).toBe("qwen.qwen3-32b");
    expect(completion.choices[0]!.message.content).toBe(reply("Open weights"));
    expect(completion.usage.cost).toBeNull();
  });

  it("tool calls come back as OpenAI tool calls", async () => {
    const completion = (await bedrock.chat.completions.create({
      model: GPT55,
      messages: hello("Weather in Paris?"),
      tools: [
        {
          type: "function",
          function: {
            name: "get_weather",
            parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
          },
        },
      ],
    })) as ChatCompletion;
    const choice = completion.choices[0]!;
    expect(choice.finish_reason).toBe("tool_calls");
    expect(choice.message.tool_calls?.[0]?.function.name).toBe("get_weather");
    expect(JSON.parse(choice.message.tool_calls![0]!.function.arguments)).toHaveProperty("city");
    expect(lastRequest().body.tools).toHaveLength(1);
  });

  it("a bearer API key is sent instead of SigV4 (the client's apiKey, or AWS_BEARER_TOKEN_BEDROCK)", async () => {
    const keyed = createBedrock({ region: "us-east-1", endpoint: emulator.url, apiKey, num_retries: 0 });
    await keyed.chat.completions.create({ model: GPT55, messages: hello("Bearer") });
    expect(lastRequest().request.auth).toBe("bearer");
    expect(lastRequest().request.headers.authorization).toBe(`Bearer ${apiKey}`);

    process.env.AWS_BEARER_TOKEN_BEDROCK = apiKey;
    const fromEnvironment = createBedrock({ region: "us-east-1", endpoint: emulator.url, num_retries: 0 });
    await fromEnvironment.chat.completions.create({ model: GPT55, messages: hello("Bearer env") });
    expect(lastRequest().request.headers.authorization).toBe(`Bearer ${apiKey}`);
  });

  it("mantleEndpoint wins over endpoint", async () => {
    const split = createBedrock({
      region: "us-east-1",
      endpoint: "http://127.0.0.1:9",
      mantleEndpoint: emulator.url,
      credentials,
      num_retries: 0,
    });
    const completion = await split.chat.completions.create({ model: GPT55, messages: hello("Split") });
    expect(completion.choices[0]!.message.content).toBe(reply("Split"));
  });
});

describe("streamed calls", () => {
  it("SSE chunks are decoded into the runtime's chunks, with the usage chunk and its cost", async () => {
    const stream = await bedrock.chat.completions.create({
      model: "bedrock/mantle/openai.gpt-5.5",
      messages: hello("Stream mantle"),
      stream: true,
      stream_options: { include_usage: true },
    });
    const { chunks, error } = await drain(stream);
    expect(error).toBeUndefined();
    const { request, body } = lastRequest();
    expect(request.path).toBe("/openai/v1/chat/completions");
    expect(body.stream).toBe(true);
    expect(body.stream_options).toEqual({ include_usage: true });
    const assembled = assemble(chunks);
    expect(assembled.content).toBe(reply("Stream mantle"));
    expect(assembled.finish).toBe("stop");
    const usage = chunks.at(-1)!.usage!;
    expect(usage.completion_tokens).toBeGreaterThan(0);
    expect(usage.cost).toBeCloseTo((usage.prompt_tokens * 5.5 + usage.completion_tokens * 33) / 1e6, 12);
    expect(chunks.every((chunk) => chunk.model === "openai.gpt-5.5")).toBe(true);
  });

  it("a stream that waits longer than the timeout for its next event ends with a timeout error", async () => {
    const stream = await bedrock.chat.completions.create(
      { model: GPT55, messages: hello("Slow"), stream: true },
      { timeout: 300, headers: { "x-bedrock-forge-chunk-interval-ms": "3000" } },
    );
    const { error } = await drain(stream);
    expect(error?.status).toBe(408);
  });

  it("leaving the stream early cancels the HTTP request", async () => {
    const stream = await bedrock.chat.completions.create(
      { model: GPT55, messages: hello("Leave early"), stream: true },
      { headers: { "x-bedrock-forge-stream-chunks": "40", "x-bedrock-forge-chunk-interval-ms": "20" } },
    );
    const sent = emulator.requests.at(-1)!;
    let seen = 0;
    for await (const _chunk of stream) if (++seen === 2) break;
    await sent.done;
    expect(sent.clientClosed).toBe(true);
    expect(sent.framesSent).toBeLessThan(40);
  });

  it("a stream cut before data: [DONE] is an error, not a short answer", async () => {
    const stream = await bedrock.chat.completions.create(
      { model: GPT55, messages: hello("Cut"), stream: true },
      { headers: { "x-bedrock-forge-fault": "truncate-after:2" } },
    );
    const { chunks, error } = await drain(stream);
    expect(chunks.length).toBeGreaterThan(0);
    expect(error?.status).toBe(502);
  });
});

describe("errors", () => {
  it("a model on the wrong base is mantle's 400, mapped and naming the model", async () => {
    // An endpoint with a path puts the /v1 model qwen.qwen3-32b on /openai/v1.
    const prefixed = createBedrock({
      region: "us-east-1",
      mantleEndpoint: `${emulator.url}/openai`,
      credentials,
      num_retries: 0,
    });
    const error = await failure(
      prefixed.chat.completions.create({
        model: uncheckedModel("bedrock/mantle/qwen.qwen3-32b"),
        messages: hello("Wrong base"),
      }),
    );
    expect(lastRequest().request.path).toBe("/openai/v1/chat/completions");
    expect(error).toBeInstanceOf(BedrockCallError);
    expect(error.status).toBe(400);
    expect(error.type).toBe("invalid_request_error");
    expect(error.retryable).toBe(false);
    expect(error.message).toContain("for qwen.qwen3-32b");
    expect(error.message).toContain("model `qwen.qwen3-32b` isn't supported on this route");
  });

  it("the emulator takes SigV4 scoped to bedrock-mantle only (the runtime's scope is checked above)", async () => {
    const url = new URL(`${emulator.url}/openai/v1/chat/completions`);
    const body = JSON.stringify({ model: GPT55, messages: hello("Scope") });
    const send = async (service: string) => {
      const signer = new SignatureV4({ credentials, region: "us-east-1", service, sha256: Sha256 });
      const signed = await signer.sign(
        new HttpRequest({
          method: "POST",
          protocol: url.protocol,
          hostname: url.hostname,
          port: Number(url.port),
          path: url.pathname,
          headers: { host: url.host, "content-type": "application/json" },
          body,
        }),
      );
      const { host: _host, ...headers } = signed.headers;
      return fetch(url, { method: "POST", headers, body });
    };
    const refused = await send("bedrock");
    // Bedrock answers InvalidSignatureException with 403 (emulator/errors.ts).
    expect(refused.status).toBe(403);
    const answer = (await refused.json()) as { error: { message: string; code: string } };
    expect(answer.error.code).toBe("InvalidSignatureException");
    expect(answer.error.message).toContain("'bedrock-mantle'");
    expect((await send("bedrock-mantle")).status).toBe(200);
  });

  it("unknown SigV4 keys are refused", async () => {
    const wrongKeys = createBedrock({
      region: "us-east-1",
      endpoint: emulator.url,
      credentials: { accessKeyId: "AKIDUNKNOWN000000000", secretAccessKey: "unknown/secret" },
      num_retries: 0,
    });
    const error = await failure(wrongKeys.chat.completions.create({ model: GPT55, messages: hello("Who") }));
    expect(error).toBeInstanceOf(BedrockCallError);
    expect(error.status).toBe(403);
    expect(error.message).toContain(GPT55);
  });

  it("a wrong API key is refused", async () => {
    const keyed = createBedrock({
      region: "us-east-1",
      endpoint: emulator.url,
      apiKey: "ABSKd3JvbmdrZXk=",
      num_retries: 0,
    });
    const error = await failure(keyed.chat.completions.create({ model: GPT55, messages: hello("Key") }));
    expect(error.status).toBe(403);
  });

  it.each([
    ["throttle", 429, "rate_limit_error", true],
    ["503", 503, "service_unavailable_error", true],
    ["500", 500, "api_error", true],
    ["access-denied", 403, "permission_error", false],
  ])("a %s fault answer maps to %i %s", async (name, status, type, retryable) => {
    const error = await failure(
      bedrock.chat.completions.create(
        { model: GPT55, messages: hello("Fault") },
        { headers: { "x-bedrock-forge-fault": name } },
      ),
    );
    expect(error).toBeInstanceOf(BedrockCallError);
    expect(error.status).toBe(status);
    expect(error.type).toBe(type);
    expect(error.retryable).toBe(retryable);
    expect(error.message).toContain(GPT55);
  });

  it("a timeout ends the call as a timeout error", async () => {
    const error = await failure(
      bedrock.chat.completions.create(
        { model: GPT55, messages: hello("Hang") },
        { timeout: 200, headers: { "x-bedrock-forge-fault": "timeout" } },
      ),
    );
    expect(error.status).toBe(408);
  });

  it("the caller's abort ends the call", async () => {
    const controller = new AbortController();
    const pending = bedrock.chat.completions.create(
      { model: GPT55, messages: hello("Abort") },
      { signal: controller.signal, headers: { "x-bedrock-forge-fault": "timeout" } },
    );
    setTimeout(() => controller.abort(), 50);
    const error = await failure(pending);
    expect(error.status).toBe(499);
  });

  it("CountTokens is refused for a mantle model before any request", async () => {
    const before = emulator.requests.length;
    const error = await failure(bedrock.countTokens({ model: GPT55, messages: hello("Count") }));
    expect(error).toBeInstanceOf(ModelNotSupportedError);
    expect(emulator.requests.length).toBe(before);
  });
});
