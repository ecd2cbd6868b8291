// The proxy's fault matrix: every emulator fault × unary and stream × failover on (two deployments,
// num_retries: 1) and off (num_retries: 0). Each case must answer its defined error — an HTTP error, or
// for a stream that already started, an SSE error event without [DONE] — after the defined attempts.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Emulator, startEmulator } from "../../emulator/index.js";
import { type RunningProxy, startProxy } from "../../proxy/server.js";
import { claude, exampleKeys } from "../proxy/helpers.js";
import { caseId, caseTimeBoundMs, type FaultCase, faultCases, stallTimeoutMs } from "./cases.js";

/** One model name per case, served by two deployments that both meet the fault. */
function configFor(emulator: Emulator, retries: boolean): Record<string, unknown> {
  const deployment = (testCase: FaultCase) => ({
    model_name: caseId(testCase, retries),
    litellm_params: {
      model: `bedrock/${claude}`,
      ...exampleKeys,
      aws_bedrock_runtime_endpoint: emulator.url,
      extra_headers: { "x-bedrock-forge-fault": testCase.header, "x-fault-case": caseId(testCase, retries) },
      // Per Bedrock call (for a stream, until it starts): short where the stall fault runs into it, else
      // generous (answers under load can take a while).
      timeout: testCase.header === "timeout" ? stallTimeoutMs / 1000 : 8,
    },
  });
  return {
    model_list: faultCases.flatMap((testCase) => [deployment(testCase), deployment(testCase)]),
    litellm_settings: { num_retries: retries ? 1 : 0 },
  };
}

interface Answer {
  readonly status: number;
  /** The error the client was given: the JSON body's, or the SSE error event's. */
  readonly error: { type?: string; code?: string } | undefined;
  /** SSE chunk events before the error; `done` when the stream ended with [DONE]. */
  readonly chunks: number;
  readonly done: boolean;
  readonly elapsedMs: number;
}

async function callProxy(proxy: RunningProxy, testCase: FaultCase, retries: boolean): Promise<Answer> {
  const started = performance.now();
  const response = await fetch(`${proxy.url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      model: caseId(testCase, retries),
      messages: [{ role: "user", content: "fault please" }],
      stream: testCase.mode === "stream",
    }),
  });
  const text = await response.text();
  const elapsedMs = performance.now() - started;
  if (!(response.headers.get("content-type") ?? "").startsWith("text/event-stream")) {
    const body = JSON.parse(text) as { error?: { type?: string; code?: string } };
    return { status: response.status, error: body.error, chunks: 0, done: false, elapsedMs };
  }
  const events = text
    .split("\n\n")
    .filter((event) => event.startsWith("data: "))
    .map((event) => event.slice("data: ".length));
  const done = events.includes("[DONE]");
  const parsed = events.filter((event) => event !== "[DONE]").map((event) => JSON.parse(event));
  const error = parsed.find((event) => event.error)?.error;
  return {
    status: response.status,
    error,
    chunks: parsed.filter((event) => !event.error).length,
    done,
    elapsedMs,
  };
}

describe("proxy fault matrix", () => {
  let emulator: Emulator;
  const proxies = new Map<boolean, RunningProxy>();
  beforeAll(async () => {
    emulator = await startEmulator({ port: 0, streamChunks: 6 });
    for (const retries of [false, true]) {
      proxies.set(
        retries,
        await startProxy({ config: configFor(emulator, retries), port: 0, env: {}, log: () => undefined }),
      );
    }
  });
  afterAll(async () => {
    for (const proxy of proxies.values()) await proxy.close({ drainMs: 1000 });
    await emulator?.close();
  });

  for (const retries of [false, true]) {
    it.concurrent.each(faultCases.map((testCase) => [testCase.fault, testCase.mode, testCase] as const))(
      `failover ${retries ? "on" : "off"}: %s (%s)`,
      async (_fault, _mode, testCase) => {
        const answer = await callProxy(proxies.get(retries)!, testCase, retries);
        const { outcome } = testCase;
        // No silent success: an error status, or a stream that ends in an error event instead of [DONE].
        expect(answer.done).toBe(false);
        expect(answer.error).toMatchObject({ type: outcome.type, code: outcome.code });
        if (outcome.afterChunks) {
          expect(answer.status).toBe(200);
          expect(answer.chunks).toBeGreaterThan(0);
        } else {
          expect(answer.status).toBe(outcome.status);
        }
        const tag = caseId(testCase, retries);
        const attempts = emulator.requests.filter(
          (request) => request.headers["x-fault-case"] === tag,
        ).length;
        expect(attempts).toBe(retries ? outcome.attemptsWithRetries.proxy : 1);
        expect(answer.elapsedMs).toBeLessThan(caseTimeBoundMs);
      },
    );
  }
});
