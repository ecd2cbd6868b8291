/**
 * Endpoints chosen by clients. When the config lets a client set `aws_bedrock_runtime_endpoint` (or
 * `api_base`), the URL must be http(s), name no user info, and name a host of
 * `general_settings.client_endpoint_hosts`. Such a request is sent with the request's own credentials
 * only: the deployment's keys, API key, profile, role and extra headers never go to an endpoint a client
 * chose, unless `general_settings.forward_credentials_to_client_endpoints` says they may.
 */
import { type Bedrock, createBedrock } from "../runtime/index.js";
import { clientEndpointFields } from "./client-fields.js";
import type { ClientEndpointPolicy, Deployment } from "./config-types.js";
import { invalidRequest } from "./errors.js";

/** The endpoint field a client set, if any, with its value. */
export function findClientEndpoint(
  params: Readonly<Record<string, unknown>>,
): { readonly field: string; readonly value: unknown } | undefined {
  for (const field of clientEndpointFields) {
    if (params[field] !== undefined) return { field, value: params[field] };
  }
  return undefined;
}

/** True when `host` is named by the allow-list (exactly, or under a `*.` entry). */
export function isAllowedHost(host: string, allowed: readonly string[]): boolean {
  const name = host.toLowerCase();
  return allowed.some((entry) => {
    const pattern = entry.toLowerCase();
    return pattern.startsWith("*.") ? name.endsWith(pattern.slice(1)) : name === pattern;
  });
}

/** The request brings its own identity (static keys or a Bedrock API key), which the runtime then uses alone. */
function hasOwnIdentity(params: Readonly<Record<string, unknown>>): boolean {
  const keys = params.aws_access_key_id !== undefined && params.aws_secret_access_key !== undefined;
  return keys || params.apiKey !== undefined || params.credentials !== undefined;
}

/**
 * Checks a client-chosen endpoint (the client's params, with LiteLLM's names already folded); throws a
 * 400 naming the field. Returns whether the request must be sent without the deployment's identity.
 */
export function checkClientEndpoint(
  params: Readonly<Record<string, unknown>>,
  policy: ClientEndpointPolicy,
): { readonly withoutDeploymentIdentity: boolean } {
  const endpoint = findClientEndpoint(params);
  if (!endpoint) return { withoutDeploymentIdentity: false };
  const { field, value } = endpoint;
  let url: URL | undefined;
  try {
    url = typeof value === "string" ? new URL(value) : undefined;
  } catch {
    url = undefined;
  }
  if (
    !url ||
    (url.protocol !== "http:" && url.protocol !== "https:") ||
    url.username !== "" ||
    url.password !== ""
  ) {
    throw invalidRequest(`${field} must be an http(s) URL without user info`, field, "invalid_endpoint");
  }
  if (!isAllowedHost(url.hostname, policy.hosts)) {
    throw invalidRequest(
      `${field} may not name host ${url.hostname.slice(0, 100)}: the proxy's config allows ${
        policy.hosts.length === 0 ? "no client-chosen hosts" : "other hosts"
      } (general_settings.client_endpoint_hosts)`,
      field,
      "endpoint_not_allowed",
    );
  }
  if (policy.forwardCredentials) return { withoutDeploymentIdentity: false };
  if (!hasOwnIdentity(params)) {
    throw invalidRequest(
      `a request that sets ${field} must bring its own credentials (aws_access_key_id and aws_secret_access_key, or api_key): the proxy does not send its own to an endpoint a client chose`,
      field,
      "client_endpoint_needs_credentials",
    );
  }
  return { withoutDeploymentIdentity: true };
}

const identitylessClients = new WeakMap<Deployment, Bedrock>();

/**
 * A runtime client for the deployment that knows nothing of its identity or endpoint: its region,
 * retries and behaviour only. Requests through it carry the client's own endpoint and credentials.
 */
export function identitylessClient(
  deployment: Deployment,
  behaviour: {
    readonly dropParams: boolean;
    readonly modifyParams: boolean;
    readonly onWarning: (message: string) => void;
  },
): Bedrock {
  let client = identitylessClients.get(deployment);
  if (!client) {
    const { connection } = deployment;
    client = createBedrock({
      aws_region_name: connection.aws_region_name,
      num_retries: connection.num_retries,
      drop_params: deployment.dropParams ?? behaviour.dropParams,
      modify_params: deployment.modifyParams ?? behaviour.modifyParams,
      user_continue_message: deployment.userContinueMessage,
      guardrailConfig: deployment.guardrailConfig,
      onWarning: behaviour.onWarning,
    });
    identitylessClients.set(deployment, client);
  }
  return client;
}
