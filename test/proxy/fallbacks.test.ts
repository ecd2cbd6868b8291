/**
 * LiteLLM's model-group fallbacks through the proxy, with the official openai client and the emulator's
 * faults: `fallbacks` for errors another model could avoid, `context_window_fallbacks` for prompts too
 * long, none for the caller's own mistakes; streams before their first chunk; the client's own list
 * (`fallbacks` in the body) and `disable_fallbacks`; config names checked at start with their position.
 */
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ConfigProblem, ProxyConfigError, parseProxyConfig } from "../../proxy/config.js";
import { claude, type Harness, paramsFor, postRaw, startHarness } from "./helpers.js";

const hello = [{ role: "user" as const, content: "hello" }];

describe("model-group fallbacks", () => {
  let harness: Harness;
  let client: OpenAI;

  beforeAll(async () => {
    harness = await startHarness((emulator) => {
      const fault = (name: string) =>
        paramsFor(emulator, claude, { extra_headers: { "x-bedrock-forge-fault": name } });
      const group = (name: string, params: Record<string, unknown>) => ({
        model_name: name,
        litellm_params: params,
      });
      return {
        model_list: [
          group("throttled", fault("throttle")),
          group("denied", fault("access-denied")),
          group("too-long", fault("context-window")),
          group("failing", fault("500")),
          group("also-failing", fault("503")),
          group("stream-throttled", fault("stream-error-after:0:throttling")),
          group("first", fault("throttle")),
          group("second", fault("throttle")),
          group("healthy", paramsFor(emulator, claude)),
          group(
            "open",
            paramsFor(emulator, claude, {
              configurable_clientside_auth_params: [
                "aws_bedrock_runtime_endpoint",
                "aws_access_key_id",
                "aws_secret_access_key",
              ],
            }),
          ),
          group("open-falls-back", paramsFor(emulator, claude)),
          group(
            "guarded",
            paramsFor(emulator, claude, {
              guardrailConfig: { guardrailIdentifier: "gr-locked", guardrailVersion: "1" },
            }),
          ),
          group("roomy", paramsFor(emulator, claude)),
        ],
        litellm_settings: {
          fallbacks: [
            { throttled: ["healthy"] },
            { denied: ["healthy"] },
            { "too-long": ["healthy"] },
            { failing: ["also-failing"] },
            { "stream-throttled": ["healthy"] },
          ],
          context_window_fallbacks: [{ "too-long": ["roomy"] }],
        },
        router_settings: {
          fallbacks: [{ first: ["second"] }, { second: ["healthy"] }, { "open-falls-back": ["guarded"] }],
        },
        general_settings: { client_endpoint_hosts: ["127.0.0.1"] },
      };
    });
    client = harness.client();
  });

  afterAll(async () => {
    await harness?.close();
  });

  const lastLog = () => harness.requestLogs().at(-1)!;

  for (const [group, why] of [
    ["throttled", "throttling (429)"],
    ["denied", "access denied (403)"],
  ] as const) {
    it(`falls back to the next model name on ${why}`, async () => {
      const { data, response } = await client.chat.completions
        .create({ model: group, messages: hello })
        .withResponse();
      expect(data.choices[0]!.message.content).toMatch(/\S/);
      expect(response.headers.get("x-bedrock-forge-deployment")).toBe("healthy#1");
      expect(lastLog()).toMatchObject({ status: 200, model: group, fallback: "healthy", attempts: 2 });
      expect(lastLog().failovers).toEqual([expect.objectContaining({ deployment: `${group}#1` })]);
    });
  }

  it("sends a prompt too long for the model to its context-window fallback, not the general one", async () => {
    const { response } = await client.chat.completions
      .create({ model: "too-long", messages: hello })
      .withResponse();
    expect(response.headers.get("x-bedrock-forge-deployment")).toBe("roomy#1");
    expect(lastLog()).toMatchObject({ status: 200, fallback: "roomy" });
  });

  it("answers the caller's own mistakes at once, without a fallback", async () => {
    const before = harness.emulator.requests.length;
    const error = await client.chat.completions
      .create({ model: "throttled", messages: hello, logprobs: true })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as InstanceType<typeof OpenAI.BadRequestError>).param).toBe("logprobs");
    expect(harness.emulator.requests.length).toBe(before);
    expect(lastLog().fallback).toBeUndefined();
  });

  it("answers the last error when the fallbacks fail too", async () => {
    const error = await client.chat.completions
      .create({ model: "failing", messages: hello })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect((error as InstanceType<typeof OpenAI.APIError>).status).toBe(503);
    expect(lastLog()).toMatchObject({ status: 503, attempts: 2 });
    expect((lastLog().failovers as { deployment: string }[]).map((failure) => failure.deployment)).toEqual([
      "failing#1",
      "also-failing#1",
    ]);
  });

  it("falls back for a stream that fails before its first chunk", async () => {
    const stream = await client.chat.completions.create({
      model: "stream-throttled",
      messages: hello,
      stream: true,
    });
    let text = "";
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? "";
    expect(text).toMatch(/\S/);
    expect(lastLog()).toMatchObject({ status: 200, stream: true, fallback: "healthy" });
  });

  it("takes the client's own fallbacks (LiteLLM's request field) over the config's", async () => {
    const { response } = await client.chat.completions
      .create({ model: "throttled", messages: hello, fallbacks: ["roomy"] } as never)
      .withResponse();
    expect(response.headers.get("x-bedrock-forge-deployment")).toBe("roomy#1");
    // The field is the proxy's: it never reaches Bedrock.
    expect(JSON.stringify(harness.emulator.requests.at(-1)!.body)).not.toContain("fallbacks");
  });

  it("does not fall back when the client says disable_fallbacks", async () => {
    const error = await client.chat.completions
      .create({ model: "throttled", messages: hello, disable_fallbacks: true } as never)
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    expect(lastLog().fallback).toBeUndefined();
  });

  it("refuses client fallbacks that are not model names of the proxy, before any call", async () => {
    const url = `${harness.proxy.url}/v1/chat/completions`;
    const before = harness.emulator.requests.length;
    const unknown = await postRaw(
      url,
      JSON.stringify({ model: "throttled", messages: hello, fallbacks: ["nope"] }),
    );
    expect(unknown.status).toBe(404);
    expect(unknown.json).toMatchObject({ error: { param: "fallbacks", code: "model_not_found" } });
    const wrongType = await postRaw(
      url,
      JSON.stringify({ model: "throttled", messages: hello, fallbacks: "healthy" }),
    );
    expect(wrongType.status).toBe(400);
    expect(wrongType.json).toMatchObject({ error: { param: "fallbacks" } });
    const wrongSwitch = await postRaw(
      url,
      JSON.stringify({ model: "throttled", messages: hello, disable_fallbacks: "yes" }),
    );
    expect(wrongSwitch.status).toBe(400);
    expect(wrongSwitch.json).toMatchObject({ error: { param: "disable_fallbacks" } });
    expect(harness.emulator.requests.length).toBe(before);
  });

  it("checks what a client may set against every deployment a fallback may reach", async () => {
    const url = `${harness.proxy.url}/v1/chat/completions`;
    const before = harness.emulator.requests.length;
    const cases = [
      // An endpoint the requested model allows, but its fallback (the client's own list) does not.
      [
        { model: "open", aws_bedrock_runtime_endpoint: "http://127.0.0.1:9", fallbacks: ["guarded"] },
        "client_side_credentials_not_allowed",
      ],
      // A guardrail the fallback locks, through the client's list and through the config's.
      [
        {
          model: "open",
          guardrailConfig: { guardrailIdentifier: "mine", guardrailVersion: "1" },
          fallbacks: ["guarded"],
        },
        "guardrail_locked",
      ],
      [
        { model: "open-falls-back", guardrailConfig: { guardrailIdentifier: "mine", guardrailVersion: "1" } },
        "guardrail_locked",
      ],
    ] as const;
    for (const [body, code] of cases) {
      const answer = await postRaw(url, JSON.stringify({ ...body, messages: hello }));
      expect(answer.status, JSON.stringify(body)).toBe(400);
      expect(answer.json).toMatchObject({ error: { code } });
    }
    expect(harness.emulator.requests.length).toBe(before);
    // Without the fallback, the requested model's own allowance stands (with the request's own keys: the
    // deployment's are not sent to an endpoint a client chose).
    const allowed = await postRaw(
      url,
      JSON.stringify({
        model: "open",
        aws_bedrock_runtime_endpoint: harness.emulator.url,
        aws_access_key_id: "AKIAIOSFODNN7EXAMPLE",
        aws_secret_access_key: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        messages: hello,
      }),
    );
    expect(allowed.status).toBe(200);
  });

  it("follows one level only: a fallback's own fallbacks are not taken", async () => {
    // first → second is configured, and second → healthy; a request to first stops at second.
    const error = await client.chat.completions
      .create({ model: "first", messages: hello })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    expect((lastLog().failovers as { deployment: string }[]).map((failure) => failure.deployment)).toEqual([
      "first#1",
      "second#1",
    ]);
    // second on its own does fall back to healthy.
    const { response } = await client.chat.completions
      .create({ model: "second", messages: hello })
      .withResponse();
    expect(response.headers.get("x-bedrock-forge-deployment")).toBe("healthy#1");
  });
});

describe("fallbacks in config.yaml", () => {
  const base = `model_list:
  - model_name: a
    litellm_params: { model: bedrock/${claude}, aws_region_name: us-east-1 }
  - model_name: b
    litellm_params: { model: bedrock/${claude}, aws_region_name: us-east-1 }
`;

  function problemsOf(text: string): readonly ConfigProblem[] {
    try {
      parseProxyConfig(text, "config.yaml", { env: {} });
    } catch (error) {
      if (error instanceof ProxyConfigError) return error.problems;
      throw error;
    }
    throw new Error("the config loaded, but it should not have");
  }

  it("reads both sections, in order, without repeats", () => {
    const config = parseProxyConfig(
      `${base}litellm_settings:\n  fallbacks: [{ "a": ["b"] }]\nrouter_settings:\n  fallbacks: [{ "a": ["b"] }, { "b": ["a"] }]\n  context_window_fallbacks: [{ "a": ["b"] }]\n`,
      "config.yaml",
      { env: {} },
    );
    expect([...config.fallbacks]).toEqual([
      ["a", ["b"]],
      ["b", ["a"]],
    ]);
    expect([...config.contextWindowFallbacks]).toEqual([["a", ["b"]]]);
    expect(config.warnings.join("\n")).not.toMatch(/fallbacks/);
  });

  it("names an unknown model name, a fallback to itself and a wrong shape with file, line and column", () => {
    expect(problemsOf(`${base}litellm_settings:\n  fallbacks: [{ "a": ["c"] }]\n`)).toEqual([
      expect.objectContaining({
        file: "config.yaml",
        line: 7,
        column: 23,
        field: "litellm_settings.fallbacks[0].a[0]",
        message: "unknown model_name c (not in model_list)",
      }),
    ]);
    expect(problemsOf(`${base}router_settings:\n  context_window_fallbacks: [{ "z": ["a"] }]\n`)).toEqual([
      expect.objectContaining({ line: 7, column: 32, message: "unknown model_name z (not in model_list)" }),
    ]);
    expect(problemsOf(`${base}litellm_settings:\n  fallbacks: [{ "a": ["a"] }]\n`)[0]!.message).toBe(
      "a cannot fall back to itself",
    );
    expect(problemsOf(`${base}litellm_settings:\n  fallbacks: { "a": "b" }\n`)[0]!.field).toBe(
      "litellm_settings.fallbacks",
    );
  });
});
