import http from "node:http";
import https from "node:https";
import { Readable } from "node:stream";
import type { BedrockRuntimeClientConfig } from "@aws-sdk/client-bedrock-runtime";
import { BedrockRuntimeClient, NodeHttpHandler } from "./aws-sdk.js";
import type { Connection } from "./connection.js";
import { RequestValidationError } from "./errors.js";
import { instrumentClient, markCarriesSignal, requestSignalKey } from "./instrument.js";
import { abortErrorOf } from "./send.js";
import { Sha256 } from "./sha256.js";
import { ForgeSignatureV4 } from "./signer.js";
import type { AwsCredentialsInput } from "./types.js";
import { useCachedUserAgent } from "./user-agent.js";

/**
 * Credentials for a connection, through @aws-sdk/credential-providers (loaded only when needed):
 * static keys, profile (including SSO), AssumeRole, web identity; undefined means the SDK's default chain.
 */
async function credentialsFor(connection: Connection): Promise<BedrockRuntimeClientConfig["credentials"]> {
  const { credentials, profile, roleArn, webIdentityToken, region } = connection;
  if (webIdentityToken !== undefined) {
    if (!roleArn)
      throw new RequestValidationError(
        "aws_web_identity_token needs aws_role_name (the role ARN to assume)",
        { param: "aws_role_name" },
      );
    const { fromWebToken } = await import("@aws-sdk/credential-providers");
    return fromWebToken({
      roleArn,
      webIdentityToken,
      roleSessionName: connection.roleSessionName ?? "bedrock-forge",
      ...(region ? { clientConfig: { region } } : {}),
    });
  }
  if (roleArn !== undefined) {
    const { fromTemporaryCredentials, fromIni } = await import("@aws-sdk/credential-providers");
    const master =
      typeof credentials === "function"
        ? credentials
        : (credentials ?? (profile ? fromIni({ profile }) : undefined));
    return fromTemporaryCredentials({
      params: { RoleArn: roleArn, RoleSessionName: connection.roleSessionName ?? "bedrock-forge" },
      ...(master ? { masterCredentials: master } : {}),
      ...(region ? { clientConfig: { region } } : {}),
    });
  }
  if (credentials !== undefined) return credentials;
  if (profile !== undefined) {
    const { fromIni } = await import("@aws-sdk/credential-providers");
    return fromIni({ profile });
  }
  return undefined;
}

const keepAliveAgents = {
  httpAgent: new http.Agent({ keepAlive: true, maxSockets: 256 }),
  httpsAgent: new https.Agent({ keepAlive: true, maxSockets: 256 }),
};

type HandleArguments = Parameters<NodeHttpHandler["handle"]>;

/**
 * The SDK's NodeHttpHandler, taking a call's abort signal from the request (put there by the client's
 * instrumentation middleware) when `send` had no options, as with a cached middleware stack.
 *
 * A whole (non event-stream) answer is read here into one Buffer, which the SDK's deserializers take as
 * is: the SDK would otherwise pipe the response into a collector stream of its own, about an eighth of
 * its CPU for a small JSON answer. Event streams are passed on untouched, read as they arrive.
 */
class SignalledHttpHandler extends NodeHttpHandler {
  override async handle(request: HandleArguments[0], options?: HandleArguments[1]) {
    const signal = (request as unknown as Record<symbol, AbortSignal | undefined>)[requestSignalKey];
    const effective = signal ? { ...options, abortSignal: signal } : options;
    const result = await super.handle(request, effective);
    const { response } = result;
    const contentType = response.headers["content-type"];
    // Streaming operations (…/converse-stream, …/invoke-with-response-stream) are never buffered, whatever
    // their content type says.
    const streaming = request.path.endsWith("-stream") || contentType?.startsWith(EVENT_STREAM);
    if (response.body instanceof Readable && !streaming) {
      response.body = await readWhole(response.body, effective?.abortSignal as AbortSignal | undefined);
    }
    return result;
  }
}

const EVENT_STREAM = "application/vnd.amazon.eventstream";

/**
 * A response body read to its end. A connection lost before the end rejects; so does the call's abort,
 * as the AbortError the SDK's handler would give (the socket's own error can otherwise win the race).
 */
function readWhole(body: Readable, signal: AbortSignal | undefined): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let length = 0;
    let ended = false;
    const fail = (error: Error) => reject(signal?.aborted ? abortErrorOf(signal) : error);
    body.on("data", (chunk: Buffer) => {
      chunks.push(chunk);
      length += chunk.length;
    });
    body.once("end", () => {
      ended = true;
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, length));
    });
    body.once("error", fail);
    body.once("close", () => {
      if (!ended)
        fail(
          Object.assign(new Error("the connection closed before the response ended"), { code: "ECONNRESET" }),
        );
    });
  });
}

/** HTTP/1.1 keep-alive: measured at about half the per-call time of the SDK's default HTTP/2 handler (see WIRE-NOTES). */
function createRequestHandler(): NodeHttpHandler {
  return new SignalledHttpHandler(keepAliveAgents);
}

const clientCache = new Map<string, Promise<BedrockRuntimeClient>>();
const providerIds = new WeakMap<object, number>();
let nextProviderId = 1;

function identityOf(value: unknown): string {
  if (value === undefined) return "";
  if (
    typeof value === "function" ||
    (typeof value === "object" && value !== null && !("accessKeyId" in value))
  ) {
    let id = providerIds.get(value as object);
    if (!id) {
      id = nextProviderId++;
      providerIds.set(value as object, id);
    }
    return `provider#${id}`;
  }
  const keys = value as AwsCredentialsInput;
  return `${keys.accessKeyId}:${keys.secretAccessKey}:${keys.sessionToken ?? ""}`;
}

/** An SDK client for a connection, created once per distinct connection and reused (sockets stay warm). */
export function clientFor(connection: Connection): Promise<BedrockRuntimeClient> {
  const key = JSON.stringify([
    connection.region,
    connection.endpoint,
    identityOf(connection.credentials),
    connection.apiKey,
    connection.profile,
    connection.roleArn,
    connection.roleSessionName,
    connection.webIdentityToken,
    connection.maxAttempts,
  ]);
  let client = clientCache.get(key);
  if (!client) {
    client = createClient(connection);
    client.catch(() => clientCache.delete(key));
    if (clientCache.size > 64) clientCache.clear();
    clientCache.set(key, client);
  }
  return client;
}

/**
 * The endpoint as the SDK's parsed form (`{ protocol, hostname, port, path }`): given as a URL string,
 * the SDK parses it again twice per call (endpoint parameters and custom headers).
 */
function parsedEndpoint(endpoint: string): BedrockRuntimeClientConfig["endpoint"] {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return endpoint;
  }
  // Query strings and credentials in the URL stay with the SDK's own parsing.
  if (url.search !== "" || url.username !== "" || url.password !== "") return endpoint;
  return {
    protocol: url.protocol,
    hostname: url.hostname,
    port: url.port ? Number.parseInt(url.port, 10) : undefined,
    path: url.pathname,
  };
}

async function createClient(connection: Connection): Promise<BedrockRuntimeClient> {
  const apiKey = connection.apiKey;
  const config: BedrockRuntimeClientConfig = {
    requestHandler: createRequestHandler(),
    // The middleware stack is resolved once per command class instead of on every send (about 5% of a
    // proxied request's CPU). Per-call signal and headers travel on the command (see instrument.ts).
    cacheMiddleware: true,
    sha256: Sha256,
    ...(connection.region ? { region: connection.region } : {}),
    ...(connection.endpoint ? { endpoint: parsedEndpoint(connection.endpoint) } : {}),
    ...(connection.maxAttempts !== undefined ? { maxAttempts: connection.maxAttempts } : {}),
  };
  if (apiKey !== undefined) {
    config.token = { token: apiKey };
    config.authSchemePreference = ["httpBearerAuth"];
  } else {
    const credentials = await credentialsFor(connection);
    if (credentials !== undefined) {
      config.credentials = credentials;
      // Explicit credentials mean SigV4, even when AWS_BEARER_TOKEN_BEDROCK is set in the environment.
      config.authSchemePreference = ["sigv4"];
    }
    // One SigV4 signer per client: the SDK's default builds a new one (copying the whole client config)
    // for every request. Region and service still come from each request's auth scheme. The SDK's
    // signer, with its hashing steps done natively (signer.ts).
    let signer: ForgeSignatureV4 | undefined;
    config.signer = async () => {
      signer ??= new ForgeSignatureV4({
        credentials: client.config.credentials,
        region: client.config.region,
        service: "bedrock",
        sha256: Sha256,
        uriEscapePath: true,
      });
      return signer;
    };
  }
  const client = instrumentClient(new BedrockRuntimeClient(config));
  useCachedUserAgent(client);
  markCarriesSignal(client, connection.maxAttempts !== 1);
  return client;
}
