import { readFileSync } from "node:fs";
import * as sdk from "@aws-sdk/client-bedrock-runtime";
import { describe, expect, it } from "vitest";
import {
  BedrockCallError,
  BedrockForgeError,
  mapBedrockError,
  RequestValidationError,
} from "../../runtime/errors.js";

const serviceModel = JSON.parse(
  readFileSync(new URL("../reference/bedrock-runtime-service-model.json", import.meta.url), "utf8"),
) as {
  shapes: Record<string, { exception?: boolean; error?: { httpStatusCode: number } }>;
};

/** OpenAI status, type and retryability for every Bedrock exception: written out here, not derived from the code. */
const expected: Record<string, [number, string, boolean]> = {
  ValidationException: [400, "invalid_request_error", false],
  ConflictException: [409, "invalid_request_error", false],
  AccessDeniedException: [403, "permission_error", false],
  ResourceNotFoundException: [404, "not_found_error", false],
  ThrottlingException: [429, "rate_limit_error", true],
  ServiceQuotaExceededException: [429, "rate_limit_error", false],
  ModelNotReadyException: [503, "service_unavailable_error", true],
  ModelTimeoutException: [408, "timeout_error", true],
  ModelErrorException: [424, "api_error", false],
  ModelStreamErrorException: [424, "api_error", false],
  ServiceUnavailableException: [503, "service_unavailable_error", true],
  InternalServerException: [500, "api_error", true],
};

describe("mapBedrockError", () => {
  const modelled = Object.entries(serviceModel.shapes)
    .filter(([, shape]) => shape.exception)
    .map(([name, shape]) => [name, shape.error!.httpStatusCode] as const);

  it("covers every exception of the Bedrock Runtime service model", () => {
    expect(modelled.map(([name]) => name).sort()).toEqual(Object.keys(expected).sort());
  });

  it.each(modelled)("maps the SDK's %s (HTTP %i)", (name, httpStatus) => {
    const ErrorClass = (sdk as unknown as Record<string, new (options: object) => Error>)[name]!;
    const error = new ErrorClass({
      message: `boom ${name}`,
      $metadata: { httpStatusCode: httpStatus, requestId: "req-123" },
    });
    const mapped = mapBedrockError(error, { model: "anthropic.claude-3-haiku-20240307-v1:0" });
    const [status, type, retryable] = expected[name]!;
    expect(BedrockCallError.isInstance(mapped)).toBe(true);
    expect(mapped).toMatchObject({
      status,
      type,
      retryable,
      code: name,
      awsErrorName: name,
      awsStatus: httpStatus,
      requestId: "req-123",
    });
    expect(mapped.message).toBe(`Bedrock ${name} for anthropic.claude-3-haiku-20240307-v1:0: boom ${name}`);
    expect(mapped.cause).toBe(error);
  });

  it("names in-stream exceptions the same way as unary ones", () => {
    const error = Object.assign(new Error("Too many requests, please wait before trying again."), {
      name: "throttlingException",
    });
    expect(mapBedrockError(error)).toMatchObject({
      status: 429,
      awsErrorName: "ThrottlingException",
      retryable: true,
    });
  });

  it("recognizes a context window overflow", () => {
    const error = new sdk.ValidationException({
      message: "Input is too long for requested model.",
      $metadata: { httpStatusCode: 400 },
    });
    expect(mapBedrockError(error).code).toBe("context_length_exceeded");
  });

  it("maps authentication failures to 401", () => {
    for (const name of [
      "UnrecognizedClientException",
      "InvalidSignatureException",
      "ExpiredTokenException",
    ]) {
      const error = Object.assign(new Error("The security token included in the request is invalid."), {
        name,
        $metadata: { httpStatusCode: 403 },
      });
      expect(mapBedrockError(error)).toMatchObject({
        status: 401,
        type: "authentication_error",
        retryable: false,
      });
    }
  });

  it("keeps the project's own errors as they are and recognizes copies by marker", () => {
    const own = new RequestValidationError("bad", { param: "x" });
    expect(mapBedrockError(own)).toBe(own);
    const copy = Object.assign(Object.create(null), { [Symbol.for("bedrock-forge.error")]: true });
    expect(BedrockForgeError.isInstance(copy)).toBe(true);
    expect(BedrockForgeError.isInstance(new Error("x"))).toBe(false);
  });
});

describe("isInstance per class", () => {
  it("recognizes subclasses and rejects siblings, across copies (by marker, not prototype)", async () => {
    const { ModelNotSupportedError, ResponseParseError } = await import("../../runtime/errors.js");
    const notSupported = new ModelNotSupportedError("no such model");
    expect(RequestValidationError.isInstance(notSupported)).toBe(true);
    expect(ModelNotSupportedError.isInstance(notSupported)).toBe(true);
    expect(BedrockForgeError.isInstance(notSupported)).toBe(true);
    expect(BedrockCallError.isInstance(notSupported)).toBe(false);
    expect(ModelNotSupportedError.isInstance(new RequestValidationError("x"))).toBe(false);
    expect(RequestValidationError.isInstance(new ResponseParseError("x"))).toBe(false);
    // A copy of the error from another instance of the package: a plain object with the same markers.
    const copy = { ...notSupported };
    for (const key of Object.getOwnPropertySymbols(notSupported))
      (copy as Record<symbol, unknown>)[key] = (notSupported as unknown as Record<symbol, unknown>)[key];
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    expect(RequestValidationError.isInstance(copy)).toBe(true);
    expect(notSupported.name).toBe("ModelNotSupportedError");
  });
});

describe("connection failures", () => {
  it("maps socket errors without an HTTP answer to a retryable 502 connection_error", () => {
    const refused = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1"), { code: "ECONNREFUSED" });
    expect(mapBedrockError(refused, { model: "m" })).toMatchObject({
      status: 502,
      code: "connection_error",
      retryable: true,
      message: "Could not reach Bedrock for m: connect ECONNREFUSED 127.0.0.1:1 (ECONNREFUSED)",
    });
    const other = Object.assign(new Error("weird"), { code: "ESOMETHING" });
    expect(mapBedrockError(other).code).not.toBe("connection_error");
  });

  /**
   * A loopback server that answers 200 with headers and the start of a JSON body, then either cuts the
   * connection or stalls; each call through the real SDK to it.
   */
  async function partialAnswer(
    then: "cut" | "stall",
    call: (endpoint: string) => Promise<unknown>,
  ): Promise<unknown> {
    const http = await import("node:http");
    const sockets = new Set<import("node:net").Socket>();
    const server = http.createServer((request, response) => {
      request.resume();
      response.writeHead(200, { "content-type": "application/json", "content-length": "400" });
      response.write('{"output":{"message":{"role":"assistant","content":[{"text":"Hel');
      if (then === "cut") setTimeout(() => response.socket?.destroy(), 20);
    });
    server.on("connection", (socket) => sockets.add(socket));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = server.address() as import("node:net").AddressInfo;
      return await call(`http://127.0.0.1:${port}`).then(
        () => undefined,
        (error: unknown) => error,
      );
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    }
  }

  const keys = {
    accessKeyId: "AKIAIOSFODNN7EXAMPLE",
    secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
  };
  const hello = {
    model: "anthropic.claude-3-haiku-20240307-v1:0" as const,
    messages: [{ role: "user" as const, content: "x" }],
  };

  it("reports an answer cut off in its body as a retryable connection error", async () => {
    const { createBedrock } = await import("../../runtime/index.js");
    const error = await partialAnswer("cut", (endpoint) =>
      createBedrock({
        endpoint,
        region: "us-east-1",
        credentials: keys,
        num_retries: 0,
      }).chat.completions.create(hello),
    );
    expect(error).toMatchObject({ status: 502, code: "connection_error", retryable: true });
  });

  it("ends a call whose answer stalls in its body at its timeout, as a timeout", async () => {
    const { createBedrock } = await import("../../runtime/index.js");
    const started = Date.now();
    const error = await partialAnswer("stall", (endpoint) =>
      createBedrock({
        endpoint,
        region: "us-east-1",
        credentials: keys,
        num_retries: 0,
      }).chat.completions.create({
        ...hello,
        timeout: 0.3,
      }),
    );
    expect(error).toMatchObject({ status: 408 });
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it("reports a call aborted while its answer's body is arriving as aborted, not as a lost connection", async () => {
    const { createBedrock } = await import("../../runtime/index.js");
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    const error = await partialAnswer("stall", (endpoint) =>
      createBedrock({
        endpoint,
        region: "us-east-1",
        credentials: keys,
        num_retries: 0,
      }).chat.completions.create(hello, { signal: controller.signal }),
    );
    expect(error).toMatchObject({ status: 499 });
  });

  it("streams a ConverseStream answer even when it comes without the event-stream content type", async () => {
    const http = await import("node:http");
    const { encodeEventFrame } = await import("../../emulator/index.js");
    const { createBedrock } = await import("../../runtime/index.js");
    const server = http.createServer((request, response) => {
      request.resume();
      response.writeHead(200);
      response.write(encodeEventFrame("messageStart", { role: "assistant" }));
      response.write(encodeEventFrame("contentBlockDelta", { contentBlockIndex: 0, delta: { text: "Hel" } }));
      // The rest comes later: a buffered body would hold the first chunk back until the end.
      setTimeout(() => {
        response.write(
          encodeEventFrame("contentBlockDelta", { contentBlockIndex: 0, delta: { text: "lo" } }),
        );
        response.write(encodeEventFrame("contentBlockStop", { contentBlockIndex: 0 }));
        response.write(encodeEventFrame("messageStop", { stopReason: "end_turn" }));
        response.end(
          encodeEventFrame("metadata", {
            usage: { inputTokens: 1, outputTokens: 2, totalTokens: 3 },
            metrics: { latencyMs: 1 },
          }),
        );
      }, 300);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = server.address() as import("node:net").AddressInfo;
      const bedrock = createBedrock({
        endpoint: `http://127.0.0.1:${port}`,
        region: "us-east-1",
        credentials: keys,
        num_retries: 0,
      });
      const started = Date.now();
      const stream = await bedrock.chat.completions.create({ ...hello, stream: true });
      let text = "";
      let firstAt: number | undefined;
      for await (const chunk of stream) {
        const piece = chunk.choices[0]?.delta.content ?? "";
        if (piece && firstAt === undefined) firstAt = Date.now() - started;
        text += piece;
      }
      expect(text).toBe("Hello");
      expect(firstAt).toBeLessThan(250);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("reports an unreachable endpoint through the real SDK as a connection error", async () => {
    const { createBedrock } = await import("../../runtime/index.js");
    const bedrock = createBedrock({
      endpoint: "http://127.0.0.1:1",
      region: "us-east-1",
      credentials: {
        accessKeyId: "AKIAIOSFODNN7EXAMPLE",
        secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
      },
      num_retries: 0,
    });
    await expect(
      bedrock.chat.completions.create({
        model: "anthropic.claude-3-haiku-20240307-v1:0",
        messages: [{ role: "user", content: "x" }],
      }),
    ).rejects.toMatchObject({ status: 502, code: "connection_error", retryable: true });
  });
});
