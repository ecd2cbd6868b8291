/**
 * `GET /metrics`: Prometheus text format with request counts, a duration histogram, tokens, cost, failed
 * attempts and fallbacks, all labelled by names from the config (never by what a client sends), behind
 * the master key; and the sums the workers of `serve --workers` add together.
 */
import type OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  emptySnapshot,
  escapeLabelValue,
  mergeSnapshots,
  recordRequest,
  renderMetrics,
} from "../../proxy/metrics.js";
import { claude, type Harness, paramsFor, postRaw, startHarness, titanEmbed } from "./helpers.js";

/** The value of one sample line (`name{labels} value`), or undefined when it is not there. */
function sample(text: string, line: string): number | undefined {
  const found = text.split("\n").find((candidate) => candidate.startsWith(`${line} `));
  return found === undefined ? undefined : Number(found.slice(line.length + 1));
}

describe("GET /metrics", () => {
  let harness: Harness;
  let client: OpenAI;
  const key = "sk-metrics";

  beforeAll(async () => {
    harness = await startHarness(
      (emulator) => ({
        model_list: [
          { model_name: "claude", litellm_params: paramsFor(emulator, claude) },
          {
            model_name: "throttled",
            litellm_params: paramsFor(emulator, claude, {
              extra_headers: { "x-bedrock-forge-fault": "throttle" },
            }),
          },
          { model_name: "embed", litellm_params: paramsFor(emulator, titanEmbed) },
        ],
        litellm_settings: { fallbacks: [{ throttled: ["claude"] }] },
      }),
      { proxy: { masterKey: key } },
    );
    client = harness.client(key);
  });

  afterAll(async () => {
    await harness?.close();
  });

  const scrape = async () => {
    const response = await fetch(`${harness.proxy.url}/metrics`, {
      headers: { authorization: `Bearer ${key}` },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    return response.text();
  };

  it("counts requests, time, tokens, cost, failed attempts and fallbacks by model name", async () => {
    const completion = await client.chat.completions.create({
      model: "claude",
      messages: [{ role: "user", content: "hello" }],
    });
    await client.chat.completions.create({
      model: "throttled",
      messages: [{ role: "user", content: "hello" }],
    });
    await client.embeddings.create({ model: "embed", input: "hello" });
    const text = await scrape();
    expect(
      sample(text, 'bedrock_forge_requests_total{path="/v1/chat/completions",model="claude",status="200"}'),
    ).toBe(1);
    expect(
      sample(text, 'bedrock_forge_requests_total{path="/v1/embeddings",model="embed",status="200"}'),
    ).toBe(1);
    expect(
      sample(
        text,
        'bedrock_forge_request_duration_seconds_count{path="/v1/chat/completions",model="claude"}',
      ),
    ).toBe(1);
    expect(
      sample(
        text,
        'bedrock_forge_request_duration_seconds_bucket{path="/v1/chat/completions",model="claude",le="+Inf"}',
      ),
    ).toBe(1);
    expect(sample(text, 'bedrock_forge_tokens_total{model="claude",kind="prompt"}')).toBe(
      completion.usage!.prompt_tokens,
    );
    expect(sample(text, 'bedrock_forge_cost_usd_total{model="claude"}')).toBeGreaterThan(0);
    expect(sample(text, 'bedrock_forge_failed_attempts_total{deployment="throttled#1",status="429"}')).toBe(
      1,
    );
    expect(sample(text, 'bedrock_forge_fallbacks_total{model="throttled",fallback="claude"}')).toBe(1);
    expect(sample(text, "bedrock_forge_requests_in_flight")).toBe(0);
  });

  it("labels what the proxy does not serve as none, never with the client's text", async () => {
    const answer = await postRaw(
      `${harness.proxy.url}/v1/chat/completions`,
      JSON.stringify({ model: 'made-up"model\nx', messages: [{ role: "user", content: "hi" }] }),
      { "content-type": "application/json", authorization: `Bearer ${key}` },
    );
    expect(answer.status).toBe(404);
    const text = await scrape();
    expect(text).not.toContain("made-up");
    expect(
      sample(text, 'bedrock_forge_requests_total{path="/v1/chat/completions",model="none",status="404"}'),
    ).toBe(1);
  });

  it("needs the master key", async () => {
    expect((await fetch(`${harness.proxy.url}/metrics`)).status).toBe(401);
  });
});

describe("metrics snapshots", () => {
  it("add up across workers, histogram buckets included, and render cumulative buckets", () => {
    const one = emptySnapshot();
    const two = emptySnapshot();
    recordRequest(one, {
      path: "/v1/chat/completions",
      model: "m",
      status: 200,
      seconds: 0.07,
      promptTokens: 3,
    });
    recordRequest(two, {
      path: "/v1/chat/completions",
      model: "m",
      status: 200,
      seconds: 7,
      promptTokens: 4,
    });
    recordRequest(two, { path: "/v1/chat/completions", model: "m", status: 429, seconds: 500 });
    one.inFlight = 1;
    two.inFlight = 2;
    const text = renderMetrics(mergeSnapshots([one, two]));
    expect(
      sample(text, 'bedrock_forge_requests_total{path="/v1/chat/completions",model="m",status="200"}'),
    ).toBe(2);
    expect(sample(text, 'bedrock_forge_tokens_total{model="m",kind="prompt"}')).toBe(7);
    const bucket = (le: string) =>
      sample(
        text,
        `bedrock_forge_request_duration_seconds_bucket{path="/v1/chat/completions",model="m",le="${le}"}`,
      );
    expect([bucket("0.05"), bucket("0.1"), bucket("5"), bucket("10"), bucket("300"), bucket("+Inf")]).toEqual(
      [0, 1, 1, 2, 2, 3],
    );
    expect(
      sample(text, 'bedrock_forge_request_duration_seconds_sum{path="/v1/chat/completions",model="m"}'),
    ).toBeCloseTo(507.07);
    expect(sample(text, "bedrock_forge_requests_in_flight")).toBe(3);
  });

  it("escapes label values as Prometheus reads them", () => {
    expect(escapeLabelValue('a"b\\c\nd')).toBe('a\\"b\\\\c\\nd');
  });
});
