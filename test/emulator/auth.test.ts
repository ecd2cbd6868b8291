import { InvokeModelCommand } from "@aws-sdk/client-bedrock-runtime";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator } from "../../emulator/server.js";
import type { Emulator } from "../../emulator/types.js";
import { credentials, json, modelPath, rawRequest, sdkClient } from "./helpers.js";

const MODEL = "meta.llama3-8b-instruct-v1:0";
const body = JSON.stringify({ prompt: "Hello", max_gen_len: 20 });
const command = () => new InvokeModelCommand({ modelId: MODEL, body, contentType: "application/json" });

async function failure(promise: Promise<unknown>) {
  try {
    await promise;
  } catch (error) {
    return error as Error & { $metadata: { httpStatusCode: number } };
  }
  throw new Error("expected the call to fail");
}

describe("authentication", () => {
  let emulator: Emulator;
  let clock = Date.now();
  beforeAll(async () => {
    emulator = await startEmulator({
      mode: "synthesize",
      credentials: [credentials, { accessKeyId: "AKIDSECONDKEY0000000", secretAccessKey: "second-secret" }],
      apiKeys: ["ABSK-test-key"],
      now: () => clock,
    });
  });
  afterAll(() => emulator.close());

  it.each(["h2", "http1"] as const)("accepts SigV4 from the SDK (%s handler)", async (handler) => {
    const client = sdkClient(emulator, handler);
    const result = await client.send(command());
    expect(result.$metadata.httpStatusCode).toBe(200);
    expect(emulator.requests.at(-1)?.auth).toBe("sigv4");
    client.destroy();
  });

  it("accepts any configured credential pair and any region", async () => {
    const client = sdkClient(emulator, "http1", {
      region: "eu-west-3",
      credentials: { accessKeyId: "AKIDSECONDKEY0000000", secretAccessKey: "second-secret" },
    });
    expect((await client.send(command())).$metadata.httpStatusCode).toBe(200);
    client.destroy();
  });

  it("rejects an unknown access key with UnrecognizedClientException", async () => {
    const client = sdkClient(emulator, "http1", {
      credentials: { accessKeyId: "AKIAUNKNOWN000000000", secretAccessKey: credentials.secretAccessKey },
    });
    const error = await failure(client.send(command()));
    expect(error.name).toBe("UnrecognizedClientException");
    expect(error.message).toBe("The security token included in the request is invalid.");
    expect(error.$metadata.httpStatusCode).toBe(403);
    client.destroy();
  });

  it("rejects a wrong secret with InvalidSignatureException", async () => {
    const client = sdkClient(emulator, "h2", {
      credentials: { accessKeyId: credentials.accessKeyId, secretAccessKey: "not-the-secret" },
    });
    const error = await failure(client.send(command()));
    expect(error.name).toBe("InvalidSignatureException");
    expect(error.$metadata.httpStatusCode).toBe(403);
    client.destroy();
  });

  it("rejects a tampered body (the signature covers the payload hash)", async () => {
    const response = await rawRequest(emulator, modelPath(MODEL, "invoke"), { body });
    expect(response.status).toBe(200);
    // Sign one body, send another: re-sign with the original body's headers on a different body.
    const { Hash } = await import("@smithy/hash-node");
    const { HttpRequest } = await import("@smithy/protocol-http");
    const { SignatureV4 } = await import("@smithy/signature-v4");
    const url = new URL(emulator.url);
    const signer = new SignatureV4({
      credentials,
      region: "us-east-1",
      service: "bedrock",
      sha256: Hash.bind(null, "sha256"),
    });
    const signed = await signer.sign(
      new HttpRequest({
        method: "POST",
        protocol: "http:",
        hostname: url.hostname,
        port: Number(url.port),
        path: modelPath(MODEL, "invoke"),
        headers: { host: url.host, "content-type": "application/json" },
        body,
      }),
    );
    const tampered = await rawRequest(emulator, modelPath(MODEL, "invoke"), {
      body: body.replace("Hello", "Howdy"),
      headers: signed.headers as Record<string, string>,
      sign: false,
    });
    expect(tampered.status).toBe(403);
    expect(tampered.headers["x-amzn-errortype"]).toBe(
      "InvalidSignatureException:http://internal.amazon.com/coral/com.amazon.coral.service/",
    );
  });

  it("rejects a request time more than 5 minutes off, with AWS's wording", async () => {
    clock = Date.UTC(2025, 1, 10, 1, 39, 11);
    const old = await rawRequest(emulator, modelPath(MODEL, "invoke"), {
      body,
      signingDate: new Date(Date.UTC(2025, 0, 30, 6, 45, 8)),
    });
    expect(old.status).toBe(403);
    expect(old.headers["x-amzn-errortype"]).toMatch(/^InvalidSignatureException:/);
    // The same sentence the otel-js recordings captured from Bedrock.
    expect(json(old).message).toBe(
      "Signature expired: 20250130T064508Z is now earlier than 20250210T013411Z (20250210T013911Z - 5 min.)",
    );
    const future = await rawRequest(emulator, modelPath(MODEL, "invoke"), {
      body,
      signingDate: new Date(clock + 6 * 60 * 1000),
    });
    expect(future.status).toBe(403);
    expect(json(future).message).toMatch(/^Signature not yet current: /);
    const within = await rawRequest(emulator, modelPath(MODEL, "invoke"), {
      body,
      signingDate: new Date(clock - 4 * 60 * 1000),
    });
    expect(within.status).toBe(200);
    clock = Date.now();
  });

  it("rejects a request without authentication", async () => {
    const response = await rawRequest(emulator, modelPath(MODEL, "invoke"), { body, sign: false });
    expect(response.status).toBe(403);
    expect(response.headers["x-amzn-errortype"]).toBe(
      "MissingAuthenticationTokenException:http://internal.amazon.com/coral/com.amazon.coral.service/",
    );
  });

  it("accepts a host signed without the port (some clients do that)", async () => {
    const url = new URL(emulator.url);
    const { Hash } = await import("@smithy/hash-node");
    const { HttpRequest } = await import("@smithy/protocol-http");
    const { SignatureV4 } = await import("@smithy/signature-v4");
    const signer = new SignatureV4({
      credentials,
      region: "us-east-1",
      service: "bedrock",
      sha256: Hash.bind(null, "sha256"),
    });
    const signed = await signer.sign(
      new HttpRequest({
        method: "POST",
        protocol: "http:",
        hostname: url.hostname,
        path: modelPath(MODEL, "invoke"),
        headers: { host: url.hostname, "content-type": "application/json" },
        body,
      }),
    );
    const response = await rawRequest(emulator, modelPath(MODEL, "invoke"), {
      body,
      headers: { ...(signed.headers as Record<string, string>), host: url.host },
      sign: false,
    });
    expect(response.status).toBe(200);
  });

  it("accepts configured bearer API keys and refuses others", async () => {
    const accepted = await rawRequest(emulator, modelPath(MODEL, "invoke"), {
      body,
      sign: false,
      headers: { authorization: "Bearer ABSK-test-key" },
    });
    expect(accepted.status).toBe(200);
    expect(emulator.requests.at(-1)?.auth).toBe("bearer");
    const unknown = await rawRequest(emulator, modelPath(MODEL, "invoke"), {
      body,
      sign: false,
      headers: { authorization: "Bearer ABSK-someone-else" },
    });
    expect(unknown.status).toBe(403);
    expect(unknown.headers["x-amzn-errortype"]).toMatch(/^UnrecognizedClientException:/);
    const malformed = await rawRequest(emulator, modelPath(MODEL, "invoke"), {
      body,
      sign: false,
      headers: { authorization: "Bearer sk-not-a-bedrock-key" },
    });
    expect(malformed.status).toBe(403);
    expect(json(malformed)).toEqual({
      Message: "Invalid API Key format: Must start with pre-defined prefix",
    });
  });

  it("accepts bearer keys from the SDK's token auth", async () => {
    const client = sdkClient(emulator, "http1", {
      token: { token: "ABSK-test-key" },
      authSchemePreference: ["httpBearerAuth"],
    });
    expect((await client.send(command())).$metadata.httpStatusCode).toBe(200);
    expect(emulator.requests.at(-1)?.auth).toBe("bearer");
    client.destroy();
  });

  it("skips every check when verification is off", async () => {
    const open = await startEmulator({ mode: "synthesize", verifySignature: false });
    try {
      const response = await rawRequest(open, modelPath(MODEL, "invoke"), { body, sign: false });
      expect(response.status).toBe(200);
      expect(open.requests.at(-1)?.auth).toBe("none");
    } finally {
      await open.close();
    }
  });
});
