/**
 * Per-call transport options on clients whose middleware stack is cached: a client bedrock-forge makes
 * resolves its SDK middleware stack once per command class (`cacheMiddleware`), so a call's abort
 * signal and extra headers travel on the command, read by the client's own middlewares. These tests
 * hold that the cache is really used, that concurrent calls on one client keep their own headers and
 * signals, that an abort ends a call at once even while the SDK waits between retries, and that a
 * client of your own still takes the signal through `send` options.
 */
import http from "node:http";
import { BedrockRuntimeClient, ConverseCommand } from "@aws-sdk/client-bedrock-runtime";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { type Emulator, startEmulator } from "../../emulator/index.js";
import { createBedrock } from "../../runtime/index.js";
import { clientFor } from "../../runtime/transport.js";
import { credentials, failure } from "./live.js";

const CLAUDE = "anthropic.claude-3-haiku-20240307-v1:0";
const hello = [{ role: "user" as const, content: "Hello options" }];

let emulator: Emulator;

beforeAll(async () => {
  emulator = await startEmulator({ mode: "synthesize" });
});

afterAll(async () => {
  await emulator?.close();
});

async function waitFor(condition: () => boolean, ms = 2000): Promise<void> {
  const until = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > until) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe("per-call options with a cached middleware stack", () => {
  it("a client bedrock-forge makes resolves its middleware stack once, not on every call", async () => {
    const connection = { region: "us-west-1", endpoint: emulator.url, credentials, maxAttempts: 1 };
    const client = await clientFor(connection);
    expect(client.config.cacheMiddleware).toBe(true);
    const bedrock = createBedrock({
      region: "us-west-1",
      endpoint: emulator.url,
      credentials,
      num_retries: 0,
    });
    await bedrock.chat.completions.create({ model: CLAUDE, messages: hello });
    const resolve = vi.spyOn(ConverseCommand.prototype, "resolveMiddleware");
    try {
      const controller = new AbortController();
      for (let index = 0; index < 3; index++) {
        await bedrock.chat.completions.create(
          { model: CLAUDE, messages: hello, extra_headers: { "x-forge-call": String(index) } },
          { signal: controller.signal },
        );
      }
      expect(resolve).not.toHaveBeenCalled();
    } finally {
      resolve.mockRestore();
    }
  });

  it("concurrent calls on one client keep their own extra headers, signed", async () => {
    const bedrock = createBedrock({
      region: "us-east-1",
      endpoint: emulator.url,
      credentials,
      num_retries: 0,
    });
    const before = emulator.requests.length;
    await Promise.all(
      Array.from({ length: 8 }, (_, index) =>
        bedrock.chat.completions.create(
          { model: CLAUDE, messages: hello, extra_headers: { "X-Forge-Call": String(index) } },
          { headers: { "x-bedrock-forge-latency-ms": String(40 - index * 5) } },
        ),
      ),
    );
    const seen = emulator.requests.slice(before);
    expect(seen.map((request) => request.headers["x-forge-call"]).sort()).toEqual(
      ["0", "1", "2", "3", "4", "5", "6", "7"].sort(),
    );
    for (const request of seen) {
      const latency = Number(request.headers["x-bedrock-forge-latency-ms"]);
      expect(latency).toBe(40 - Number(request.headers["x-forge-call"]) * 5);
      expect(request.headers.authorization).toMatch(/SignedHeaders=[^,]*x-forge-call/);
    }
    // A call without extra headers sends none of another call's.
    await bedrock.chat.completions.create({ model: CLAUDE, messages: hello });
    expect(emulator.requests.at(-1)!.headers["x-forge-call"]).toBeUndefined();
  });

  it("aborting one of two concurrent calls on one client cancels only that call's request", async () => {
    const bedrock = createBedrock({
      region: "us-east-1",
      endpoint: emulator.url,
      credentials,
      num_retries: 0,
    });
    const controller = new AbortController();
    const before = emulator.requests.length;
    const aborted = failure(
      bedrock.chat.completions.create(
        { model: CLAUDE, messages: hello, extra_headers: { "x-forge-call": "aborted" } },
        { headers: { "x-bedrock-forge-latency-ms": "3000" }, signal: controller.signal },
      ),
    );
    const kept = bedrock.chat.completions.create(
      { model: CLAUDE, messages: hello, extra_headers: { "x-forge-call": "kept" } },
      { headers: { "x-bedrock-forge-latency-ms": "200" }, signal: new AbortController().signal },
    );
    await waitFor(() => emulator.requests.length - before === 2);
    const started = Date.now();
    controller.abort();
    const error = await aborted;
    expect(Date.now() - started).toBeLessThan(500);
    expect(error).toMatchObject({ status: 499, code: "AbortError" });
    expect((await kept).choices[0]!.message.content).toBeTruthy();
    const requests = emulator.requests.slice(before);
    const abortedRequest = requests.find((request) => request.headers["x-forge-call"] === "aborted")!;
    const keptRequest = requests.find((request) => request.headers["x-forge-call"] === "kept")!;
    await abortedRequest.done;
    expect(abortedRequest.clientClosed).toBe(true);
    expect(keptRequest.completed).toBe(true);
  });

  it("an abort ends a call at once while the SDK waits to retry it", async () => {
    const bedrock = createBedrock({
      region: "us-east-1",
      endpoint: emulator.url,
      credentials,
      num_retries: 3,
    });
    const controller = new AbortController();
    const before = emulator.requests.length;
    const pending = failure(
      bedrock.chat.completions.create(
        { model: CLAUDE, messages: hello },
        { headers: { "x-bedrock-forge-fault": "throttle" }, signal: controller.signal },
      ),
    );
    // The first attempt was throttled: the SDK now waits (up to half a second) before the next.
    await waitFor(() => emulator.requests.length > before && emulator.requests.at(-1)!.completed);
    const started = Date.now();
    controller.abort();
    const error = await pending;
    expect(Date.now() - started).toBeLessThan(150);
    expect(error).toMatchObject({ status: 499, code: "AbortError" });
  });

  it("a timeout still aborts the request on a cached stack (408, the request closed)", async () => {
    const bedrock = createBedrock({
      region: "us-east-1",
      endpoint: emulator.url,
      credentials,
      num_retries: 0,
    });
    const error = await failure(
      bedrock.chat.completions.create(
        { model: CLAUDE, messages: hello },
        { headers: { "x-bedrock-forge-fault": "timeout" }, timeout: 100 },
      ),
    );
    expect(error).toMatchObject({ status: 408, type: "timeout_error" });
    const log = emulator.requests.at(-1)!;
    await log.done;
    expect(log.clientClosed).toBe(true);
  });

  it("a client of your own takes the signal through send options and keeps its own handler", async () => {
    const own = new BedrockRuntimeClient({
      region: "us-east-1",
      endpoint: emulator.url,
      credentials,
      maxAttempts: 1,
      requestHandler: new NodeHttpHandler({ httpAgent: new http.Agent({ keepAlive: true }) }),
    });
    try {
      const bedrock = createBedrock({ client: own });
      const controller = new AbortController();
      const pending = failure(
        bedrock.chat.completions.create(
          { model: CLAUDE, messages: hello, extra_headers: { "x-forge-own": "1" } },
          { headers: { "x-bedrock-forge-fault": "timeout" }, signal: controller.signal },
        ),
      );
      await waitFor(() => emulator.requests.at(-1)?.headers["x-forge-own"] === "1");
      controller.abort();
      expect(await pending).toMatchObject({ status: 499, code: "AbortError" });
      const log = emulator.requests.at(-1)!;
      await log.done;
      expect(log.clientClosed).toBe(true);
    } finally {
      own.destroy();
    }
  });
});
