/**
 * Bedrock's errors as callers get them, through the real AWS SDK and the emulator's fault injection:
 * every mapped exception with its OpenAI-style status, type, retryable flag and Bedrock's request id,
 * on both chat routes and for embeddings and images; retries on throttling and 5xx (`num_retries`),
 * `timeout` and `signal` on a call that never answers.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Emulator, startEmulator } from "../../emulator/index.js";
import { type Bedrock, BedrockCallError, createBedrock, uncheckedModel } from "../../runtime/index.js";
import { credentials, failure } from "./live.js";

const CLAUDE = "anthropic.claude-3-haiku-20240307-v1:0";
const LLAMA = "meta.llama3-8b-instruct-v1:0";
const hello = [{ role: "user" as const, content: "Hello errors" }];
const fault = (name: string) => ({ headers: { "x-bedrock-forge-fault": name } });

let emulator: Emulator;
let bedrock: Bedrock;

beforeAll(async () => {
  emulator = await startEmulator({ mode: "synthesize" });
  bedrock = createBedrock({ region: "us-east-1", endpoint: emulator.url, credentials, num_retries: 0 });
});

afterAll(async () => {
  await emulator?.close();
});

/** Bedrock's exception per fault, and what the caller must get: OpenAI's status and type, retryable, code. */
const faults = [
  ["throttle", "ThrottlingException", 429, 429, "rate_limit_error", true, "ThrottlingException"],
  ["500", "InternalServerException", 500, 500, "api_error", true, "InternalServerException"],
  [
    "503",
    "ServiceUnavailableException",
    503,
    503,
    "service_unavailable_error",
    true,
    "ServiceUnavailableException",
  ],
  ["model-timeout", "ModelTimeoutException", 408, 408, "timeout_error", true, "ModelTimeoutException"],
  [
    "not-ready",
    "ModelNotReadyException",
    429,
    503,
    "service_unavailable_error",
    true,
    "ModelNotReadyException",
  ],
  ["access-denied", "AccessDeniedException", 403, 403, "permission_error", false, "AccessDeniedException"],
  [
    "quota",
    "ServiceQuotaExceededException",
    400,
    429,
    "rate_limit_error",
    false,
    "ServiceQuotaExceededException",
  ],
  [
    "context-window",
    "ValidationException",
    400,
    400,
    "invalid_request_error",
    false,
    "context_length_exceeded",
  ],
] as const;

describe("every mapped Bedrock exception", () => {
  it.each(
    faults.flatMap((row) =>
      ([`bedrock/converse/${CLAUDE}`, `bedrock/invoke/${CLAUDE}`] as const).map(
        (model) => [...row, model] as const,
      ),
    ),
  )(
    "%s → %s (HTTP %i) → status %i %s on %s",
    async (name, awsName, awsStatus, status, type, retryable, code, model) => {
      const before = emulator.requests.length;
      const error = await failure(bedrock.chat.completions.create({ model, messages: hello }, fault(name)));
      expect(emulator.requests.length).toBe(before + 1);
      const log = emulator.requests.at(-1)!;
      expect(log.status).toBe(awsStatus);
      expect(BedrockCallError.isInstance(error), String(error)).toBe(true);
      expect(error).toMatchObject({ awsErrorName: awsName, awsStatus, status, type, retryable, code });
      expect(error.requestId).toBe(log.id);
      expect(error.message).toContain(CLAUDE);
      expect(error.cause).toBeDefined();
    },
  );

  it("a ValidationException Bedrock raises for the body (not the context window) keeps its own code", async () => {
    const error = await failure(
      // top_k is not a Llama param (the types refuse it); passed through, Bedrock refuses it.
      bedrock.chat.completions.create({
        model: `bedrock/invoke/${LLAMA}`,
        messages: hello,
        top_k: 5,
      } as never),
    );
    expect(error).toMatchObject({ status: 400, code: "ValidationException", retryable: false });
    expect(error.message).toMatch(/top_k/);
  });

  it("a model id Bedrock does not know is Bedrock's ValidationException", async () => {
    const error = await failure(
      bedrock.chat.completions.create({
        model: uncheckedModel("bedrock/converse/acme.unknown-model-v1:0"),
        messages: hello,
      }),
    );
    expect(error).toMatchObject({ status: 400, awsErrorName: "ValidationException" });
    expect(error.message).toMatch(/acme\.unknown-model-v1:0/);
  });

  it.each([
    [
      "embeddings",
      () =>
        bedrock.embeddings.create({ model: "amazon.titan-embed-text-v2:0", input: "x" }, fault("throttle")),
    ],
    [
      "images",
      () =>
        bedrock.images.generate({ model: "amazon.titan-image-generator-v2:0", prompt: "x" }, fault("quota")),
    ],
    ["countTokens", () => bedrock.countTokens({ model: CLAUDE, messages: hello }, fault("access-denied"))],
  ] as const)("%s errors are the same typed errors", async (_name, run) => {
    const error = await failure(run());
    expect(BedrockCallError.isInstance(error)).toBe(true);
    expect(error.requestId).toBe(emulator.requests.at(-1)!.id);
    expect([429, 403]).toContain(error.status);
  });
});

describe("retries", () => {
  const attemptsSince = (before: number) =>
    emulator.requests.slice(before).map((request) => request.headers["amz-sdk-request"]);

  it("num_retries retries throttling: the emulator sees N+1 attempts, then the typed error", async () => {
    const client = createBedrock({
      region: "us-east-1",
      endpoint: emulator.url,
      credentials,
      num_retries: 1,
    });
    const before = emulator.requests.length;
    const error = await failure(
      client.chat.completions.create({ model: CLAUDE, messages: hello }, fault("throttle")),
    );
    expect(error).toMatchObject({ status: 429, code: "ThrottlingException" });
    expect(attemptsSince(before)).toEqual(["attempt=1; max=2", "attempt=2; max=2"]);
  });

  it("5xx are retried too; num_retries per request and maxRetries per call override the client's", async () => {
    const client = createBedrock({
      region: "us-east-1",
      endpoint: emulator.url,
      credentials,
      num_retries: 2,
    });
    let before = emulator.requests.length;
    await failure(client.chat.completions.create({ model: CLAUDE, messages: hello }, fault("503")));
    expect(attemptsSince(before)).toHaveLength(3);

    before = emulator.requests.length;
    await failure(
      client.chat.completions.create({ model: CLAUDE, messages: hello, num_retries: 0 }, fault("500")),
    );
    expect(attemptsSince(before)).toEqual(["attempt=1; max=1"]);

    before = emulator.requests.length;
    await failure(
      client.chat.completions.create({ model: CLAUDE, messages: hello }, { ...fault("500"), maxRetries: 1 }),
    );
    expect(attemptsSince(before)).toHaveLength(2);
  });

  it("errors that retrying cannot fix are not retried", async () => {
    const client = createBedrock({
      region: "us-east-1",
      endpoint: emulator.url,
      credentials,
      num_retries: 2,
    });
    const before = emulator.requests.length;
    await failure(client.chat.completions.create({ model: CLAUDE, messages: hello }, fault("access-denied")));
    expect(attemptsSince(before)).toHaveLength(1);
  });
});

describe("timeout and signal", () => {
  it.each([
    // The request's and the client's `timeout` are seconds (LiteLLM's unit), the call options' milliseconds.
    ["per request (body)", { timeout: 0.15 }, undefined, undefined],
    ["per request (body, LiteLLM's request_timeout)", { request_timeout: 0.15 }, undefined, undefined],
    ["per call (options)", {}, { timeout: 150 }, undefined],
    ["per client", {}, undefined, 0.15],
  ] as const)(
    "timeout %s aborts a call that never answers with a 408 typed error",
    async (_how, body, options, clientTimeout) => {
      const client = createBedrock({
        region: "us-east-1",
        endpoint: emulator.url,
        credentials,
        num_retries: 0,
        ...(clientTimeout ? { timeout: clientTimeout } : {}),
      });
      const started = Date.now();
      const error = await failure(
        client.chat.completions.create(
          { model: CLAUDE, messages: hello, ...body },
          { ...fault("timeout"), ...options },
        ),
      );
      const elapsed = Date.now() - started;
      expect(BedrockCallError.isInstance(error)).toBe(true);
      expect(error).toMatchObject({ status: 408, type: "timeout_error", retryable: true });
      expect(error.message).toMatch(/150 ms/);
      expect(elapsed).toBeGreaterThanOrEqual(140);
      expect(elapsed).toBeLessThan(3000);
      const log = emulator.requests.at(-1)!;
      await log.done;
      expect(log.clientClosed).toBe(true);
    },
  );

  it("a stream's timeout covers the wait for the response to start", async () => {
    const error = await failure(
      bedrock.chat.completions.create(
        { model: CLAUDE, messages: hello, stream: true, timeout: 0.15 },
        fault("timeout"),
      ),
    );
    expect(error).toMatchObject({ status: 408, type: "timeout_error" });
  });

  it("an aborted signal cancels a call that never answers", async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const error = await failure(
      bedrock.chat.completions.create(
        { model: CLAUDE, messages: hello },
        { ...fault("timeout"), signal: controller.signal },
      ),
    );
    expect(BedrockCallError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ status: 499, code: "AbortError", retryable: false });
    const log = emulator.requests.at(-1)!;
    await log.done;
    expect(log.clientClosed).toBe(true);
  });
});
