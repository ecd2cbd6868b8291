// The runtime's fault matrix: every emulator fault × unary and stream × SDK retries on (num_retries: 1)
// and off, through the real AWS SDK, on both of Claude's routes (InvokeModel and Converse). Each case
// must fail with its defined error (no silent success), after the defined number of attempts.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Emulator, startEmulator } from "../../emulator/index.js";
import { mapBedrockError } from "../../runtime/errors.js";
import { BedrockForgeError, createBedrock } from "../../runtime/index.js";
import { caseId, caseTimeBoundMs, type FaultCase, faultCases, stallTimeoutMs } from "./cases.js";

const keys = {
  accessKeyId: "AKIAIOSFODNN7EXAMPLE",
  secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
};
const routes = {
  invoke: "anthropic.claude-3-haiku-20240307-v1:0",
  converse: "bedrock/converse/anthropic.claude-3-haiku-20240307-v1:0",
} as const;

/** What one call did: the error it ended with (if any), the chunks it delivered first, and how long it took. */
async function callWithFault(
  emulator: Emulator,
  model: (typeof routes)[keyof typeof routes],
  testCase: FaultCase,
  retries: boolean,
  tag: string,
): Promise<{ error: unknown; chunks: number; elapsedMs: number }> {
  const bedrock = createBedrock({
    endpoint: emulator.url,
    region: "us-east-1",
    credentials: keys,
    num_retries: retries ? 1 : 0,
  });
  const started = performance.now();
  let chunks = 0;
  try {
    const request = {
      model,
      messages: [{ role: "user" as const, content: "fault please" }],
      extra_headers: { "x-bedrock-forge-fault": testCase.header, "x-fault-case": tag },
    };
    const options = { timeout: testCase.header === "timeout" ? stallTimeoutMs : 8000 };
    if (testCase.mode === "stream") {
      const stream = await bedrock.chat.completions.create({ ...request, stream: true }, options);
      for await (const _chunk of stream) chunks++;
    } else {
      await bedrock.chat.completions.create(request, options);
    }
    return { error: undefined, chunks, elapsedMs: performance.now() - started };
  } catch (error) {
    return { error, chunks, elapsedMs: performance.now() - started };
  }
}

describe("runtime fault matrix", () => {
  let emulator: Emulator;
  beforeAll(async () => {
    emulator = await startEmulator({ port: 0, streamChunks: 6 });
  });
  afterAll(() => emulator.close());

  for (const [route, model] of Object.entries(routes)) {
    for (const retries of [false, true]) {
      it.concurrent.each(faultCases.map((testCase) => [testCase.fault, testCase.mode, testCase] as const))(
        `${route}, retries ${retries ? "on" : "off"}: %s (%s)`,
        async (_fault, _mode, testCase) => {
          const tag = `${route}-${caseId(testCase, retries)}`;
          const { error, chunks, elapsedMs } = await callWithFault(emulator, model, testCase, retries, tag);
          const { outcome } = testCase;
          expect(BedrockForgeError.isInstance(error), `no silent success: ${String(error)}`).toBe(true);
          expect(error).toMatchObject({ status: outcome.status, type: outcome.type, code: outcome.code });
          if (outcome.afterChunks) expect(chunks).toBeGreaterThan(0);
          else expect(chunks).toBe(0);
          const attempts = emulator.requests.filter(
            (request) => request.headers["x-fault-case"] === tag,
          ).length;
          expect(attempts).toBe(retries ? outcome.attemptsWithRetries.runtime : 1);
          expect(elapsedMs).toBeLessThan(caseTimeBoundMs);
        },
      );
    }
  }

  it("maps a connection the server dropped (the SDK names it TimeoutError) as a lost connection, not a timeout", () => {
    const hangUp = Object.assign(new Error("socket hang up"), { name: "TimeoutError", code: "ECONNRESET" });
    expect(mapBedrockError(hangUp)).toMatchObject({ status: 502, code: "connection_error", retryable: true });
    const timedOut = Object.assign(new Error("connect ETIMEDOUT"), {
      name: "TimeoutError",
      code: "ETIMEDOUT",
    });
    expect(mapBedrockError(timedOut)).toMatchObject({ status: 408, type: "timeout_error" });
  });
});
