/**
 * The recorder: a proxy in front of a Bedrock Runtime endpoint (real or an emulator) that re-signs each
 * request with its own credentials, streams the answer back to the client as it arrives, and writes one
 * fixture per exchange in the recordings' shape (`provenance: "recorded-by-bedrock-forge"`), with secrets
 * scrubbed: Authorization, X-Amz-Security-Token, cookies and signing headers are never written; account ids
 * inside ARNs are replaced by AWS's documented example account when asked.
 */
import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import http from "node:http";
import type http2 from "node:http2";
import https from "node:https";
import path from "node:path";
import { Hash } from "@smithy/hash-node";
import { HttpRequest } from "@smithy/protocol-http";
import { SignatureV4 } from "@smithy/signature-v4";
import { splitFrames, toStreamEvent } from "./eventstream.js";
import type { Fixture, FixtureOperation } from "./fixtures.js";
import { listenDual } from "./listen.js";

type AnyRequest = http.IncomingMessage | http2.Http2ServerRequest;
type AnyResponse = http.ServerResponse | http2.Http2ServerResponse;

/** Credentials for signing upstream requests, or a provider of them (the default AWS chain by default). */
export type RecorderCredentials =
  | { accessKeyId: string; secretAccessKey: string; sessionToken?: string }
  | (() => Promise<{ accessKeyId: string; secretAccessKey: string; sessionToken?: string }>);

export interface RecorderOptions {
  /** The endpoint to forward to, e.g. https://bedrock-runtime.us-east-1.amazonaws.com. */
  upstream: string;
  /** Folder the fixtures are written to (created when missing). */
  outDir: string;
  port?: number;
  host?: string;
  /** Signing credentials; default the AWS SDK's default provider chain. */
  credentials?: RecorderCredentials;
  /** Signing region; default the region the client signed for, else the upstream host's, else us-east-1. */
  region?: string;
  /** Replace 12-digit account ids inside ARNs by 123456789012. */
  scrubAccountIds?: boolean;
}

export interface RecordedExchange {
  readonly file: string;
  readonly fixture: Fixture;
}

export interface Recorder {
  readonly url: string;
  readonly port: number;
  /** Fixtures written so far, oldest first. */
  readonly recorded: RecordedExchange[];
  close(): Promise<void>;
}

const ROUTES: Record<string, FixtureOperation> = {
  invoke: "invoke",
  "invoke-with-response-stream": "invoke-stream",
  converse: "converse",
  "converse-stream": "converse-stream",
  "count-tokens": "count-tokens",
};

/** Request headers never forwarded as sent (the recorder signs its own request). */
const NOT_FORWARDED = new Set([
  "host",
  "authorization",
  "x-amz-date",
  "x-amz-security-token",
  "x-amz-content-sha256",
  "content-length",
  "connection",
  "keep-alive",
  "transfer-encoding",
  "expect",
  "cookie",
]);
/** Response headers not written to fixtures or passed back (hop-by-hop or secret). */
const NOT_RECORDED = new Set([
  "set-cookie",
  "date",
  "content-length",
  "connection",
  "keep-alive",
  "transfer-encoding",
]);
/** Request headers worth keeping in a fixture (everything else may carry secrets or noise). */
const KEPT_REQUEST_HEADER = /^(content-type|accept|x-amzn-bedrock-.*)$/i;

const EXAMPLE_ACCOUNT = "123456789012";

/** Replaces account ids inside ARNs (`arn:partition:service:region:123456789012:...`), also percent-encoded ones. */
export function scrubAccountIds(text: string): string {
  return text.replace(
    /(arn(?::|%3A)aws[a-z-]*(?::|%3A)[a-z0-9-]+(?::|%3A)[a-z0-9-]*(?::|%3A))\d{12}(?=:|%3A)/gi,
    `$1${EXAMPLE_ACCOUNT}`,
  );
}

/**
 * Query parameters of a SigV4 presigned URL that carry or prove credentials: the session token, the
 * access key id (in X-Amz-Credential) and the signature. Names compared case-insensitively.
 * https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-query-string-auth.html
 */
const PRESIGNED_CREDENTIAL_PARAMS = new Set(["x-amz-security-token", "x-amz-credential", "x-amz-signature"]);

/** A recorded URI without presigned credentials in its query (the rest of the query is kept as sent). */
export function scrubPresignedQuery(uri: string): string {
  const query = uri.indexOf("?");
  if (query === -1) return uri;
  const hash = uri.indexOf("#", query);
  const end = hash === -1 ? uri.length : hash;
  const kept = uri
    .slice(query + 1, end)
    .split("&")
    .filter((pair) => {
      const name = pair.split("=", 1)[0]!;
      let decoded = name;
      try {
        decoded = decodeURIComponent(name);
      } catch {
        // A malformed escape: compared as written.
      }
      return pair !== "" && !PRESIGNED_CREDENTIAL_PARAMS.has(decoded.toLowerCase());
    });
  return `${uri.slice(0, query)}${kept.length > 0 ? `?${kept.join("&")}` : ""}${uri.slice(end)}`;
}

async function defaultCredentials(): Promise<
  () => Promise<{ accessKeyId: string; secretAccessKey: string; sessionToken?: string }>
> {
  const { fromNodeProviderChain } = await import("@aws-sdk/credential-providers");
  return fromNodeProviderChain();
}

function readAll(request: AnyRequest): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => resolve(Buffer.concat(chunks)));
    request.on("error", reject);
  });
}

function regionOf(authorization: string | undefined, upstream: URL): string | undefined {
  const scoped = authorization ? /Credential=[^/]+\/\d{8}\/([^/]+)\//.exec(authorization)?.[1] : undefined;
  return scoped ?? /bedrock-runtime(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com/.exec(upstream.hostname)?.[1];
}

function safeName(text: string): string {
  return text.replace(/[^A-Za-z0-9._-]+/g, "_").slice(0, 80);
}

/** What every exchange of one recorder shares. */
interface RecorderState {
  readonly options: RecorderOptions;
  readonly upstream: URL;
  /** The upstream's path prefix (without a trailing slash), put before each request path. */
  readonly basePath: string;
  readonly credentials: RecorderCredentials;
  readonly transport: typeof http | typeof https;
  readonly agent: http.Agent;
  readonly recorded: RecordedExchange[];
  /** The number of the last fixture file written. */
  sequence: number;
}

/** One exchange as the recorder saw it, ready to become a fixture. */
interface Exchange {
  readonly operation: FixtureOperation | undefined;
  readonly modelId: string | null;
  readonly status: number;
  readonly requestHeaders: AnyRequest["headers"];
  readonly responseHeaders: Record<string, string>;
  readonly requestBody: Buffer;
  readonly responseBody: Buffer;
  readonly uri: string;
  readonly method: string;
}

/** The path, query, operation and model id of a request URL (`/model/{modelId}/{operation}`). */
function parseRequestUrl(url: string) {
  const rawPath = url.includes("?") ? url.slice(0, url.indexOf("?")) : url;
  const query = url.includes("?") ? url.slice(url.indexOf("?") + 1) : "";
  const match = /^\/model\/([^/]+)\/([a-z-]+)$/.exec(rawPath);
  const operation = match ? ROUTES[match[2]!] : undefined;
  let modelId: string | null = null;
  if (match) {
    try {
      modelId = decodeURIComponent(match[1]!);
    } catch {
      modelId = match[1]!;
    }
  }
  return { rawPath, query, operation, modelId };
}

/** The client's headers that go upstream (the recorder signs its own request). */
function forwardedHeaders(request: AnyRequest, upstream: URL): Record<string, string> {
  const forwarded: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    const lower = name.toLowerCase();
    if (value === undefined || lower.startsWith(":") || NOT_FORWARDED.has(lower)) continue;
    forwarded[lower] = Array.isArray(value) ? value.join(",") : String(value);
  }
  forwarded.host = upstream.host;
  return forwarded;
}

/** Signs the upstream request with the recorder's credentials, for the region the client signed for. */
async function signUpstream(
  state: RecorderState,
  request: AnyRequest,
  target: { path: string; query: string },
  body: Buffer,
) {
  const { options, upstream, credentials } = state;
  const resolved = typeof credentials === "function" ? await credentials() : credentials;
  const region =
    options.region ?? regionOf(request.headers.authorization as string | undefined, upstream) ?? "us-east-1";
  const signer = new SignatureV4({
    credentials: resolved,
    region,
    service: "bedrock",
    sha256: Hash.bind(null, "sha256"),
  });
  return signer.sign(
    new HttpRequest({
      method: request.method ?? "POST",
      protocol: upstream.protocol,
      hostname: upstream.hostname,
      ...(upstream.port ? { port: Number(upstream.port) } : {}),
      path: state.basePath + target.path,
      query: Object.fromEntries(new URLSearchParams(target.query)),
      headers: forwardedHeaders(request, upstream),
      body,
    }),
  );
}

/** The upstream response headers that are passed back and recorded. */
function recordedHeaders(upstreamResponse: http.IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(upstreamResponse.headers)) {
    if (value === undefined || NOT_RECORDED.has(name.toLowerCase())) continue;
    headers[name] = Array.isArray(value) ? value.join(",") : value;
  }
  return headers;
}

/** The request headers a fixture keeps (never credentials). */
function keptRequestHeaders(headers: AnyRequest["headers"]): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && KEPT_REQUEST_HEADER.test(name) && !name.startsWith(":")) {
      kept[name] = Array.isArray(value) ? value.join(",") : String(value);
    }
  }
  return kept;
}

/** A body as JSON, or as its text when it is not JSON. */
function parseJsonOrText(bytes: Buffer): unknown {
  const text = bytes.toString("utf8");
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** The fixture of an exchange, in the recordings' shape (stream answers as decoded events). */
function buildFixture(exchange: Exchange, scrubbingAccounts: boolean): Fixture {
  const operation = exchange.operation ?? "invoke";
  const failed = exchange.status >= 400;
  const fixture: Fixture = {
    source: `recorded by bedrock-forge record from ${new URL(exchange.uri).host}`,
    provenance: "recorded-by-bedrock-forge",
    operation: failed ? "error" : operation,
    ...(failed ? { failedOperation: operation } : {}),
    modelId: exchange.modelId,
    http: {
      method: exchange.method,
      uri: scrubPresignedQuery(exchange.uri),
      status: exchange.status,
      requestHeaders: keptRequestHeaders(exchange.requestHeaders),
      responseHeaders: exchange.responseHeaders,
    },
    request: exchange.requestBody.length > 0 ? parseJsonOrText(exchange.requestBody) : null,
  };
  const contentType = Object.entries(exchange.responseHeaders).find(
    ([name]) => name.toLowerCase() === "content-type",
  )?.[1];
  if (!failed && contentType?.startsWith("application/vnd.amazon.eventstream")) {
    fixture.events = splitFrames(exchange.responseBody).messages.map(toStreamEvent);
  } else {
    fixture.response = parseJsonOrText(exchange.responseBody);
  }
  fixture.notes =
    "Recorded by bedrock-forge's recorder; Authorization, security tokens, cookies and signing headers are not kept" +
    (scrubbingAccounts ? "; account ids in ARNs replaced by 123456789012." : ".");
  return fixture;
}

/** Writes an exchange's fixture as the next numbered file of the output folder. */
function writeFixture(state: RecorderState, exchange: Exchange): void {
  const scrubbing = state.options.scrubAccountIds ?? false;
  const fixture = buildFixture(exchange, scrubbing);
  let text = `${JSON.stringify(fixture, null, 2)}\n`;
  if (scrubbing) text = scrubAccountIds(text);
  state.sequence++;
  const operation = exchange.operation ?? "invoke";
  const kind = fixture.operation === "error" ? `error-${operation}` : operation;
  const file = path.join(
    state.options.outDir,
    `${String(state.sequence).padStart(4, "0")}-${kind}-${safeName(exchange.modelId ?? "unknown")}.json`,
  );
  if (existsSync(file)) throw new Error(`${file} exists`);
  writeFileSync(file, text);
  state.recorded.push({ file, fixture: JSON.parse(text) as Fixture });
}

/**
 * Streams the upstream answer back as it arrives; once it is complete, writes the fixture (before the
 * client sees the end of the answer). An answer the client left is not recorded.
 */
function relayResponse(
  state: RecorderState,
  response: AnyResponse,
  upstreamResponse: http.IncomingMessage,
  exchange: Omit<Exchange, "status" | "responseHeaders" | "responseBody">,
  clientGone: () => boolean,
): void {
  const headers = recordedHeaders(upstreamResponse);
  const status = upstreamResponse.statusCode ?? 502;
  response.writeHead(status, headers);
  const chunks: Buffer[] = [];
  upstreamResponse.on("data", (chunk: Buffer) => {
    chunks.push(chunk);
    (response as http.ServerResponse).write(chunk);
  });
  upstreamResponse.on("end", () => {
    if (clientGone()) return;
    try {
      writeFixture(state, {
        ...exchange,
        status,
        responseHeaders: headers,
        responseBody: Buffer.concat(chunks),
      });
    } catch (error) {
      process.emitWarning(`bedrock-forge recorder: could not write a fixture: ${(error as Error).message}`);
    }
    response.end();
  });
  upstreamResponse.on("error", () => response.destroy());
}

/** Forwards one request upstream, re-signed, and relays and records the answer. */
async function forwardRequest(state: RecorderState, request: AnyRequest, response: AnyResponse) {
  const { upstream, basePath } = state;
  const body = await readAll(request);
  const url = request.url ?? "/";
  const { rawPath, query, operation, modelId } = parseRequestUrl(url);
  const signed = await signUpstream(state, request, { path: rawPath, query }, body);
  const upstreamRequest = state.transport.request({
    protocol: upstream.protocol,
    hostname: upstream.hostname,
    port: upstream.port || undefined,
    method: request.method ?? "POST",
    path: basePath + url,
    headers: { ...(signed.headers as Record<string, string>), "content-length": String(body.length) },
    agent: state.agent,
  });
  let clientGone = false;
  response.on("close", () => {
    if (!response.writableFinished) {
      clientGone = true;
      upstreamRequest.destroy();
    }
  });
  upstreamRequest.on("error", (error) => {
    if (clientGone) return;
    if (!response.headersSent) {
      response.writeHead(502, { "content-type": "application/json" });
      response.end(JSON.stringify({ message: `bedrock-forge recorder: upstream error: ${error.message}` }));
    } else response.destroy();
  });
  upstreamRequest.on("response", (upstreamResponse) => {
    const exchange = {
      operation,
      modelId,
      requestHeaders: request.headers,
      requestBody: body,
      uri: `${upstream.origin}${basePath}${url}`,
      method: request.method ?? "POST",
    };
    relayResponse(state, response, upstreamResponse, exchange, () => clientGone);
  });
  upstreamRequest.end(body);
}

/** The highest fixture number already in the output folder (new files continue after it). */
function lastSequence(outDir: string): number {
  return readdirSync(outDir).reduce((max, name) => {
    const number = Number(/^(\d+)-/.exec(name)?.[1]);
    return Number.isFinite(number) ? Math.max(max, number) : max;
  }, 0);
}

/** Starts a recording proxy. */
export async function startRecorder(options: RecorderOptions): Promise<Recorder> {
  const upstream = new URL(options.upstream);
  mkdirSync(options.outDir, { recursive: true });
  const transport = upstream.protocol === "https:" ? https : http;
  const state: RecorderState = {
    options,
    upstream,
    basePath: upstream.pathname.replace(/\/$/, ""),
    credentials: options.credentials ?? (await defaultCredentials()),
    transport,
    agent: new transport.Agent({ keepAlive: true }),
    recorded: [],
    sequence: lastSequence(options.outDir),
  };
  const server = await listenDual(
    (request, response) => {
      forwardRequest(state, request, response).catch((error) => {
        if (!response.headersSent) {
          response.writeHead(500, { "content-type": "application/json" });
          response.end(JSON.stringify({ message: `bedrock-forge recorder: ${(error as Error).message}` }));
        } else response.destroy();
      });
    },
    { port: options.port ?? 0, host: options.host ?? "127.0.0.1" },
  );
  const host = server.host.includes(":") ? `[${server.host}]` : server.host;
  return {
    url: `http://${host}:${server.port}`,
    port: server.port,
    recorded: state.recorded,
    close: async () => {
      await server.close();
      state.agent.destroy();
    },
  };
}
