import {
  ConverseStreamCommand,
  InvokeModelCommand,
  InvokeModelWithResponseStreamCommand,
} from "@aws-sdk/client-bedrock-runtime";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator } from "../../emulator/server.js";
import type { Emulator } from "../../emulator/types.js";
import { eventually, rejectionOf, sdkClient, withHeaders } from "./helpers.js";

const MODEL = "anthropic.claude-3-haiku-20240307-v1:0";
const body = JSON.stringify({
  anthropic_version: "bedrock-2023-05-31",
  max_tokens: 300,
  messages: [{ role: "user", content: "Fault please" }],
});
const invoke = () => new InvokeModelCommand({ modelId: MODEL, body, contentType: "application/json" });
const invokeStream = () =>
  new InvokeModelWithResponseStreamCommand({ modelId: MODEL, body, contentType: "application/json" });
const converseStream = () =>
  new ConverseStreamCommand({
    modelId: MODEL,
    messages: [{ role: "user", content: [{ text: "Fault please" }] }],
  });

describe("fault injection", () => {
  let emulator: Emulator;
  beforeAll(async () => {
    emulator = await startEmulator({
      mode: "hybrid",
      streamChunks: 6,
      fixtures: [
        {
          source: "test",
          operation: "invoke",
          modelId: MODEL,
          request: { messages: [{ role: "user", content: "throttle me" }] },
          response: {},
          fault: "throttle",
        },
      ],
    });
  });
  afterAll(() => emulator.close());

  it.each([
    ["throttle", "ThrottlingException", 429, "Too many requests, please wait before trying again."],
    ["500", "InternalServerException", 500, undefined],
    ["503", "ServiceUnavailableException", 503, "Bedrock is unable to process your request."],
    [
      "model-timeout",
      "ModelTimeoutException",
      408,
      "Model has timed out in processing the request. Try your request again.",
    ],
    ["not-ready", "ModelNotReadyException", 429, undefined],
    [
      "access-denied",
      "AccessDeniedException",
      403,
      "You don't have access to the model with the specified model ID.",
    ],
    ["quota", "ServiceQuotaExceededException", 400, undefined],
    ["context-window", "ValidationException", 400, "Input is too long for requested model."],
  ] as const)("%s → %s (%i)", async (fault, name, status, message) => {
    for (const handler of ["h2", "http1"] as const) {
      const client = withHeaders(sdkClient(emulator, handler), { "x-bedrock-forge-fault": fault });
      const error = await rejectionOf(client.send(invoke()));
      expect(error.name).toBe(name);
      expect(error.$metadata?.httpStatusCode).toBe(status);
      if (message) expect(error.message).toBe(message);
      client.destroy();
    }
  });

  it("an unknown fault name is a clear error", async () => {
    const client = withHeaders(sdkClient(emulator, "http1"), { "x-bedrock-forge-fault": "explode" });
    const error = await rejectionOf(client.send(invoke()));
    expect(error.name).toBe("ValidationException");
    expect(error.message).toMatch(/unknown fault "explode"/);
    client.destroy();
  });

  it.each(["h2", "http1"] as const)(
    "timeout: never answers; the client gives up and the emulator sees it (%s)",
    async (handler) => {
      const client = withHeaders(sdkClient(emulator, handler), { "x-bedrock-forge-fault": "timeout" });
      const started = Date.now();
      const error = await rejectionOf(client.send(invoke(), { abortSignal: AbortSignal.timeout(300) }));
      expect(error.name).toMatch(/Abort|Timeout/);
      expect(Date.now() - started).toBeGreaterThanOrEqual(290);
      const entry = emulator.requests.at(-1)!;
      await eventually(() => entry.clientClosed);
      expect(entry.completed).toBe(false);
      client.destroy();
    },
  );

  it.each(["h2", "http1"] as const)(
    "stream-error-after:N sends N events then an exception frame (%s)",
    async (handler) => {
      const client = withHeaders(sdkClient(emulator, handler), {
        "x-bedrock-forge-fault": "stream-error-after:3",
      });
      const result = await client.send(invokeStream());
      const seen: unknown[] = [];
      const error = await rejectionOf(
        (async () => {
          for await (const event of result.body!) seen.push(event);
        })(),
      );
      expect(seen).toHaveLength(3);
      expect(error.name).toBe("ModelStreamErrorException");
      expect(error.message).toBe("An error occurred while streaming the response. Retry your request.");
      expect(emulator.requests.at(-1)?.errorType).toBe("ModelStreamErrorException");
      client.destroy();
    },
  );

  it("stream-error-after:N:throttling in a Converse stream", async () => {
    const client = withHeaders(sdkClient(emulator, "http1"), {
      "x-bedrock-forge-fault": "stream-error-after:2:throttling",
    });
    const result = await client.send(converseStream());
    const seen: unknown[] = [];
    const error = await rejectionOf(
      (async () => {
        for await (const event of result.stream!) seen.push(event);
      })(),
    );
    expect(seen).toHaveLength(2);
    expect(error.name).toBe("ThrottlingException");
    client.destroy();
  });

  it("a model timeout inside a Converse stream arrives as a modelStreamErrorException", async () => {
    const client = withHeaders(sdkClient(emulator, "http1"), {
      "x-bedrock-forge-fault": "stream-error-after:1:model-timeout",
    });
    const error = await rejectionOf(
      (async () => {
        const result = await client.send(converseStream());
        for await (const _event of result.stream!) {
          // drain
        }
      })(),
    );
    expect(error.name).toBe("ModelStreamErrorException");
    expect(error.message).toBe("Model has timed out in processing the request. Try your request again.");
    client.destroy();
  });

  it("close() ends requests left hanging by the timeout fault", async () => {
    const hanging = await startEmulator({ mode: "synthesize" });
    const client = withHeaders(sdkClient(hanging, "http1"), { "x-bedrock-forge-fault": "timeout" });
    const pending = rejectionOf(client.send(invoke()));
    await eventually(() => hanging.requests.length === 1 && hanging.requests[0]!.source === "fault");
    await hanging.close();
    expect((await pending).name).toBeDefined();
    client.destroy();
  });

  it.each(["h2", "http1"] as const)(
    "truncate-after:N cuts the connection mid-stream (%s)",
    async (handler) => {
      const client = withHeaders(sdkClient(emulator, handler), {
        "x-bedrock-forge-fault": "truncate-after:2",
      });
      let seen = 0;
      await rejectionOf(
        (async () => {
          const result = await client.send(invokeStream());
          for await (const _event of result.body!) seen++;
        })(),
      );
      expect(seen).toBeLessThanOrEqual(2);
      const entry = emulator.requests.at(-1)!;
      await entry.done;
      expect(entry.framesSent).toBe(2);
      expect(entry.completed).toBe(false);
      expect(entry.clientClosed).toBe(false); // the server cut it, not the client
      client.destroy();
    },
  );

  it("truncate-after:N cuts a unary answer after N bytes", async () => {
    const client = withHeaders(sdkClient(emulator, "http1"), {
      "x-bedrock-forge-fault": "truncate-after:10",
    });
    await rejectionOf(client.send(invoke()));
    client.destroy();
  });

  it("bad-crc makes the SDK's event-stream decoder fail", async () => {
    const client = withHeaders(sdkClient(emulator, "http1"), { "x-bedrock-forge-fault": "bad-crc" });
    const error = await rejectionOf(
      (async () => {
        const result = await client.send(invokeStream());
        for await (const _event of result.body!) {
          // drain
        }
      })(),
    );
    expect(error.message).toMatch(/checksum/i);
    client.destroy();
  });

  it("a fixture's fault applies when it is replayed", async () => {
    const client = sdkClient(emulator, "http1");
    const throttled = await rejectionOf(
      client.send(
        new InvokeModelCommand({
          modelId: MODEL,
          contentType: "application/json",
          body: JSON.stringify({
            anthropic_version: "bedrock-2023-05-31",
            max_tokens: 5,
            messages: [{ role: "user", content: "throttle me" }],
          }),
        }),
      ),
    );
    expect(throttled.name).toBe("ThrottlingException");
    client.destroy();
  });

  it("adds latency before answers and between stream frames", async () => {
    const slow = await startEmulator({
      mode: "synthesize",
      latencyMs: 150,
      chunkIntervalMs: 30,
      streamChunks: 5,
    });
    try {
      const client = sdkClient(slow, "http1");
      let started = Date.now();
      await client.send(invoke());
      expect(Date.now() - started).toBeGreaterThanOrEqual(145);
      started = Date.now();
      const result = await client.send(invokeStream());
      const arrivals: number[] = [];
      for await (const _event of result.body!) arrivals.push(Date.now() - started);
      expect(arrivals).toHaveLength(10);
      expect(arrivals.at(-1)! - arrivals[0]!).toBeGreaterThanOrEqual(9 * 30 - 20);
      client.destroy();
    } finally {
      await slow.close();
    }
  });

  it.each(["h2", "http1"] as const)("records a client that closes a stream early (%s)", async (handler) => {
    const client = withHeaders(sdkClient(emulator, handler), {
      "x-bedrock-forge-chunk-interval-ms": "40",
      "x-bedrock-forge-stream-chunks": "20",
    });
    const controller = new AbortController();
    const result = await client.send(invokeStream(), { abortSignal: controller.signal });
    for await (const _event of result.body!) {
      controller.abort();
      break;
    }
    const entry = emulator.requests.at(-1)!;
    await eventually(() => entry.clientClosed);
    expect(entry.completed).toBe(false);
    expect(entry.framesSent).toBeLessThan(24);
    client.destroy();
  });
});
