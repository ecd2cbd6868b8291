import http from "node:http";
import https from "node:https";
import { BedrockRuntimeClient, type BedrockRuntimeClientConfig } from "@aws-sdk/client-bedrock-runtime";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { RequestValidationError } from "./errors.js";
import type { AwsCredentialsInput, ConnectionOptions } from "./types.js";

type CredentialProvider = () => Promise<AwsCredentialsInput>;

/** Connection options after LiteLLM names are folded into the TypeScript ones. */
export interface Connection {
  readonly region?: string;
  readonly endpoint?: string;
  readonly credentials?: AwsCredentialsInput | CredentialProvider;
  readonly apiKey?: string;
  readonly profile?: string;
  readonly roleArn?: string;
  readonly roleSessionName?: string;
  readonly webIdentityToken?: string;
  readonly extraHeaders?: Readonly<Record<string, string>>;
  readonly maxAttempts?: number;
  readonly timeout?: number;
}

const connectionFields = [
  "region",
  "credentials",
  "endpoint",
  "apiKey",
  "profile",
  "aws_access_key_id",
  "aws_secret_access_key",
  "aws_session_token",
  "aws_region_name",
  "aws_profile_name",
  "aws_role_name",
  "aws_session_name",
  "aws_web_identity_token",
  "aws_bedrock_runtime_endpoint",
  "extra_headers",
  "num_retries",
  "timeout",
] as const;

/** True when a request carries its own connection options (it then gets its own SDK client). */
export function hasConnectionOverrides(request: Readonly<Record<string, unknown>>): boolean {
  for (const field of connectionFields)
    if (request[field] !== undefined && field !== "extra_headers" && field !== "timeout") return true;
  return false;
}

/** Folds both naming styles into one Connection; per-request values win over the client's. */
export function resolveConnection(base: ConnectionOptions, override: ConnectionOptions = {}): Connection {
  const pick = <K extends keyof ConnectionOptions>(key: K): ConnectionOptions[K] =>
    override[key] ?? base[key];
  const accessKeyId = pick("aws_access_key_id");
  const secretAccessKey = pick("aws_secret_access_key");
  if ((accessKeyId === undefined) !== (secretAccessKey === undefined)) {
    throw new RequestValidationError("aws_access_key_id and aws_secret_access_key must be given together", {
      param: accessKeyId === undefined ? "aws_access_key_id" : "aws_secret_access_key",
    });
  }
  const staticKeys: AwsCredentialsInput | undefined =
    accessKeyId !== undefined && secretAccessKey !== undefined
      ? {
          accessKeyId,
          secretAccessKey,
          ...(pick("aws_session_token") ? { sessionToken: pick("aws_session_token")! } : {}),
        }
      : undefined;
  const numRetries = pick("num_retries");
  const headers = { ...base.extra_headers, ...override.extra_headers };
  return {
    region: pick("region") ?? pick("aws_region_name") ?? process.env.AWS_REGION_NAME,
    endpoint: pick("endpoint") ?? pick("aws_bedrock_runtime_endpoint"),
    credentials:
      override.credentials ??
      (override.aws_access_key_id ? staticKeys : undefined) ??
      base.credentials ??
      staticKeys,
    apiKey: pick("apiKey"),
    profile: pick("profile") ?? pick("aws_profile_name"),
    roleArn: pick("aws_role_name"),
    roleSessionName: pick("aws_session_name"),
    webIdentityToken: pick("aws_web_identity_token"),
    extraHeaders: Object.keys(headers).length > 0 ? headers : undefined,
    maxAttempts: numRetries === undefined ? undefined : numRetries + 1,
    timeout: pick("timeout"),
  };
}

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

/** HTTP/1.1 keep-alive: measured at about half the per-call time of the SDK's default HTTP/2 handler (see WIRE-NOTES). */
export function createRequestHandler(): NodeHttpHandler {
  return new NodeHttpHandler(keepAliveAgents);
}

/** Bedrock's response headers, captured for families whose usage comes from them. */
export const responseHeadersKey = Symbol.for("bedrock-forge.response-headers");
const instrumented = new WeakSet<BedrockRuntimeClient>();

/** Adds the middleware that keeps each response's headers on the command output. Idempotent. */
export function instrumentClient(client: BedrockRuntimeClient): BedrockRuntimeClient {
  if (instrumented.has(client)) return client;
  instrumented.add(client);
  client.middlewareStack.add(
    (next) => async (args) => {
      const result = await next(args);
      const headers = (result.response as { headers?: Record<string, string> } | undefined)?.headers;
      if (headers && result.output && typeof result.output === "object") {
        Object.defineProperty(result.output, responseHeadersKey, { value: headers, enumerable: false });
      }
      return result;
    },
    { step: "deserialize", name: "bedrockForgeResponseHeaders", priority: "high" },
  );
  return client;
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

async function createClient(connection: Connection): Promise<BedrockRuntimeClient> {
  const apiKey = connection.apiKey;
  const config: BedrockRuntimeClientConfig = {
    requestHandler: createRequestHandler(),
    ...(connection.region ? { region: connection.region } : {}),
    ...(connection.endpoint ? { endpoint: connection.endpoint } : {}),
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
  }
  return instrumentClient(new BedrockRuntimeClient(config));
}
