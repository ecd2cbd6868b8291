/**
 * Who may call the proxy: the key in the headers real clients send it in, CORS for browsers, and the
 * DNS rebinding guard of a proxy without a master key.
 *
 * Sources: the key headers are LiteLLM's `SpecialHeaders` (litellm/proxy/_types.py: `Authorization`
 * for OpenAI clients, `x-api-key` for Anthropic's, `api-key` for Azure OpenAI's) and its
 * `general_settings.litellm_key_header_name` (docs.litellm.ai "Pass LiteLLM Key in custom header", the
 * value in `Bearer <key>` form); CORS is the Fetch standard's (https://fetch.spec.whatwg.org/#http-cors-protocol);
 * `.localhost` names are loopback by RFC 6761 §6.3.
 */
import http from "node:http";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createHostCheck,
  isLoopbackName,
  keyHeaderNames,
  matchesHostPattern,
  readHostName,
  readPresentedKey,
} from "../../proxy/auth.js";
import { createProxyConfig, ProxyConfigError } from "../../proxy/config.js";
import { claude, type Harness, paramsFor, startHarness } from "./helpers.js";

interface RawAnswer {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly text: string;
}

/** A request over node:http, which (unlike fetch) lets a test set `Host` and send OPTIONS freely. */
function rawRequest(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      url,
      { method: options.method ?? "GET", headers: options.headers, agent: false },
      (response) => {
        let text = "";
        response.setEncoding("utf8");
        response.on("data", (piece: string) => {
          text += piece;
        });
        response.on("end", () =>
          resolve({ status: response.statusCode ?? 0, headers: response.headers, text }),
        );
        response.on("error", reject);
      },
    );
    request.on("error", reject);
    request.end(options.body);
  });
}

const chatBody = JSON.stringify({ model: "claude", messages: [{ role: "user", content: "hi" }] });
const jsonHeaders = { "content-type": "application/json" };

describe("reading the key, the host and the config", () => {
  const names = keyHeaderNames(undefined);
  it.each([
    [{ authorization: "Bearer sk-1" }, "sk-1", "authorization"],
    [{ authorization: "bearer   sk-1 " }, "sk-1", "authorization"],
    [{ authorization: "sk-1" }, "", "authorization"],
    [{ "x-api-key": "sk-2" }, "sk-2", "x-api-key"],
    [{ "api-key": "sk-3" }, "sk-3", "api-key"],
    [{ "x-api-key": "Bearer sk-4" }, "sk-4", "x-api-key"],
    [{ authorization: "Bearer sk-5", "x-api-key": "other" }, "sk-5", "authorization"],
  ])("reads %j as %s from %s", (headers, key, header) => {
    expect(readPresentedKey(headers, names)).toEqual({ key, header });
  });

  it("reads nothing from requests without a key header", () => {
    expect(readPresentedKey({ "content-type": "application/json" }, names)).toBeUndefined();
    expect(readPresentedKey({ authorization: "  " }, names)).toBeUndefined();
  });

  it("reads the configured header first", () => {
    const custom = keyHeaderNames("X-Litellm-Key");
    expect(custom[0]).toBe("x-litellm-key");
    expect(
      readPresentedKey({ "x-litellm-key": "Bearer sk-6", authorization: "Bearer upstream" }, custom),
    ).toEqual({
      key: "sk-6",
      header: "x-litellm-key",
    });
  });

  it("reads any key back from x-api-key and from Authorization: Bearer (property)", () => {
    const key = fc
      .string({ minLength: 1, maxLength: 64 })
      .filter((value) => value.trim() === value && /^[\x21-\x7e]+$/.test(value) && !/^bearer$/i.test(value));
    fc.assert(
      fc.property(key, (value) => {
        expect(readPresentedKey({ "x-api-key": value }, names)?.key).toBe(value);
        expect(readPresentedKey({ authorization: `Bearer ${value}` }, names)?.key).toBe(value);
      }),
    );
  });

  it.each([
    ["localhost:4000", "localhost"],
    ["LOCALHOST.", "localhost"],
    ["127.0.0.1:4000", "127.0.0.1"],
    ["[::1]:4000", "::1"],
    ["proxy.example.com", "proxy.example.com"],
    ["", undefined],
    [undefined, undefined],
  ])("reads the host name of %j as %j", (host, name) => {
    expect(readHostName(host)).toBe(name);
  });

  it.each([
    ["localhost", true],
    ["app.localhost", true],
    ["127.0.0.1", true],
    ["127.8.9.10", true],
    ["::1", true],
    ["0.0.0.0", false],
    ["localhost.evil.example", false],
    ["10.0.0.1", false],
  ])("%s is a loopback name: %s", (name, loopback) => {
    expect(isLoopbackName(name)).toBe(loopback);
  });

  it.each([
    ["proxy.example.com", "proxy.example.com", true],
    ["a.b.example.com", "*.example.com", true],
    ["example.com", "*.example.com", false],
    ["evilexample.com", "*.example.com", false],
  ])("%s matches %s: %s", (name, pattern, match) => {
    expect(matchesHostPattern(name, pattern)).toBe(match);
  });

  it("refuses a host that is neither loopback nor allowed, naming it and the setting", () => {
    const check = createHostCheck(["*.internal.example"]);
    expect(() => check("api.internal.example:4000")).not.toThrow();
    expect(() => check("rebound.attacker.example")).toThrow(
      /Host 'rebound.attacker.example' is not allowed.*general_settings.allowed_hosts/,
    );
  });

  it("refuses a key header name that is not an HTTP token, and CORS origins that are not origins", () => {
    const config = (general: Record<string, unknown>) => () =>
      createProxyConfig({
        model_list: [{ model_name: "m", litellm_params: { model: `bedrock/${claude}` } }],
        general_settings: general,
      });
    expect(config({ litellm_key_header_name: "X Key" })).toThrow(ProxyConfigError);
    expect(config({ cors_allowed_origins: ["https://app.example.com/path"] })).toThrow(
      /general_settings.cors_allowed_origins\[0\]/,
    );
    expect(config({ cors_allowed_origins: ["https://app.example.com", "*"] })).not.toThrow();
  });

  it("takes the CORS origins from LITELLM_CORS_ORIGINS when the config names none", () => {
    const config = createProxyConfig(
      { model_list: [{ model_name: "m", litellm_params: { model: `bedrock/${claude}` } }] },
      { env: { LITELLM_CORS_ORIGINS: "https://a.example, https://b.example" } },
    );
    expect(config.access.corsOrigins).toEqual(["https://a.example", "https://b.example"]);
    const off = createProxyConfig(
      { model_list: [{ model_name: "m", litellm_params: { model: `bedrock/${claude}` } }] },
      { env: {} },
    );
    expect(off.access.corsOrigins).toEqual([]);
  });
});

describe("a proxy with a master key, a custom key header and CORS", () => {
  let harness: Harness;

  beforeAll(async () => {
    harness = await startHarness((emulator) => ({
      model_list: [{ model_name: "claude", litellm_params: paramsFor(emulator, claude) }],
      general_settings: {
        master_key: "sk-master",
        litellm_key_header_name: "X-Litellm-Key",
        cors_allowed_origins: ["https://app.example.com"],
      },
    }));
  });

  afterAll(async () => {
    await harness?.close();
  });

  it.each([
    ["authorization", "Bearer sk-master"],
    ["x-api-key", "sk-master"],
    ["api-key", "sk-master"],
    ["x-litellm-key", "Bearer sk-master"],
    ["x-litellm-key", "sk-master"],
  ])("takes the key in %s", async (header, value) => {
    const answer = await rawRequest(`${harness.proxy.url}/v1/chat/completions`, {
      method: "POST",
      headers: { ...jsonHeaders, [header]: value },
      body: chatBody,
    });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.text).object).toBe("chat.completion");
  });

  it.each([
    [{ "x-api-key": "sk-wrong" }, "invalid_api_key"],
    [{ "api-key": "sk-wrong" }, "invalid_api_key"],
    [{ authorization: "sk-master" }, "invalid_api_key"],
    // The configured header decides when it is there, even with the right key in another header.
    [{ "x-litellm-key": "sk-wrong", authorization: "Bearer sk-master" }, "invalid_api_key"],
    [{}, "missing_api_key"],
  ])("refuses %j with 401 %s", async (headers, code) => {
    const answer = await rawRequest(`${harness.proxy.url}/v1/chat/completions`, {
      method: "POST",
      headers: { ...jsonHeaders, ...headers },
      body: chatBody,
    });
    expect(answer.status).toBe(401);
    const error = JSON.parse(answer.text).error;
    expect(error.code).toBe(code);
    if (code === "missing_api_key")
      expect(error.message).toMatch(/X-Litellm-Key.*Authorization: Bearer.*x-api-key.*api-key/);
  });

  it("answers a preflight from an allowed origin without a key, allowing the headers it asks for", async () => {
    const answer = await rawRequest(`${harness.proxy.url}/v1/chat/completions`, {
      method: "OPTIONS",
      headers: {
        origin: "https://app.example.com",
        "access-control-request-method": "POST",
        "access-control-request-headers": "authorization, content-type, x-stainless-os",
      },
    });
    expect(answer.status).toBe(204);
    expect(answer.headers["access-control-allow-origin"]).toBe("https://app.example.com");
    expect(answer.headers["access-control-allow-methods"]).toMatch(/POST/);
    expect(answer.headers["access-control-allow-headers"]).toBe(
      "authorization, content-type, x-stainless-os",
    );
    expect(answer.headers.vary).toMatch(/Origin/);
    expect(answer.headers["access-control-allow-credentials"]).toBeUndefined();
  });

  it("gives another origin no CORS headers (and its preflight needs the key like any request)", async () => {
    const preflight = await rawRequest(`${harness.proxy.url}/v1/chat/completions`, {
      method: "OPTIONS",
      headers: { origin: "https://evil.example", "access-control-request-method": "POST" },
    });
    expect(preflight.headers["access-control-allow-origin"]).toBeUndefined();
    expect(preflight.status).toBe(401);
    const answer = await rawRequest(`${harness.proxy.url}/v1/chat/completions`, {
      method: "POST",
      headers: { ...jsonHeaders, origin: "https://evil.example", "x-api-key": "sk-master" },
      body: chatBody,
    });
    expect(answer.status).toBe(200);
    expect(answer.headers["access-control-allow-origin"]).toBeUndefined();
  });

  it("lets an allowed origin read answers, errors and streams, and the headers that matter", async () => {
    const origin = { origin: "https://app.example.com" };
    const ok = await rawRequest(`${harness.proxy.url}/v1/chat/completions`, {
      method: "POST",
      headers: { ...jsonHeaders, ...origin, "x-api-key": "sk-master" },
      body: chatBody,
    });
    expect(ok.headers["access-control-allow-origin"]).toBe("https://app.example.com");
    expect(ok.headers["access-control-expose-headers"]).toMatch(/x-request-id.*x-bedrock-forge-cost-usd/);
    const refused = await rawRequest(`${harness.proxy.url}/v1/chat/completions`, {
      method: "POST",
      headers: { ...jsonHeaders, ...origin },
      body: chatBody,
    });
    expect(refused.status).toBe(401);
    expect(refused.headers["access-control-allow-origin"]).toBe("https://app.example.com");
    const stream = await rawRequest(`${harness.proxy.url}/v1/chat/completions`, {
      method: "POST",
      headers: { ...jsonHeaders, ...origin, "x-api-key": "sk-master" },
      body: JSON.stringify({ model: "claude", messages: [{ role: "user", content: "hi" }], stream: true }),
    });
    expect(stream.headers["content-type"]).toMatch(/^text\/event-stream/);
    expect(stream.headers["access-control-allow-origin"]).toBe("https://app.example.com");
    expect(stream.headers["x-request-id"]).toMatch(/\S/);
    expect(stream.text).toMatch(/data: \[DONE\]\n\n$/);
  });

  it("answers any Host when a master key is set", async () => {
    const answer = await rawRequest(`${harness.proxy.url}/v1/models`, {
      headers: { host: "proxy.example.com", "x-api-key": "sk-master" },
    });
    expect(answer.status).toBe(200);
  });
});

describe("a proxy without a master key", () => {
  let harness: Harness;

  beforeAll(async () => {
    harness = await startHarness((emulator) => ({
      model_list: [{ model_name: "claude", litellm_params: paramsFor(emulator, claude) }],
      general_settings: { allowed_hosts: ["*.internal.example", "proxy.example.com"] },
    }));
  });

  afterAll(async () => {
    await harness?.close();
  });

  it.each(["127.0.0.1", "localhost", "app.localhost", "[::1]", "proxy.example.com", "llm.internal.example"])(
    "answers requests addressed to %s",
    async (host) => {
      const answer = await rawRequest(`${harness.proxy.url}/v1/chat/completions`, {
        method: "POST",
        headers: { ...jsonHeaders, host: `${host}:${harness.proxy.port}` },
        body: chatBody,
      });
      expect(answer.status).toBe(200);
    },
  );

  it.each(["rebound.attacker.example", "0.0.0.0", "192.168.1.20"])(
    "refuses requests addressed to %s (DNS rebinding) with 403 host_not_allowed",
    async (host) => {
      const before = harness.emulator.requests.length;
      const answer = await rawRequest(`${harness.proxy.url}/v1/chat/completions`, {
        method: "POST",
        headers: { ...jsonHeaders, host },
        body: chatBody,
      });
      expect(answer.status).toBe(403);
      expect(JSON.parse(answer.text).error).toMatchObject({
        type: "permission_error",
        code: "host_not_allowed",
      });
      expect(harness.emulator.requests.length).toBe(before);
    },
  );

  it("still answers health probes addressed to any host", async () => {
    const answer = await rawRequest(`${harness.proxy.url}/health/readiness`, {
      headers: { host: "10.1.2.3:4000" },
    });
    expect(answer.status).toBe(200);
  });
});

describe("paths", () => {
  let harness: Harness;

  beforeAll(async () => {
    harness = await startHarness((emulator) => ({
      model_list: [{ model_name: "claude", litellm_params: paramsFor(emulator, claude) }],
    }));
  });

  afterAll(async () => {
    await harness?.close();
  });

  it.each(["/health", "/health/", "/health/liveliness", "/health/liveliness/", "/health/liveness"])(
    "answers liveness at %s",
    async (path) => {
      const answer = await fetch(`${harness.proxy.url}${path}`);
      expect(answer.status).toBe(200);
      expect(await answer.text()).toBe("I'm alive!");
    },
  );

  it.each(["/v1/chat/completions/", "/chat/completions/"])(
    "answers %s with its trailing slash",
    async (path) => {
      const answer = await fetch(`${harness.proxy.url}${path}`, {
        method: "POST",
        headers: jsonHeaders,
        body: chatBody,
      });
      expect(answer.status).toBe(200);
    },
  );

  it("answers GET /v1/models/ with its trailing slash", async () => {
    const answer = await fetch(`${harness.proxy.url}/v1/models/`);
    expect(((await answer.json()) as { object: string }).object).toBe("list");
  });
});
