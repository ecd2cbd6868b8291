/**
 * Whatever a client sends, the proxy answers in its API's shape and never crashes: random JSON bodies and
 * valid requests with one field replaced by a random JSON value (against the emulator, for every
 * endpoint) get either an answer or an error body (`{ error: { message, type, … } }`, Anthropic's with
 * `type: "error"` on /v1/messages) with a 4xx status that names what was wrong — never a 500 from an
 * unhandled error, and a 200 stream always ends with its API's last event (`[DONE]`,
 * `response.completed`, `message_stop`) or an error event.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { claude, type Harness, paramsFor, postRaw, startHarness, titanEmbed } from "./helpers.js";

let harness: Harness;

beforeAll(async () => {
  harness = await startHarness((emulator) => ({
    model_list: [
      { model_name: "claude", litellm_params: paramsFor(emulator, claude) },
      { model_name: "embed", litellm_params: paramsFor(emulator, titanEmbed) },
      { model_name: "image", litellm_params: paramsFor(emulator, "amazon.titan-image-generator-v2:0") },
    ],
  }));
});

afterAll(async () => {
  await harness?.close();
});

const bases = {
  "/v1/chat/completions": {
    model: "claude",
    messages: [
      { role: "system", content: "Be brief." },
      { role: "user", content: "Hello" },
    ],
    max_tokens: 50,
    temperature: 0.5,
    top_p: 0.9,
    stop: ["\n\n"],
    stream: false,
    tools: [
      { type: "function", function: { name: "get_weather", parameters: { type: "object", properties: {} } } },
    ],
    tool_choice: "auto",
    stream_options: { include_usage: true },
    response_format: { type: "text" },
  },
  "/v1/embeddings": { model: "embed", input: ["one", "two"], dimensions: 256, encoding_format: "float" },
  "/v1/images/generations": { model: "image", prompt: "a lighthouse", n: 1, size: "512x512" },
  "/v1/responses": {
    model: "claude",
    instructions: "Be brief.",
    input: [{ role: "user", content: [{ type: "input_text", text: "Hello" }] }],
    max_output_tokens: 50,
    temperature: 0.5,
    stream: false,
    tools: [{ type: "function", name: "get_weather", parameters: { type: "object", properties: {} } }],
    tool_choice: "auto",
    text: { format: { type: "text" } },
    metadata: { run: "1" },
  },
  "/v1/messages": {
    model: "claude",
    system: "Be brief.",
    messages: [{ role: "user", content: [{ type: "text", text: "Hello" }] }],
    max_tokens: 50,
    temperature: 0.5,
    stream: false,
    tools: [{ name: "get_weather", input_schema: { type: "object", properties: {} } }],
    tool_choice: { type: "auto" },
    metadata: { user_id: "u-1" },
  },
} as const;
type Endpoint = keyof typeof bases;

/** A JSON path into a base request: a top-level field, or one inside the first message or tool. */
const paths: Record<Endpoint, readonly (readonly (string | number)[])[]> = {
  "/v1/chat/completions": [
    ["model"],
    ["messages"],
    ["messages", 0],
    ["messages", 1],
    ["messages", 1, "role"],
    ["messages", 1, "content"],
    ["max_tokens"],
    ["temperature"],
    ["top_p"],
    ["stop"],
    ["stream"],
    ["tools"],
    ["tools", 0],
    ["tools", 0, "function"],
    ["tools", 0, "function", "parameters"],
    ["tool_choice"],
    ["stream_options"],
    ["response_format"],
    ["n"],
    ["seed"],
    ["user"],
    ["top_k"],
    ["thinking"],
    ["guardrailConfig"],
  ],
  "/v1/embeddings": [["model"], ["input"], ["input", 0], ["dimensions"], ["encoding_format"], ["user"]],
  "/v1/images/generations": [
    ["model"],
    ["prompt"],
    ["n"],
    ["size"],
    ["quality"],
    ["response_format"],
    ["style"],
  ],
  "/v1/responses": [
    ["model"],
    ["input"],
    ["input", 0],
    ["input", 0, "role"],
    ["input", 0, "content"],
    ["input", 0, "content", 0],
    ["instructions"],
    ["max_output_tokens"],
    ["temperature"],
    ["stream"],
    ["tools"],
    ["tools", 0],
    ["tools", 0, "parameters"],
    ["tool_choice"],
    ["text"],
    ["text", "format"],
    ["reasoning"],
    ["metadata"],
    ["store"],
    ["previous_response_id"],
  ],
  "/v1/messages": [
    ["model"],
    ["messages"],
    ["messages", 0],
    ["messages", 0, "role"],
    ["messages", 0, "content"],
    ["messages", 0, "content", 0],
    ["system"],
    ["max_tokens"],
    ["temperature"],
    ["stream"],
    ["tools"],
    ["tools", 0],
    ["tools", 0, "input_schema"],
    ["tool_choice"],
    ["thinking"],
    ["metadata"],
    ["stop_sequences"],
  ],
};

/** The last event of a stream that finished, per endpoint. */
const streamEnds: Record<Endpoint, RegExp> = {
  "/v1/chat/completions": /data: \[DONE\]$/,
  "/v1/embeddings": /$^/,
  "/v1/images/generations": /$^/,
  "/v1/responses": /event: response\.(completed|incomplete)\ndata: .*$/,
  "/v1/messages": /event: message_stop\ndata: .*$/,
};

function replaced(base: unknown, path: readonly (string | number)[], value: unknown): unknown {
  const copy = structuredClone(base) as Record<string | number, unknown>;
  let target = copy;
  for (const key of path.slice(0, -1)) target = target[key] as Record<string | number, unknown>;
  target[path.at(-1)!] = value;
  return copy;
}

/** One request and what it got; checks the invariants every answer must keep. */
async function check(endpoint: Endpoint, body: string): Promise<void> {
  const answer = await postRaw(`${harness.proxy.url}${endpoint}`, body);
  const context = `${endpoint} ${body.slice(0, 300)} → ${answer.status} ${answer.text.slice(0, 300)}`;
  expect(answer.status, context).toBeLessThan(500);
  if (answer.status >= 400) {
    const error = (answer.json as { error?: Record<string, unknown> } | undefined)?.error;
    expect(error, context).toBeDefined();
    expect(typeof error!.message === "string" && error!.message.length > 0, context).toBe(true);
    expect(typeof error!.type, context).toBe("string");
    return;
  }
  expect(answer.status, context).toBe(200);
  if ((answer.headers.get("content-type") ?? "").startsWith("text/event-stream")) {
    const text = answer.text.trimEnd();
    expect(streamEnds[endpoint].test(text) || /"error"/.test(text.split("\n").at(-1) ?? ""), context).toBe(
      true,
    );
  } else {
    expect(answer.json, context).toBeTypeOf("object");
  }
}

describe("the proxy under arbitrary input (property)", () => {
  it("answers any JSON body to every endpoint without a 5xx", { timeout: 60_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...(Object.keys(bases) as Endpoint[])), fc.json(), (endpoint, body) =>
        check(endpoint, body),
      ),
      { numRuns: 150 },
    );
  });

  it("answers a valid request with any one field replaced by any JSON value without a 5xx", {
    timeout: 120_000,
  }, async () => {
    const cases = fc
      .constantFrom(...(Object.keys(bases) as Endpoint[]))
      .chain((endpoint) =>
        fc.tuple(fc.constant(endpoint), fc.constantFrom(...paths[endpoint]), fc.jsonValue()),
      );
    await fc.assert(
      fc.asyncProperty(cases, ([endpoint, path, value]) =>
        check(endpoint, JSON.stringify(replaced(bases[endpoint], path, value))),
      ),
      { numRuns: 400 },
    );
  });
});
