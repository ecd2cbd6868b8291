import type { ChatMessage, GuardrailConfig } from "../runtime/index.js";
import type { RoutingSettings } from "./routing-strategy.js";
import type { TokenPrices } from "./usage.js";

/** One problem in a config, located by file, line, column and the field at fault. */
export interface ConfigProblem {
  readonly file: string;
  /** 1-based; absent for configs given as objects. */
  readonly line?: number;
  readonly column?: number;
  /** The field in dotted form, e.g. `model_list[1].litellm_params.temperature`. */
  readonly field: string;
  readonly message: string;
}

export function formatConfigProblem(problem: ConfigProblem): string {
  const where =
    problem.line === undefined ? problem.file : `${problem.file}:${problem.line}:${problem.column ?? 1}`;
  return `${where}: ${problem.field || "(config)"}: ${problem.message}`;
}

/** A config that cannot be served: every problem found, each with its location. */
export class ProxyConfigError extends Error {
  override readonly name = "ProxyConfigError";
  readonly problems: readonly ConfigProblem[];

  constructor(problems: readonly ConfigProblem[]) {
    super(
      `invalid proxy config (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n${problems
        .map((problem) => `  ${formatConfigProblem(problem)}`)
        .join("\n")}`,
    );
    this.problems = problems;
  }
}

/** How a deployment reaches Bedrock: the runtime's connection options (never sent by clients unless allowed). */
export interface DeploymentConnection {
  readonly aws_access_key_id?: string;
  readonly aws_secret_access_key?: string;
  readonly aws_session_token?: string;
  readonly aws_region_name?: string;
  readonly aws_session_name?: string;
  readonly aws_profile_name?: string;
  readonly aws_role_name?: string;
  readonly aws_web_identity_token?: string;
  readonly aws_bedrock_runtime_endpoint?: string;
  readonly apiKey?: string;
  readonly extra_headers?: Readonly<Record<string, string>>;
  /** SDK retries inside this deployment (the proxy's default is 0: failover to the next deployment instead). */
  readonly num_retries: number;
}

/** One entry of `model_list`: a Bedrock model with its connection, behaviour and default params. */
export interface Deployment {
  /** `model_info.id`, else `<model_name>#<n>` (n counts entries of the same name from 1). */
  readonly id: string;
  readonly modelName: string;
  /** `litellm_params.model` as written (`bedrock/…`, a bare id or an ARN). */
  readonly model: string;
  /** The id or ARN sent to Bedrock instead of `model` (provisioned throughput, application profiles). */
  readonly modelId: string | undefined;
  readonly connection: DeploymentConnection;
  /** Milliseconds until a Bedrock call gives up (unary), and until a stream starts. */
  readonly timeoutMs: number | undefined;
  readonly streamTimeoutMs: number | undefined;
  readonly dropParams: boolean | undefined;
  readonly modifyParams: boolean | undefined;
  readonly userContinueMessage: ChatMessage | undefined;
  /** A guardrail the config enforces: clients cannot replace it. */
  readonly guardrailConfig: GuardrailConfig | undefined;
  /** Request params the config sets; request values override them. */
  readonly defaults: Readonly<Record<string, unknown>>;
  /** Connection fields a client may send in the request body for this deployment. */
  readonly clientSideAuthParams: ReadonlySet<string>;
  /** LiteLLM's `weight`, `rpm` and `tpm` in litellm_params: the deployment's share of its model name's requests (simple-shuffle). */
  readonly shares: { readonly weight?: number; readonly rpm?: number; readonly tpm?: number };
  /**
   * Requests and tokens per minute the deployment takes at most (`rpm`, `tpm` in litellm_params, else
   * model_info), under the routing strategies that enforce them (usage- and latency-based routing).
   */
  readonly limits: { readonly rpm?: number; readonly tpm?: number };
  /**
   * Calls in flight to this deployment at most (`max_parallel_requests`). Past it the deployment is
   * skipped like one cooling down, so clients that stall one model cannot hold every upstream socket.
   */
  readonly maxParallelRequests: number;
  /** The config's own prices (LiteLLM's `input_cost_per_token` …), used instead of the catalog's for token-priced answers. */
  readonly prices: TokenPrices | undefined;
}

/** Where a client may point a request (when the config lets it set an endpoint) and with whose credentials. */
export interface ClientEndpointPolicy {
  /** Host names a client-chosen endpoint may name (`*.example.com` for any subdomain); none by default. */
  readonly hosts: readonly string[];
  /** The deployment's credentials (keys, API key, profile, role, extra headers) may go to such an endpoint. */
  readonly forwardCredentials: boolean;
}

/** Bounds on what one client can make the proxy hold or do. */
export interface ClientLimits {
  /** How long a stream waits, paused, for a client that does not read before it gives up on it. */
  readonly clientReadTimeoutMs: number;
  /** How long a client may take to send a request's headers. */
  readonly headersTimeoutMs: number;
  /** How long a client may take to send a whole request, body included. */
  readonly bodyTimeoutMs: number;
  /** Inputs one embeddings request may carry (OpenAI's own limit is 2048). */
  readonly maxEmbeddingInputs: number;
  /** Silence after which a Messages stream gets Anthropic's `ping` event (0: never). */
  readonly streamKeepAliveMs: number;
}

/** Who may call the proxy, besides the master key. */
export interface AccessPolicy {
  /** A header the key may come in besides `Authorization`, `x-api-key` and `api-key` (LiteLLM's `litellm_key_header_name`). */
  readonly keyHeaderName: string | undefined;
  /** Browser origins that may read answers (CORS); empty: CORS is off. `*` allows any origin. */
  readonly corsOrigins: readonly string[];
  /** Host names (or `*.example.com`) a proxy without a master key answers, besides loopback names. */
  readonly allowedHosts: readonly string[];
}

/** A validated, resolved config: what the server runs on. Holds secrets; never log it. */
export interface ProxyConfig {
  /** The file it came from (as given), or `<inline config>`. */
  readonly source: string;
  readonly deployments: readonly Deployment[];
  /** Distinct model names in config order. */
  readonly modelNames: readonly string[];
  readonly masterKey: string | undefined;
  readonly dropParams: boolean;
  readonly modifyParams: boolean;
  /** Extra attempts after a failed one (failover); undefined means one attempt per deployment of the group. */
  readonly numRetries: number | undefined;
  readonly requestTimeoutMs: number;
  readonly maxRequestBytes: number;
  /** Clients may send `aws_*` credentials, endpoints and headers in request bodies (LiteLLM's switch). */
  readonly allowClientSideCredentials: boolean;
  /**
   * Model names to try, in order, when every deployment of a model name failed with an error another
   * model could avoid (throttling, timeouts, 5xx, unreachable, access or availability): LiteLLM's `fallbacks`.
   */
  readonly fallbacks: ReadonlyMap<string, readonly string[]>;
  /** Model names to try when the prompt does not fit the model's context window (`context_window_fallbacks`). */
  readonly contextWindowFallbacks: ReadonlyMap<string, readonly string[]>;
  /**
   * Cooldowns (`allowed_fails`, `cooldown_time`): a deployment with more than `allowedFails` failures in a
   * minute is left out for `cooldownMs`. Undefined when neither setting is given: no cooldowns.
   */
  readonly cooldown: { readonly allowedFails: number; readonly cooldownMs: number } | undefined;
  readonly clientEndpoints: ClientEndpointPolicy;
  /** LiteLLM's `router_settings.routing_strategy` (and its args). */
  readonly routing: RoutingSettings;
  /**
   * LiteLLM's `router_settings.model_group_alias`: names clients may send for a model name of the
   * config; a hidden alias is served but not listed by `/v1/models`.
   */
  readonly aliases: ReadonlyMap<string, { readonly modelName: string; readonly hidden: boolean }>;
  readonly clientLimits: ClientLimits;
  readonly access: AccessPolicy;
  /** Settings that were accepted but are ignored, and other things an operator should know. */
  readonly warnings: readonly string[];
}

export interface LoadConfigOptions {
  /** Where `os.environ/NAME` references are looked up (default `process.env`). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** A relative `file` is read from here (default `process.cwd()`); messages show the path as given. */
  readonly cwd?: string;
}

/** Default request deadline: 10 minutes (long generations stream well within it). */
export const defaultRequestTimeoutMs = 600_000;
/** Default body limit: 10 MiB, enough for a few inline images. */
export const defaultMaxRequestBytes = 10 * 1024 * 1024;
/**
 * Default `max_parallel_requests` of a deployment: a quarter of the runtime's 256 sockets per endpoint, so
 * that clients stalling one deployment leave the others room.
 */
export const defaultMaxParallelRequests = 64;
export const defaultClientLimits: ClientLimits = {
  clientReadTimeoutMs: 30_000,
  headersTimeoutMs: 30_000,
  bodyTimeoutMs: 60_000,
  maxEmbeddingInputs: 2048,
  streamKeepAliveMs: 15_000,
};
