import { RequestValidationError } from "./errors.js";
import type { AwsCredentialsInput, ConnectionOptions } from "./types.js";

type CredentialProvider = () => Promise<AwsCredentialsInput>;

/** Connection options after LiteLLM names are folded into the TypeScript ones. */
export interface Connection {
  readonly region?: string;
  readonly endpoint?: string;
  readonly mantleEndpoint?: string;
  readonly credentials?: AwsCredentialsInput | CredentialProvider;
  readonly apiKey?: string;
  readonly profile?: string;
  readonly roleArn?: string;
  readonly roleSessionName?: string;
  readonly webIdentityToken?: string;
  readonly extraHeaders?: Readonly<Record<string, string>>;
  readonly maxAttempts?: number;
}

/** Request fields that configure the connection (both naming styles); they are never model params. */
export const connectionFields = [
  "region",
  "credentials",
  "endpoint",
  "mantleEndpoint",
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
  // LiteLLM's names for the endpoint, the Bedrock API key (a bearer token, never a body field) and extra headers.
  "api_base",
  "api_key",
  "headers",
] as const;

/** True when a request carries its own connection options (it then gets its own SDK client); a timeout is not one. */
export function hasConnectionOverrides(request: Readonly<Record<string, unknown>>): boolean {
  for (const field of connectionFields)
    if (
      request[field] !== undefined &&
      field !== "extra_headers" &&
      field !== "headers" &&
      field !== "timeout"
    )
      return true;
  return false;
}

/** One side's options (the client's or a request's) with LiteLLM's names folded into the TypeScript ones. */
function foldNames(options: ConnectionOptions): Connection {
  const accessKeyId = options.aws_access_key_id;
  const secretAccessKey = options.aws_secret_access_key;
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
          ...(options.aws_session_token ? { sessionToken: options.aws_session_token } : {}),
        }
      : undefined;
  return {
    region: options.region ?? options.aws_region_name,
    endpoint: options.endpoint ?? options.aws_bedrock_runtime_endpoint ?? options.api_base,
    mantleEndpoint: options.mantleEndpoint,
    credentials: options.credentials ?? staticKeys,
    apiKey: options.apiKey ?? options.api_key,
    profile: options.profile ?? options.aws_profile_name,
    roleArn: options.aws_role_name,
    roleSessionName: options.aws_session_name,
    webIdentityToken: options.aws_web_identity_token,
    maxAttempts: options.num_retries === undefined ? undefined : options.num_retries + 1,
  };
}

/**
 * Folds both naming styles into one Connection; per-request values win over the client's, in either
 * naming. A request that brings its own identity (keys, a provider, a profile or an API key) is made
 * with that identity alone, never mixed with the client's.
 */
export function resolveConnection(base: ConnectionOptions, override: ConnectionOptions = {}): Connection {
  const client = foldNames(base);
  const request = foldNames(override);
  const ownIdentity =
    request.credentials !== undefined || request.profile !== undefined || request.apiKey !== undefined;
  const identity = ownIdentity ? request : client;
  const headers = { ...base.headers, ...base.extra_headers, ...override.headers, ...override.extra_headers };
  return {
    region: request.region ?? client.region ?? process.env.AWS_REGION_NAME,
    endpoint: request.endpoint ?? client.endpoint,
    mantleEndpoint: request.mantleEndpoint ?? client.mantleEndpoint,
    credentials: identity.credentials,
    apiKey: identity.apiKey,
    profile: identity.profile,
    roleArn: request.roleArn ?? client.roleArn,
    roleSessionName: request.roleSessionName ?? client.roleSessionName,
    webIdentityToken: request.webIdentityToken ?? client.webIdentityToken,
    extraHeaders: Object.keys(headers).length > 0 ? headers : undefined,
    maxAttempts: request.maxAttempts ?? client.maxAttempts,
  };
}
