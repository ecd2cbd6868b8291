/**
 * The unknown-param policy, through the real SDK and the emulator (and the proxy with the official
 * OpenAI client for drop_params):
 *
 * - LiteLLM sends unknown params on as provider-specific ones (its docs: "Pass provider-specific
 *   params"), and so do we: `top_k` on Llama reaches the Llama body.
 * - Bookkeeping fields never reach a Bedrock body: LiteLLM's own keys (`all_litellm_params` and
 *   `StandardCallbackDynamicParams` in BerriAI/litellm litellm/types/utils.py), OpenAI's `metadata` and
 *   `store`, and `user` / `max_retries` where no spec maps them (LiteLLM's `_check_valid_arg` in
 *   litellm/utils.py skips both for every provider). `api_key` is LiteLLM's Bedrock API key: a bearer
 *   token (Authorization header), never a body field.
 * - A near-miss of a known param (`temprature`, `max_token`) is refused with a did-you-mean.
 * - Under drop_params every OpenAI param a model cannot take is dropped with a warning, as LiteLLM's
 *   `_check_valid_arg` drops unsupported params when drop_params is set — `n` and `parallel_tool_calls`
 *   on Llama and Mistral included.
 * - `mock_response` (LiteLLM's) answers without calling Bedrock.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Emulator, startEmulator } from "../../emulator/index.js";
import {
  type Bedrock,
  type ChatCompletion,
  type ChatCompletionChunk,
  createBedrock,
  RequestValidationError,
} from "../../runtime/index.js";
import { paramsFor, startHarness } from "../proxy/helpers.js";
import { credentials, failure, lastBody } from "./live.js";

const CLAUDE = "anthropic.claude-3-haiku-20240307-v1:0";
const LLAMA = "meta.llama3-8b-instruct-v1:0";
const LLAMA_TOOLS = "meta.llama3-1-70b-instruct-v1:0";
const MISTRAL = "mistral.mistral-large-2407-v1:0";
/** A Bedrock API key as AWS issues them (`ABSK` prefix); the emulator accepts it as a bearer token. */
const apiKey = "ABSKQmVkcm9ja0ZvcmdlUG9saWN5S2V5RVhBTVBMRQ==";
const hello = [{ role: "user" as const, content: "Hello policy" }];

let emulator: Emulator;
let bedrock: Bedrock;
const warnings: string[] = [];

beforeAll(async () => {
  emulator = await startEmulator({ mode: "synthesize", credentials: [credentials], apiKeys: [apiKey] });
  bedrock = createBedrock({
    region: "us-east-1",
    endpoint: emulator.url,
    credentials,
    num_retries: 0,
    onWarning: (message) => warnings.push(message),
  });
});

afterAll(async () => {
  await emulator?.close();
});

async function chat(body: Record<string, unknown>): Promise<ChatCompletion> {
  return (await bedrock.chat.completions.create(body as never)) as ChatCompletion;
}

/** Every key anywhere in a JSON value. */
function keysOf(value: unknown, keys = new Set<string>()): Set<string> {
  if (Array.isArray(value)) for (const item of value) keysOf(item, keys);
  else if (value && typeof value === "object") {
    for (const [key, inner] of Object.entries(value)) {
      keys.add(key);
      keysOf(inner, keys);
    }
  }
  return keys;
}

describe("bookkeeping fields are consumed or dropped, never sent to Bedrock", () => {
  const bookkeeping: Record<string, unknown> = {
    metadata: { trace: "abc" },
    store: false,
    tags: ["team-a"],
    max_budget: 10,
    budget_duration: "30d",
    litellm_trace_id: "t-1",
    litellm_metadata: { user_api_key: "sk-1" },
    proxy_server_request: { url: "/chat/completions" },
    langfuse_public_key: "pk-lf-1",
    caching: true,
    max_retries: 2,
    user: "end-user-1",
  };

  it.each([
    `bedrock/converse/${CLAUDE}`,
    `bedrock/invoke/${CLAUDE}`,
    `bedrock/converse/${LLAMA}`,
    `bedrock/invoke/${LLAMA}`,
  ])("%s: the call succeeds and the body holds none of them", async (model) => {
    warnings.length = 0;
    const completion = await chat({ model, messages: hello, ...bookkeeping });
    expect(completion.choices[0]!.message.content).toBeTruthy();
    const sent = keysOf(lastBody(emulator));
    for (const name of Object.keys(bookkeeping)) expect(sent.has(name), name).toBe(false);
    expect(warnings.filter((warning) => !warning.includes("dropping user"))).toEqual([]);
  });

  it("a model the catalog does not know gets none of them in additionalModelRequestFields", async () => {
    await chat({ model: "bedrock/converse/us.amazon.nova-lite-v1:0", messages: hello, ...bookkeeping });
    const body = lastBody(emulator);
    expect(body.additionalModelRequestFields).toBeUndefined();
  });

  it("api_key is a Bedrock API key: sent as a bearer token, not in the body", async () => {
    const client = createBedrock({ region: "us-east-1", endpoint: emulator.url, num_retries: 0 });
    await client.chat.completions.create({ model: CLAUDE, messages: hello, api_key: apiKey });
    const request = emulator.requests.at(-1)!;
    expect(request.auth).toBe("bearer");
    expect(request.headers.authorization).toBe(`Bearer ${apiKey}`);
    expect(keysOf(request.body).has("api_key")).toBe(false);

    const configured = createBedrock({ region: "us-east-1", endpoint: emulator.url, api_key: apiKey });
    await configured.embeddings.create({ model: "amazon.titan-embed-text-v2:0", input: "hi" });
    expect(emulator.requests.at(-1)!.auth).toBe("bearer");
  });

  it("headers is LiteLLM's name for extra_headers: sent as HTTP headers, not in the body", async () => {
    await chat({ model: CLAUDE, messages: hello, headers: { "x-team": "search" } });
    const request = emulator.requests.at(-1)!;
    expect(request.headers["x-team"]).toBe("search");
    expect(keysOf(request.body).has("headers")).toBe(false);
  });

  it("api_base is LiteLLM's name for the endpoint", async () => {
    const client = createBedrock({ region: "us-east-1", api_base: emulator.url, credentials });
    const before = emulator.requests.length;
    await client.chat.completions.create({ model: CLAUDE, messages: hello });
    expect(emulator.requests.length).toBe(before + 1);
  });
});

describe("unknown params", () => {
  /** The body Bedrock received for a call, whatever Bedrock answered. */
  async function sentBody(body: Record<string, unknown>): Promise<Record<string, unknown>> {
    const before = emulator.requests.length;
    await chat(body).catch(() => undefined);
    expect(emulator.requests.length).toBe(before + 1);
    return lastBody(emulator);
  }

  it("are sent on as provider-specific params (top_k on Llama's InvokeModel body, as LiteLLM sends it)", async () => {
    expect((await sentBody({ model: `bedrock/invoke/${LLAMA}`, messages: hello, top_k: 40 })).top_k).toBe(40);
    expect(
      (await sentBody({ model: `bedrock/converse/${LLAMA}`, messages: hello, min_p: 0.1 }))
        .additionalModelRequestFields,
    ).toEqual({ min_p: 0.1 });
  });

  it("unless the spec drops them: top_k on Llama's Converse request (LiteLLM's test_bedrock_top_k_param)", async () => {
    const body = await sentBody({ model: `bedrock/converse/${LLAMA}`, messages: hello, top_k: 40 });
    expect(body.additionalModelRequestFields).toBeUndefined();
  });

  it("Bedrock, not bedrock-forge, answers a field Llama does not take (ValidationException)", async () => {
    const error = await failure(chat({ model: `bedrock/invoke/${LLAMA}`, messages: hello, top_k: 40 }));
    expect(error).toMatchObject({ status: 400, awsErrorName: "ValidationException" });
  });

  it.each([
    ["temprature", 0.5, "temperature", CLAUDE],
    ["max_token", 100, "max_tokens", CLAUDE],
    ["maxTokens", 100, "max_tokens", LLAMA],
    ["max-tokens", 100, "max_tokens", LLAMA],
    ["tool_choise", "auto", "tool_choice", CLAUDE],
    ["stream_option", { include_usage: true }, "stream_options", LLAMA],
    ["drop_param", true, "drop_params", LLAMA],
    [
      "thinkng",
      { type: "enabled", budget_tokens: 2048 },
      "thinking",
      "anthropic.claude-3-7-sonnet-20250219-v1:0",
    ],
    ["metdata", { a: "b" }, "metadata", CLAUDE],
    ["frequncy_penalty", 0.1, "frequency_penalty", LLAMA],
    ["presence_penalyt", 0.1, "presence_penalty", LLAMA],
  ])("%s is refused as a near-miss of %s", async (name, value, meant, model) => {
    const before = emulator.requests.length;
    const error = await failure(chat({ model, messages: hello, [name]: value }));
    expect(RequestValidationError.isInstance(error)).toBe(true);
    expect(error.param).toBe(name);
    expect(error.message).toContain(`did you mean ${meant}?`);
    expect(emulator.requests.length).toBe(before);
  });

  it.each([
    ["top_k", 5, LLAMA],
    ["topK", 5, LLAMA],
    ["seed_value", 1, LLAMA],
    ["stop_sequences", ["x"], CLAUDE],
  ])("%s is not a near-miss: sent on", async (name, value, model) => {
    const body = await sentBody({ model: `bedrock/invoke/${model}`, messages: hello, [name]: value });
    expect(keysOf(body).has(name)).toBe(true);
  });
});

describe("drop_params drops every OpenAI param a model cannot take, with a warning", () => {
  const tools = [
    { type: "function", function: { name: "lookup", parameters: { type: "object", properties: {} } } },
  ];
  const cases: [string, Record<string, unknown>][] = [
    ["n", { n: 2 }],
    ["parallel_tool_calls", { parallel_tool_calls: false, tools }],
    ["parallel_tool_calls", { parallel_tool_calls: true }],
  ];
  const warnedAbout = new Set<string>();
  const models = [
    `bedrock/converse/${LLAMA_TOOLS}`,
    `bedrock/invoke/${LLAMA_TOOLS}`,
    `bedrock/converse/${MISTRAL}`,
    `bedrock/invoke/${MISTRAL}`,
    `bedrock/converse/${LLAMA}`,
  ];

  it.each(models.flatMap((model) => cases.map(([name, extra]) => [model, name, extra] as const)))(
    "%s: %s",
    async (model, name, extra) => {
      const before = emulator.requests.length;
      const refused = await failure(chat({ model, messages: hello, ...extra }));
      expect(RequestValidationError.isInstance(refused), refused.message).toBe(true);
      expect(emulator.requests.length).toBe(before);

      const dropped: string[] = [];
      const client = createBedrock({
        region: "us-east-1",
        endpoint: emulator.url,
        credentials,
        drop_params: true,
        onWarning: (message) => dropped.push(message),
      });
      await client.chat.completions.create({ model, messages: hello, ...extra } as never);
      expect(keysOf(lastBody(emulator)).has(name)).toBe(false);
      // A param is warned about once per model in a process (a proxy's log would fill up otherwise).
      const key = `${model.split("/").at(-1)}\u0000${name}`;
      if (!warnedAbout.has(key)) expect(dropped.join("\n")).toMatch(new RegExp(`dropping ${name} for`));
      warnedAbout.add(key);
    },
  );

  it("through the proxy with litellm_settings.drop_params, for the official OpenAI client", async () => {
    const harness = await startHarness((emulator) => ({
      model_list: [
        { model_name: "llama", litellm_params: paramsFor(emulator, LLAMA_TOOLS) },
        { model_name: "mistral", litellm_params: paramsFor(emulator, `converse/${MISTRAL}`) },
      ],
      litellm_settings: { drop_params: true },
    }));
    try {
      for (const model of ["llama", "mistral"]) {
        const completion = await harness.client().chat.completions.create({
          model,
          messages: hello,
          n: 2,
          parallel_tool_calls: false,
          tools: tools as never,
        });
        expect(completion.choices).toHaveLength(1);
        const sent = keysOf(harness.emulator.requests.at(-1)!.body);
        expect(sent.has("n")).toBe(false);
        expect(sent.has("parallel_tool_calls")).toBe(false);
      }
    } finally {
      await harness.close();
    }
  });
});

describe("mock_response (LiteLLM's) answers without calling Bedrock", () => {
  it("unary: the text as the message, no usage, no cost", async () => {
    const before = emulator.requests.length;
    const completion = await chat({ model: CLAUDE, messages: hello, mock_response: "It is mocked." });
    expect(emulator.requests.length).toBe(before);
    expect(completion.choices[0]).toMatchObject({
      message: { content: "It is mocked." },
      finish_reason: "stop",
    });
    expect(completion.usage).toMatchObject({ prompt_tokens: 0, completion_tokens: 0, cost: 0 });
    expect(completion.provider_specific_fields.mock_response).toBe(true);
  });

  it("streamed: the text in chunks, then the finish and usage", async () => {
    const before = emulator.requests.length;
    const stream = await bedrock.chat.completions.create({
      model: `bedrock/invoke/${LLAMA}`,
      messages: hello,
      stream: true,
      stream_options: { include_usage: true },
      mock_response: "Streamed mock.",
    });
    const chunks: ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(emulator.requests.length).toBe(before);
    expect(chunks.map((chunk) => chunk.choices[0]?.delta.content ?? "").join("")).toBe("Streamed mock.");
    expect(chunks.find((chunk) => chunk.choices[0]?.finish_reason)?.choices[0]?.finish_reason).toBe("stop");
    expect(chunks.at(-1)?.usage).toMatchObject({ prompt_tokens: 0, cost: 0 });
  });

  it("the request is still checked as for Bedrock", async () => {
    const error = await failure(chat({ model: CLAUDE, messages: hello, temperature: 7, mock_response: "x" }));
    expect(error.param).toBe("temperature");
  });

  it("is refused for embeddings (dropping it would make the billed call)", async () => {
    const before = emulator.requests.length;
    const error = await failure(
      bedrock.embeddings.create({
        model: "amazon.titan-embed-text-v2:0",
        input: "x",
        mock_response: "x",
      } as never),
    );
    expect(error.param).toBe("mock_response");
    expect(emulator.requests.length).toBe(before);
  });
});
