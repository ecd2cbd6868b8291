/**
 * LiteLLM's routing as the proxy does it: wildcard model names, `model_group_alias`, the routing
 * strategies, and `rpm`/`tpm` as limits where LiteLLM enforces them.
 *
 * Sources (BerriAI/litellm): litellm/router_utils/pattern_match_deployments.py (`PatternMatchRouter`:
 * `re.escape` with `*` as `(.*)`, `re.match`, most specific pattern first, `set_deployment_model_name`
 * and its docstring cases; `get_pattern` also tries `<provider>/<model>`);
 * litellm/router_strategy/lowest_tpm_rpm_v2.py (per-minute rpm counted before the call and refused past
 * the limit, tpm counted on success, the least-used deployment picked, 429 "No deployments available"
 * when none is left); litellm/router_strategy/lowest_latency.py (seconds per completion token, time to
 * first token for streams, unused deployments at 0, 1000 s for a timeout, `lowest_latency_buffer`,
 * rpm/tpm limits); docs.litellm.ai "Model Alias" (`router_settings.model_group_alias`, `hidden`).
 */
import fc from "fast-check";
import type OpenAI from "openai";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createProxyConfig } from "../../proxy/config.js";
import {
  compileWildcard,
  matchWildcard,
  patternSource,
  sortBySpecificity,
  substituteWildcard,
} from "../../proxy/model-names.js";
import {
  type DeploymentLoad,
  defaultRoutingSettings,
  isWithinLimits,
  orderDeployments,
  type RoutingSettings,
} from "../../proxy/routing-strategy.js";
import { claude, type Harness, llama, paramsFor, postRaw, startHarness } from "./helpers.js";

const minute = 60_000;

function load(overrides: Partial<DeploymentLoad> & { name?: string } = {}): {
  name: string;
  health: DeploymentLoad;
} {
  return {
    name: overrides.name ?? "d",
    health: {
      inFlight: overrides.inFlight ?? 0,
      usage: overrides.usage ?? { minute: 0, requests: 0, tokens: 0 },
      latency: overrides.latency ?? { total: [], firstToken: [] },
      limits: overrides.limits ?? {},
    },
  };
}

const names = (ordered: readonly { name: string }[]) => ordered.map((entry) => entry.name);

describe("wildcard model names (LiteLLM's PatternMatchRouter)", () => {
  it.each([
    ["openai/*", "openai/(.*)"],
    ["openai/fo::*::static::*", "openai/fo::(.*)::static::(.*)"],
    ["*meta.llama3*", "(.*)meta\\.llama3(.*)"],
    ["*", "(.*)"],
  ])("builds %s as the regex %s", (pattern, source) => {
    expect(patternSource(pattern)).toBe(source);
  });

  it.each([
    // set_deployment_model_name's docstring, cases 1 and 2 (case 2's name as the file's own example,
    // `fo::hi::static::hi`: the docstring's `foo::bar…` does not match its own pattern).
    ["llmengine/*", "openai/*", "llmengine/foo", "openai/foo"],
    [
      "llmengine/fo::*::static::*",
      "openai/fo::*::static::*",
      "llmengine/fo::bar::static::baz",
      "openai/fo::bar::static::baz",
    ],
    // Case 3: more groups than the model has `*`: the code returns the name as requested.
    ["*meta.llama3*", "bedrock/meta.llama3*", "hello-world-meta.llama3-70b", "hello-world-meta.llama3-70b"],
    [
      "bedrock/*",
      "bedrock/*",
      "bedrock/anthropic.claude-3-haiku-20240307-v1:0",
      "bedrock/anthropic.claude-3-haiku-20240307-v1:0",
    ],
    ["*", "bedrock/*", "us.amazon.nova-lite-v1:0", "bedrock/us.amazon.nova-lite-v1:0"],
    [
      "claude-*",
      "bedrock/converse/us.anthropic.claude-*",
      "claude-3-5-haiku-20241022-v1:0",
      "bedrock/converse/us.anthropic.claude-3-5-haiku-20241022-v1:0",
    ],
    [
      "team/*",
      "bedrock/anthropic.claude-3-haiku-20240307-v1:0",
      "team/anything",
      "bedrock/anthropic.claude-3-haiku-20240307-v1:0",
    ],
  ])("model_name %s with model %s serves %s as %s", (pattern, template, requested, model) => {
    const found = matchWildcard([compileWildcard(pattern)], requested);
    expect(found).toBeDefined();
    expect(substituteWildcard(template, found!.match)).toBe(model);
  });

  it("matches from the start of the name only, and tries the most specific pattern first", () => {
    expect(matchWildcard([compileWildcard("bedrock/*")], "x-bedrock/m")).toBeUndefined();
    const sorted = sortBySpecificity(["*", "bedrock/*", "bedrock/anthropic.*"].map(compileWildcard));
    expect(sorted.map((pattern) => pattern.name)).toEqual(["bedrock/anthropic.*", "bedrock/*", "*"]);
    expect(matchWildcard(sorted, "bedrock/anthropic.claude")!.pattern.name).toBe("bedrock/anthropic.*");
    expect(matchWildcard(sorted, "bedrock/meta.llama")!.pattern.name).toBe("bedrock/*");
    expect(matchWildcard(sorted, "gpt-4o")!.pattern.name).toBe("*");
  });

  it("puts any requested suffix into bedrock/* unchanged (property)", () => {
    const pattern = compileWildcard("bedrock/*");
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (suffix) => {
        const found = matchWildcard([pattern], `bedrock/${suffix}`);
        expect(substituteWildcard("bedrock/*", found!.match)).toBe(`bedrock/${suffix}`);
      }),
    );
  });
});

describe("routing strategies, deployment by deployment", () => {
  const now = 10 * minute + 5_000;
  const thisMinute = 10;
  const settings = (strategy: RoutingSettings["strategy"], extra: Partial<RoutingSettings> = {}) => ({
    ...defaultRoutingSettings,
    strategy,
    ...extra,
  });

  it("simple-shuffle keeps the turn order; least-busy takes the fewest calls in flight, ties in turn", () => {
    const candidates = [
      load({ name: "a", inFlight: 2 }),
      load({ name: "b", inFlight: 0 }),
      load({ name: "c", inFlight: 0 }),
    ];
    expect(names(orderDeployments(candidates, settings("simple-shuffle"), { now, stream: false }))).toEqual([
      "a",
      "b",
      "c",
    ]);
    expect(names(orderDeployments(candidates, settings("least-busy"), { now, stream: false }))).toEqual([
      "b",
      "c",
      "a",
    ]);
  });

  it("usage-based routing takes the fewest tokens this minute and leaves out deployments at their limits", () => {
    const candidates = [
      load({ name: "a", usage: { minute: thisMinute, requests: 1, tokens: 500 } }),
      load({ name: "b", usage: { minute: thisMinute, requests: 3, tokens: 100 }, limits: { rpm: 3 } }),
      load({ name: "c", usage: { minute: thisMinute, requests: 1, tokens: 200 }, limits: { tpm: 200 } }),
      // Last minute's counts do not count.
      load({
        name: "d",
        usage: { minute: thisMinute - 1, requests: 99, tokens: 9_999 },
        limits: { rpm: 5, tpm: 1000 },
      }),
    ];
    expect(
      names(orderDeployments(candidates, settings("usage-based-routing"), { now, stream: false })),
    ).toEqual(["d", "a"]);
    expect(
      names(orderDeployments(candidates, settings("usage-based-routing-v2"), { now, stream: false })),
    ).toEqual(["d", "a"]);
  });

  it.each([
    [{ rpm: 2 }, { requests: 1, tokens: 0 }, true],
    [{ rpm: 2 }, { requests: 2, tokens: 0 }, false],
    [{ tpm: 100 }, { requests: 9, tokens: 99 }, true],
    [{ tpm: 100 }, { requests: 9, tokens: 100 }, false],
    [{}, { requests: 1e6, tokens: 1e9 }, true],
  ])("limits %j with %j used this minute: one more request %s", (limits, used, allowed) => {
    expect(isWithinLimits(load({ limits, usage: { minute: thisMinute, ...used } }).health, now)).toBe(
      allowed,
    );
  });

  it("latency-based routing takes the lowest seconds per token, unused ones first, streams by time to first token", () => {
    const candidates = [
      load({ name: "slow", latency: { total: [0.5, 0.7], firstToken: [0.01] } }),
      load({ name: "fast", latency: { total: [0.1, 0.1], firstToken: [0.2] } }),
      load({ name: "unused" }),
      load({
        name: "limited",
        latency: { total: [0.01], firstToken: [] },
        limits: { rpm: 1 },
        usage: { minute: thisMinute, requests: 1, tokens: 0 },
      }),
    ];
    expect(
      names(orderDeployments(candidates, settings("latency-based-routing"), { now, stream: false })),
    ).toEqual(["unused", "fast", "slow"]);
    const used = candidates.filter((candidate) => candidate.name !== "unused");
    expect(names(orderDeployments(used, settings("latency-based-routing"), { now, stream: true }))).toEqual([
      "slow",
      "fast",
    ]);
    // Within the buffer of the lowest, deployments count as equal: the turn order decides.
    expect(
      names(
        orderDeployments(used, settings("latency-based-routing", { latencyBuffer: 6 }), {
          now,
          stream: false,
        }),
      ),
    ).toEqual(["slow", "fast"]);
  });
});

describe("routing config", () => {
  const base = { model_list: [{ model_name: "claude", litellm_params: { model: `bedrock/${claude}` } }] };

  it.each(["cost-based-routing", "round-robin", "custom"])(
    "stops at start on routing_strategy %s, naming those it implements",
    (strategy) => {
      expect(() => createProxyConfig({ ...base, router_settings: { routing_strategy: strategy } })).toThrow(
        new RegExp(
          `router_settings.routing_strategy: routing strategy "${strategy}" is not implemented by bedrock-forge \\(it implements simple-shuffle, least-busy, latency-based-routing, usage-based-routing, usage-based-routing-v2\\)`,
        ),
      );
    },
  );

  it.each([
    [{ "gpt-4o": "missing" }, /alias gpt-4o names missing, which is not a model_name/],
    [{ claude: "claude" }, /alias claude is already a model_name/],
  ])("refuses model_group_alias %j", (aliases, message) => {
    expect(() => createProxyConfig({ ...base, router_settings: { model_group_alias: aliases } })).toThrow(
      message,
    );
  });

  it("reads rpm and tpm limits from litellm_params, else model_info, and custom prices no longer warn", () => {
    const config = createProxyConfig({
      model_list: [
        {
          model_name: "a",
          litellm_params: { model: `bedrock/${claude}`, rpm: 5, input_cost_per_token: 1e-6 },
          model_info: { tpm: 900 },
        },
      ],
      router_settings: { routing_strategy: "usage-based-routing", routing_strategy_args: { ttl: 60 } },
    });
    expect(config.deployments[0]!.limits).toEqual({ rpm: 5, tpm: 900 });
    expect(config.routing.strategy).toBe("usage-based-routing");
    expect(config.warnings.join("\n")).not.toContain("input_cost_per_token");
    expect(config.warnings.join("\n")).toContain("routing_strategy_args.ttl is not supported");
  });
});

describe("wildcards and aliases through the proxy", () => {
  let harness: Harness;
  let client: OpenAI;

  beforeAll(async () => {
    harness = await startHarness((emulator) => ({
      model_list: [
        { model_name: "claude", litellm_params: paramsFor(emulator, claude) },
        { model_name: "bedrock/*", litellm_params: { ...paramsFor(emulator, llama), model: "bedrock/*" } },
        {
          model_name: "team-*",
          litellm_params: { ...paramsFor(emulator, llama), model: "bedrock/converse/*" },
        },
      ],
      router_settings: {
        model_group_alias: { "gpt-4o": "claude", "internal-claude": { model: "claude", hidden: true } },
      },
    }));
    client = harness.client();
  });

  afterAll(async () => {
    await harness?.close();
  });

  it.each([
    ["bedrock/meta.llama3-8b-instruct-v1:0", "meta.llama3-8b-instruct-v1:0", "bedrock/*"],
    // A Bedrock id without the provider prefix is tried as bedrock/<id>, as LiteLLM's get_pattern does.
    ["mistral.mistral-7b-instruct-v0:2", "mistral.mistral-7b-instruct-v0:2", "bedrock/*"],
    ["team-meta.llama3-8b-instruct-v1:0", "meta.llama3-8b-instruct-v1:0", "team-*"],
  ])("serves %s with Bedrock model %s (pattern %s)", async (requested, bedrockModel, pattern) => {
    const before = harness.emulator.requests.length;
    const completion = await client.chat.completions.create({
      model: requested,
      messages: [{ role: "user", content: "hi" }],
    });
    expect(completion.model).toBe(requested);
    expect(harness.emulator.requests.slice(before).map((request) => request.modelId)).toEqual([bedrockModel]);
    const metrics = await (await fetch(`${harness.proxy.url}/metrics`)).text();
    expect(metrics).toContain(
      `bedrock_forge_requests_total{path="/v1/chat/completions",model="${pattern}",status="200"}`,
    );
  });

  it("prefers an exact model name to a wildcard, and answers 404 for a name nothing matches", async () => {
    const before = harness.emulator.requests.length;
    await client.chat.completions.create({ model: "claude", messages: [{ role: "user", content: "hi" }] });
    expect(harness.emulator.requests.slice(before).map((request) => request.modelId)).toEqual([claude]);
    const answer = await postRaw(
      `${harness.proxy.url}/v1/chat/completions`,
      JSON.stringify({ model: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }] }),
    );
    expect(answer.status).toBe(404);
  });

  it("serves an alias with its model name's deployments, naming the alias in the answer", async () => {
    const before = harness.emulator.requests.length;
    const { data, response } = await client.chat.completions
      .create({ model: "gpt-4o", messages: [{ role: "user", content: "hi" }] })
      .withResponse();
    expect(data.model).toBe("gpt-4o");
    expect(response.headers.get("x-bedrock-forge-deployment")).toBe("claude#1");
    expect(harness.emulator.requests.slice(before).map((request) => request.modelId)).toEqual([claude]);
    const hidden = await client.chat.completions.create({
      model: "internal-claude",
      messages: [{ role: "user", content: "hi" }],
    });
    expect(hidden.model).toBe("internal-claude");
  });

  it("lists model names and aliases that are not hidden", async () => {
    const models = await client.models.list();
    expect(models.data.map((model) => model.id)).toEqual(["claude", "bedrock/*", "team-*", "gpt-4o"]);
    expect((await client.models.retrieve("gpt-4o")).id).toBe("gpt-4o");
  });
});

describe("routing strategies through the proxy", () => {
  let harness: Harness | undefined;
  let clock = 100 * minute;

  afterEach(async () => {
    await harness?.close();
    harness = undefined;
  });

  const start = (config: (emulator: { url: string }) => Record<string, unknown>) =>
    startHarness(config, { proxy: { clock: () => clock } }).then((started) => {
      harness = started;
      return started;
    });

  const ask = async (model: string) => {
    const answer = await postRaw(
      `${harness!.proxy.url}/v1/chat/completions`,
      JSON.stringify({ model, messages: [{ role: "user", content: "hi" }] }),
    );
    return { status: answer.status, deployment: answer.headers.get("x-bedrock-forge-deployment"), answer };
  };

  it("usage-based-routing: rpm limits per minute, a 429 with Retry-After when every deployment is at its limit, served again next minute", async () => {
    clock = 100 * minute + 30_000;
    await start((emulator) => ({
      model_list: [
        { model_name: "m", litellm_params: paramsFor(emulator, claude, { rpm: 1 }), model_info: { id: "a" } },
        { model_name: "m", litellm_params: paramsFor(emulator, llama), model_info: { id: "b", rpm: 2 } },
      ],
      router_settings: { routing_strategy: "usage-based-routing" },
    }));
    const served = [];
    for (let index = 0; index < 3; index++) served.push((await ask("m")).deployment);
    expect(served.sort()).toEqual(["a", "b", "b"]);
    const refused = await ask("m");
    expect(refused.status).toBe(429);
    expect((refused.answer.json as { error: { code: string } }).error.code).toBe("deployment_limits_reached");
    expect(refused.answer.headers.get("retry-after")).toBe("30");
    clock += minute;
    expect((await ask("m")).status).toBe(200);
  });

  it("usage-based-routing: tpm counts the tokens used, so the next request goes to the deployment that used fewer", async () => {
    await start((emulator) => ({
      model_list: [
        { model_name: "m", litellm_params: paramsFor(emulator, claude, { tpm: 5 }), model_info: { id: "a" } },
        { model_name: "m", litellm_params: paramsFor(emulator, claude), model_info: { id: "b" } },
      ],
      router_settings: { routing_strategy: "usage-based-routing" },
    }));
    const first = (await ask("m")).deployment;
    const second = (await ask("m")).deployment;
    expect([first, second].sort()).toEqual(["a", "b"]);
    // a is past its 5 tokens; b has used some: every later request goes to b.
    for (let index = 0; index < 3; index++) expect((await ask("m")).deployment).toBe("b");
  });

  it("simple-shuffle reads rpm as a share, not a limit", async () => {
    await start((emulator) => ({
      model_list: [{ model_name: "m", litellm_params: paramsFor(emulator, claude, { rpm: 1 }) }],
    }));
    for (let index = 0; index < 3; index++) expect((await ask("m")).status).toBe(200);
  });

  it("least-busy sends requests to the deployment with fewer calls in flight", async () => {
    await start((emulator) => ({
      model_list: [
        {
          model_name: "m",
          litellm_params: paramsFor(emulator, llama, {
            extra_headers: {
              "x-bedrock-forge-stream-chunks": "40",
              "x-bedrock-forge-chunk-interval-ms": "50",
            },
          }),
          model_info: { id: "a" },
        },
        { model_name: "m", litellm_params: paramsFor(emulator, llama), model_info: { id: "b" } },
      ],
      router_settings: { routing_strategy: "least-busy" },
    }));
    // A long stream (20 s, cancelled at the end) holds a, the first in turn, while the unary requests arrive.
    const stream = await fetch(`${harness!.proxy.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "m", messages: [{ role: "user", content: "story" }], stream: true }),
    });
    expect(stream.headers.get("x-bedrock-forge-deployment")).toBe("a");
    const reader = stream.body!.getReader();
    await reader.read();
    for (let index = 0; index < 3; index++) expect((await ask("m")).deployment).toBe("b");
    await reader.cancel();
  });

  // The slow deployment answers 800 ms later than the other: far more than a loaded machine adds.
  it("latency-based-routing tries each deployment, then keeps to the faster one", async () => {
    await start((emulator) => ({
      model_list: [
        {
          model_name: "m",
          litellm_params: paramsFor(emulator, claude, {
            extra_headers: { "x-bedrock-forge-latency-ms": "800" },
          }),
          model_info: { id: "slow" },
        },
        { model_name: "m", litellm_params: paramsFor(emulator, claude), model_info: { id: "fast" } },
      ],
      router_settings: { routing_strategy: "latency-based-routing" },
    }));
    const first = [(await ask("m")).deployment, (await ask("m")).deployment];
    expect(first.sort()).toEqual(["fast", "slow"]);
    for (let index = 0; index < 4; index++) expect((await ask("m")).deployment).toBe("fast");
  });
});
