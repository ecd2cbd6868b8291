/** Shared helpers of the emulator tests: signed raw HTTP requests, SDK clients, event-stream decoding. */
import http from "node:http";
import { BedrockRuntimeClient, type BedrockRuntimeClientConfig } from "@aws-sdk/client-bedrock-runtime";
import { Hash } from "@smithy/hash-node";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { HttpRequest } from "@smithy/protocol-http";
import { SignatureV4 } from "@smithy/signature-v4";
import { type DecodedStreamEvent, splitFrames, toStreamEvent } from "../../emulator/eventstream.js";
import type { FixtureOperation } from "../../emulator/fixtures.js";
import type { Emulator } from "../../emulator/types.js";

export const credentials = {
  accessKeyId: "AKIAIOSFODNN7EXAMPLE",
  secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
};

export const operationPaths: Record<FixtureOperation, string> = {
  invoke: "invoke",
  "invoke-stream": "invoke-with-response-stream",
  converse: "converse",
  "converse-stream": "converse-stream",
  "count-tokens": "count-tokens",
};

/** The request path of an operation on a model (the model id percent-encoded as the SDK sends it). */
export function modelPath(modelId: string, operation: FixtureOperation): string {
  return `/model/${encodeURIComponent(modelId)}/${operationPaths[operation]}`;
}

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

export interface RawRequestOptions {
  method?: string;
  body?: string | Buffer;
  headers?: Record<string, string>;
  /** Sign with these credentials (default the example keys); `false` sends no Authorization. */
  sign?: { accessKeyId: string; secretAccessKey: string } | false;
  signingDate?: Date;
  region?: string;
  agent?: http.Agent;
}

/** Sends one HTTP/1.1 request, SigV4-signed like the SDK signs, and collects the answer. */
export async function rawRequest(
  emulator: Emulator,
  path: string,
  options: RawRequestOptions = {},
): Promise<RawResponse> {
  const url = new URL(emulator.url);
  const body = options.body === undefined ? Buffer.alloc(0) : Buffer.from(options.body);
  let headers: Record<string, string> = {
    host: url.host,
    "content-type": "application/json",
    ...options.headers,
  };
  if (options.sign !== false) {
    const signer = new SignatureV4({
      credentials: options.sign ?? credentials,
      region: options.region ?? "us-east-1",
      service: "bedrock",
      sha256: Hash.bind(null, "sha256"),
    });
    const signed = await signer.sign(
      new HttpRequest({
        method: options.method ?? "POST",
        protocol: "http:",
        hostname: url.hostname,
        port: Number(url.port),
        path,
        headers,
        body,
      }),
      options.signingDate ? { signingDate: options.signingDate } : {},
    );
    headers = signed.headers as Record<string, string>;
  }
  return new Promise((resolve, reject) => {
    const request = http.request(
      {
        host: url.hostname,
        port: url.port,
        path,
        method: options.method ?? "POST",
        headers: { ...headers, "content-length": String(body.length) },
        agent: options.agent ?? false,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () =>
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            body: Buffer.concat(chunks),
          }),
        );
        response.on("error", reject);
      },
    );
    request.on("error", reject);
    request.end(body);
  });
}

/** Decodes a whole event-stream body (throws on any CRC error) into the recordings' event shape. */
export function decodeEvents(body: Uint8Array): DecodedStreamEvent[] {
  const { messages, rest } = splitFrames(body);
  if (rest.length > 0) throw new Error(`${rest.length} trailing bytes after the last frame`);
  return messages.map(toStreamEvent);
}

/** A real SDK client pointed at the emulator: the default HTTP/2 handler, or HTTP/1.1 keep-alive. */
export function sdkClient(
  emulator: Emulator,
  handler: "h2" | "http1" = "h2",
  config: Partial<BedrockRuntimeClientConfig> = {},
): BedrockRuntimeClient {
  return new BedrockRuntimeClient({
    region: "us-east-1",
    endpoint: emulator.url,
    credentials,
    maxAttempts: 1,
    ...(handler === "http1"
      ? { requestHandler: new NodeHttpHandler({ httpAgent: new http.Agent({ keepAlive: true }) }) }
      : {}),
    ...config,
  });
}

/** Parses a JSON response body. */
export function json(response: RawResponse): Record<string, unknown> {
  return JSON.parse(response.body.toString("utf8"));
}

/** Drops Bedrock's `p` padding from converse payloads (for comparing content). */
export function withoutPadding(value: unknown): unknown {
  if (value && typeof value === "object" && !Array.isArray(value)) {
    const { p: _padding, ...rest } = value as Record<string, unknown>;
    return rest;
  }
  return value;
}

/** Adds request headers (the emulator's x-bedrock-forge-* controls) to every call of a client. */
export function withHeaders<T extends BedrockRuntimeClient>(client: T, headers: Record<string, string>): T {
  client.middlewareStack.add(
    (next) => async (args) => {
      Object.assign((args.request as { headers: Record<string, string> }).headers, headers);
      return next(args);
    },
    { step: "build", name: `emulatorHeaders-${Object.keys(headers).join("-")}` },
  );
  return client;
}

/** Resolves with the rejection of a promise (fails when it resolves). */
export async function rejectionOf(
  promise: Promise<unknown>,
): Promise<Error & { $metadata?: { httpStatusCode?: number } }> {
  try {
    await promise;
  } catch (error) {
    return error as Error & { $metadata?: { httpStatusCode?: number } };
  }
  throw new Error("expected a rejection");
}

/** Waits until a condition holds (polling), for server-side effects that trail the client. */
export async function eventually(condition: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
