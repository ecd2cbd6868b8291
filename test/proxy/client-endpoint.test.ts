// Issue 12, item 3: an endpoint a client chooses never receives the deployment's identity (its bearer
// key or a SigV4 signature with its key id) unless the config says so, and only http(s) URLs to hosts
// the config lists are accepted.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isAllowedHost } from "../../proxy/client-endpoint.js";
import { createProxyConfig } from "../../proxy/config.js";
import { claude, type Harness, postRaw, startHarness } from "./helpers.js";

/** A loopback server that records the Authorization header of every request and answers 500. */
async function startCapture(): Promise<{ url: string; seen: string[]; close(): Promise<void> }> {
  const seen: string[] = [];
  const server = http.createServer((request, response) => {
    seen.push(request.headers.authorization ?? "(none)");
    request.resume();
    response.writeHead(500, { "content-type": "application/json" }).end('{"message":"capture"}');
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** The deployment's own bearer key (a Bedrock API key): the emulator accepts it. */
const configBearerKey = "ABSK-config-key";
const configKeyId = "AKIAIOSFODNN7EXAMPLE";

function configFor(forwardCredentials: boolean) {
  return (emulator: { url: string }) => ({
    model_list: [
      {
        model_name: "bearer",
        litellm_params: {
          model: `bedrock/${claude}`,
          aws_region_name: "us-east-1",
          api_key: configBearerKey,
          aws_bedrock_runtime_endpoint: emulator.url,
          configurable_clientside_auth_params: ["aws_bedrock_runtime_endpoint", "api_base", "api_key"],
        },
      },
      {
        model_name: "sigv4",
        litellm_params: {
          model: `bedrock/${claude}`,
          aws_region_name: "us-east-1",
          aws_access_key_id: configKeyId,
          aws_secret_access_key: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
          aws_bedrock_runtime_endpoint: emulator.url,
          configurable_clientside_auth_params: [
            "aws_bedrock_runtime_endpoint",
            "aws_access_key_id",
            "aws_secret_access_key",
          ],
        },
      },
    ],
    general_settings: {
      client_endpoint_hosts: ["127.0.0.1"],
      ...(forwardCredentials ? { forward_credentials_to_client_endpoints: true } : {}),
    },
  });
}

const hello = [{ role: "user", content: "hi" }];

describe("client-chosen endpoints", () => {
  let harness: Harness;
  let capture: Awaited<ReturnType<typeof startCapture>>;
  const post = (body: Record<string, unknown>) =>
    postRaw(`${harness.proxy.url}/v1/chat/completions`, JSON.stringify({ messages: hello, ...body }));

  beforeAll(async () => {
    capture = await startCapture();
    harness = await startHarness(configFor(false), { emulator: { apiKeys: [configBearerKey] } });
  });
  afterAll(async () => {
    await harness?.close();
    await capture?.close();
  });

  it("serves the deployment's own endpoint with its own credentials", async () => {
    expect((await post({ model: "bearer" })).status).toBe(200);
    expect(harness.emulator.requests.at(-1)!.auth).toBe("bearer");
    expect((await post({ model: "sigv4" })).status).toBe(200);
  });

  it.each([
    ["bearer", "aws_bedrock_runtime_endpoint"],
    ["bearer", "api_base"],
    ["sigv4", "aws_bedrock_runtime_endpoint"],
  ])("%s: refuses %s without the request's own credentials, and sends nothing", async (model, field) => {
    const answer = await post({ model, [field]: capture.url });
    expect(answer.status).toBe(400);
    expect(answer.json).toMatchObject({
      error: { code: "client_endpoint_needs_credentials", param: "aws_bedrock_runtime_endpoint" },
    });
    expect(capture.seen).toEqual([]);
  });

  it.each([
    ["file:///etc/passwd", "invalid_endpoint"],
    ["ftp://127.0.0.1/", "invalid_endpoint"],
    ["http://user:secret@127.0.0.1:1/", "invalid_endpoint"],
    ["not a url", "invalid_endpoint"],
    ["http://localhost:1/", "endpoint_not_allowed"],
    ["https://bedrock-runtime.us-east-1.amazonaws.com.evil.example/", "endpoint_not_allowed"],
  ])("refuses the endpoint %s (%s)", async (endpoint, code) => {
    const answer = await post({
      model: "bearer",
      aws_bedrock_runtime_endpoint: endpoint,
      api_key: "ABSK-mine",
    });
    expect(answer.status).toBe(400);
    expect(answer.json).toMatchObject({ error: { code, param: "aws_bedrock_runtime_endpoint" } });
    expect(capture.seen).toEqual([]);
  });

  it("sends a request with its own credentials to its own endpoint with those alone", async () => {
    await post({ model: "bearer", aws_bedrock_runtime_endpoint: capture.url, api_key: "ABSK-client-key" });
    await post({
      model: "sigv4",
      aws_bedrock_runtime_endpoint: capture.url,
      aws_access_key_id: "AKIACLIENTOWNKEY0000",
      aws_secret_access_key: "client-secret",
    });
    expect(capture.seen.length).toBeGreaterThanOrEqual(2);
    for (const authorization of capture.seen) {
      expect(authorization).not.toContain(configBearerKey);
      expect(authorization).not.toContain(configKeyId);
    }
    expect(capture.seen).toContain("Bearer ABSK-client-key");
    expect(capture.seen.some((value) => value.includes("Credential=AKIACLIENTOWNKEY0000/"))).toBe(true);
    capture.seen.length = 0;
  });
});

describe("client-chosen endpoints with forward_credentials_to_client_endpoints", () => {
  it("sends the deployment's credentials there, as the config says", async () => {
    const capture = await startCapture();
    const harness = await startHarness(configFor(true), { emulator: { apiKeys: [configBearerKey] } });
    try {
      await postRaw(
        `${harness.proxy.url}/v1/chat/completions`,
        JSON.stringify({ model: "bearer", messages: hello, aws_bedrock_runtime_endpoint: capture.url }),
      );
      expect(capture.seen).toContain(`Bearer ${configBearerKey}`);
    } finally {
      await harness.close();
      await capture.close();
    }
  });
});

describe("client endpoint settings", () => {
  const open = {
    model_name: "open",
    litellm_params: {
      model: `bedrock/${claude}`,
      configurable_clientside_auth_params: ["aws_bedrock_runtime_endpoint"],
    },
  };

  it("warns at start when clients may choose an endpoint but no host is listed", () => {
    const config = createProxyConfig({ model_list: [open] }, { env: {} });
    expect(config.warnings).toEqual([
      "<inline config>: open#1's configurable_clientside_auth_params lets clients choose an endpoint, but general_settings.client_endpoint_hosts names no host: such requests are refused",
    ]);
    const listed = createProxyConfig(
      { model_list: [open], general_settings: { client_endpoint_hosts: ["*.vpce.amazonaws.com"] } },
      { env: {} },
    );
    expect(listed.warnings).toEqual([]);
    expect(listed.clientEndpoints).toEqual({ hosts: ["*.vpce.amazonaws.com"], forwardCredentials: false });
  });

  it("refuses a host list that is not a list of names", () => {
    expect(() =>
      createProxyConfig(
        { model_list: [open], general_settings: { client_endpoint_hosts: [""] } },
        { env: {} },
      ),
    ).toThrow(/general_settings\.client_endpoint_hosts\[0\]: must NOT have fewer than 1 characters/);
  });

  it.each([
    ["vpce-1.bedrock-runtime.us-east-1.vpce.amazonaws.com", ["*.vpce.amazonaws.com"], true],
    ["vpce.amazonaws.com", ["*.vpce.amazonaws.com"], false],
    ["evilvpce.amazonaws.com", ["*.vpce.amazonaws.com"], false],
    ["BEDROCK-RUNTIME.us-east-1.amazonaws.com", ["bedrock-runtime.us-east-1.amazonaws.com"], true],
    ["bedrock-runtime.us-east-1.amazonaws.com.example", ["bedrock-runtime.us-east-1.amazonaws.com"], false],
  ] as const)("host %s against %j: %s", (host, allowed, expected) => {
    expect(isAllowedHost(host, allowed)).toBe(expected);
  });
});
