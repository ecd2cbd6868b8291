import { isDeepStrictEqual } from "node:util";
import { clientSideAuthFields } from "./client-fields.js";
import { bookkeepingFields } from "./client-notes.js";
import type { Deployment } from "./config-types.js";
import { invalidRequest } from "./errors.js";

/**
 * OpenAI's neutral values: they ask for nothing, and clients such as LangChain send them by default.
 * They count as "not given", so that a model without the param does not refuse the request.
 */
const neutralValues: Readonly<Record<string, unknown>> = {
  n: 1,
  presence_penalty: 0,
  frequency_penalty: 0,
  logprobs: false,
};

/** Fields the proxy decides itself; a client's values are not passed on. */
const proxyFields = new Set([
  "model",
  "num_retries",
  "timeout",
  "fetchImage",
  // The proxy decides whether image URLs are fetched and which addresses they may reach, never a client.
  "imageFetch",
  "onWarning",
  "signal",
  "fallbacks",
  "disable_fallbacks",
  // How many calls the runtime sends at once for one embeddings request: the proxy's, not a client's.
  "concurrency",
]);

/** The client's params with the fields the proxy owns removed and `null` ("not given") dropped. */
export interface ClientParams {
  readonly params: Readonly<Record<string, unknown>>;
  /** Client timeout in milliseconds (`timeout` in seconds, as LiteLLM reads it). */
  readonly timeoutMs: number | undefined;
}

/** Splits a validated body into what reaches the runtime; refuses fields the config does not let clients set. */
export function readClientParams(
  body: Readonly<Record<string, unknown>>,
  deployments: readonly { readonly config: Deployment }[],
  allowClientSideCredentials: boolean,
): ClientParams {
  const params: Record<string, unknown> = {};
  for (const name in body) {
    if (!Object.hasOwn(body, name)) continue;
    const value = body[name];
    if (value === null || value === undefined || proxyFields.has(name) || name === "__proto__") continue;
    // The client's bookkeeping is logged by the proxy and never reaches Bedrock.
    if (bookkeepingFields.has(name)) continue;
    if (Object.hasOwn(neutralValues, name) && neutralValues[name] === value) continue;
    if (clientSideAuthFields.has(name)) {
      const allowed =
        allowClientSideCredentials ||
        deployments.every((deployment) => deployment.config.clientSideAuthParams.has(name));
      if (!allowed) {
        throw invalidRequest(
          `${name} cannot be set in a request to this proxy: the proxy's config decides credentials, endpoints and Bedrock model ids (an operator can allow it with general_settings.allow_client_side_credentials or the model's configurable_clientside_auth_params)`,
          name,
          "client_side_credentials_not_allowed",
        );
      }
      if (name === "api_base") params.aws_bedrock_runtime_endpoint = value;
      else if (name === "api_key") params.apiKey = value;
      else params[name] = value;
      continue;
    }
    params[name] = value;
  }
  if (params.guardrailConfig !== undefined) {
    for (const { config } of deployments) {
      if (
        config.guardrailConfig !== undefined &&
        !isDeepStrictEqual(config.guardrailConfig, params.guardrailConfig)
      ) {
        throw invalidRequest(
          `guardrailConfig is set by the proxy's config for model ${config.modelName} and cannot be replaced by a request`,
          "guardrailConfig",
          "guardrail_locked",
        );
      }
    }
  }
  const timeout = body.timeout;
  return {
    params,
    timeoutMs: typeof timeout === "number" && timeout > 0 ? Math.round(timeout * 1000) : undefined,
  };
}

/**
 * The runtime request for one deployment: config defaults (as the route's API names them), then the
 * client's values, then the deployment's model.
 */
export function buildRuntimeRequest(
  deployment: Deployment,
  client: ClientParams,
  extra: Readonly<Record<string, unknown>>,
  defaults: Readonly<Record<string, unknown>> = deployment.defaults,
): Record<string, unknown> {
  const request: Record<string, unknown> = { ...defaults, ...client.params, ...extra };
  request.model = deployment.model;
  if (deployment.modelId !== undefined && request.model_id === undefined)
    request.model_id = deployment.modelId;
  return request;
}

const anthropicDefaultsCache = new WeakMap<Deployment, Readonly<Record<string, unknown>>>();

/**
 * A deployment's default params as an Anthropic Messages request names them: the config writes them as
 * OpenAI (and LiteLLM) do, so `stop` becomes `stop_sequences` and `max_completion_tokens` `max_tokens`;
 * the others (`temperature`, `top_p`, `top_k`, `max_tokens`, `thinking`, provider params) keep their names.
 */
export function anthropicDefaults(deployment: Deployment): Readonly<Record<string, unknown>> {
  let defaults = anthropicDefaultsCache.get(deployment);
  if (defaults) return defaults;
  const { stop, max_completion_tokens: maxCompletionTokens, ...rest } = deployment.defaults;
  const renamed: Record<string, unknown> = { ...rest };
  if (stop !== undefined) renamed.stop_sequences = Array.isArray(stop) ? stop : [stop];
  if (maxCompletionTokens !== undefined && renamed.max_tokens === undefined)
    renamed.max_tokens = maxCompletionTokens;
  defaults = renamed;
  anthropicDefaultsCache.set(deployment, defaults);
  return defaults;
}
