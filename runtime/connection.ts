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
